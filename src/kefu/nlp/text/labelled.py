"""Reading labelled text files (CSV or JSONL with `text` and `label`/`lang`) for training and eval."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

LABEL_FIELDS = ("label", "lang", "intent", "category", "sentiment")


class LabelledFileError(ValueError):
    """A labelled file is missing, unreadable or lacks the text/label columns."""


@dataclass(frozen=True)
class Example:
    """One labelled text."""

    text: str
    label: str


def read_examples(path: str | Path, *, label_field: str | None = None) -> list[Example]:
    """Read `text` + label examples from a CSV, TSV or JSONL file; the label column is auto-found."""
    p = Path(path)
    if not p.is_file():
        raise LabelledFileError(f"no such file: {p}")
    rows = _read_jsonl(p) if p.suffix in {".jsonl", ".json"} else _read_delimited(p)
    if not rows:
        raise LabelledFileError(f"{p} holds no rows")
    field = label_field or next((f for f in LABEL_FIELDS if f in rows[0]), None)
    if "text" not in rows[0] or field is None or field not in rows[0]:
        raise LabelledFileError(
            f"{p} needs a 'text' column and one of {', '.join(LABEL_FIELDS)}; "
            f"found {', '.join(rows[0])}"
        )
    return [
        Example(text=str(r["text"]), label=str(r[field]))
        for r in rows
        if r.get("text") not in (None, "") and r.get(field) not in (None, "")
    ]


def _read_jsonl(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _read_delimited(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8", newline="") as fh:
        sample = fh.read(4096)
        fh.seek(0)
        delimiter = "\t" if path.suffix == ".tsv" or sample.count("\t") > sample.count(",") else ","
        return list(csv.DictReader(fh, delimiter=delimiter))
