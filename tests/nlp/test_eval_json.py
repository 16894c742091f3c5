"""Every `kefu eval ... --json` prints exactly one JSON line (scripts read it with one `json.loads`)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kefu.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "sentiment_messages.csv"


def _one_json_line(args: list[str]) -> object:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1, result.output
    return json.loads(lines[0])


def test_eval_language_json_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "lid.jsonl"
    rows = [{"text": "Where is my order?", "lang": "en"}, {"text": "我要退款", "lang": "zh"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    report = _one_json_line(["eval", "language", "--test", str(path), "--json"])
    assert isinstance(report, dict) and report["n"] == 2


@pytest.mark.parametrize("lang", ["en", "column"])
def test_eval_sentiment_json_is_one_line(tmp_path: Path, lang: str) -> None:
    with FIXTURE.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))[:12]
    path = tmp_path / "sentiment.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    report = _one_json_line(["eval", "sentiment", "--test", str(path), "--lang", lang, "--json"])
    assert isinstance(report, dict)
    (only,) = report.values()
    assert only["n"] == 12


def test_eval_qa_json_is_one_line() -> None:
    assert isinstance(_one_json_line(["eval", "qa", "--json"]), dict)
