"""`kefu eval qa` and `kefu bench qa`: the default scorecard against labelled conversations, and its speed."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from kefu.qa.engine import evaluate
from kefu.qa.enums import Outcome
from kefu.qa.scorecards import ScorecardDefinition, default_definition
from kefu.qa.transcript import Transcript, build_transcript


class EvalFileError(ValueError):
    """A line of the evaluation file is not a conversation in the documented shape."""


def default_suite_path() -> Path:
    """The shipped labelled set (six languages)."""
    return Path(str(resources.files("kefu.qa.evalset").joinpath("qa_eval.jsonl")))


def read_conversations(path: Path) -> Iterator[tuple[Transcript, dict[str, bool]]]:
    """Transcripts and labels from a JSONL file (one conversation a line)."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                messages = [
                    (
                        m["role"],
                        str(m["text"]),
                        datetime.fromisoformat(m["at"]) if m.get("at") else None,
                        None,
                    )
                    for m in row["messages"]
                ]
                transcript = build_transcript(
                    id=str(row.get("id", number)),
                    language=str(row.get("language") or "en"),
                    messages=messages,
                    is_complaint=bool(row.get("is_complaint", False)),
                )
                labels = {str(k): bool(v) for k, v in row.get("labels", {}).items()}
            except (KeyError, TypeError, ValueError) as exc:
                raise EvalFileError(f"{path}:{number}: not a labelled conversation ({exc})") from None
            yield transcript, labels


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def score_checks(
    rows: Iterable[tuple[Transcript, dict[str, bool]]], definition: ScorecardDefinition | None = None
) -> dict[str, Any]:
    """Per-check precision, recall and F1 of detecting failures, accuracy, macro-F1, per language."""
    definition = definition or default_definition()
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0, "tn": 0})
    by_lang: dict[str, dict[str, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0, "tn": 0})
    )
    n = 0
    for transcript, labels in rows:
        n += 1
        predicted = {
            r.check_id: r.outcome != Outcome.FAILED for _, r in evaluate(transcript, definition).results
        }
        for check_id, passed in labels.items():
            if check_id not in predicted:
                continue
            failed, flagged = not passed, not predicted[check_id]
            key = ("tp" if failed else "fp") if flagged else ("fn" if failed else "tn")
            counts[check_id][key] += 1
            by_lang[transcript.language][check_id][key] += 1
    per_check: dict[str, dict[str, Any]] = {}
    for check_id, c in sorted(counts.items()):
        precision, recall, f1 = _prf(c["tp"], c["fp"], c["fn"])
        total = sum(c.values())
        per_check[check_id] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "accuracy": round((c["tp"] + c["tn"]) / total, 4) if total else None,
            "failures": c["tp"] + c["fn"],
            "n": total,
        }
    per_language = {
        lang: round(sum(_prf(c["tp"], c["fp"], c["fn"])[2] for c in checks.values()) / len(checks), 4)
        for lang, checks in sorted(by_lang.items())
    }
    all_counts = [sum(c[k] for c in counts.values()) for k in ("tp", "fp", "fn", "tn")]
    return {
        "n": n,
        "macro_f1": round(sum(c["f1"] for c in per_check.values()) / len(per_check), 4) if per_check else 0.0,
        "accuracy": round((all_counts[0] + all_counts[3]) / sum(all_counts), 4) if sum(all_counts) else 0.0,
        "per_check": per_check,
        "macro_f1_per_language": per_language,
    }


def _rate(
    transcripts: list[Any], definition: ScorecardDefinition, seconds: float
) -> tuple[float, list[float]]:
    """Conversations per second over at least `seconds` of repeated passes, and per-call latencies (ms)."""
    done, latencies = 0, []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for transcript in transcripts:
            t0 = time.perf_counter()
            evaluate(transcript, definition)
            latencies.append((time.perf_counter() - t0) * 1000)
            done += 1
    return done / (time.perf_counter() - start), latencies


def run_qa_bench(*, seconds: float, echo: Callable[[str], None]) -> dict[str, Any]:
    """Throughput of the default scorecard (one thread = one core) against a greeting-only baseline."""
    transcripts = [t for t, _ in read_conversations(default_suite_path())]
    full = default_definition()
    first = full.dimensions[0]
    baseline = ScorecardDefinition.model_validate(
        {"dimensions": [{**first.model_dump(), "checks": [first.checks[0].model_dump()]}]}
    )
    for transcript in transcripts:  # warm the lexicons, tokenisers and readability dictionaries
        evaluate(transcript, full)
    echo(f"inspecting {len(transcripts)} conversations (six languages) for {seconds:.0f} s per scorecard ...")
    base_rate, _ = _rate(transcripts, baseline, seconds)
    rate, latencies = _rate(transcripts, full, seconds)
    latencies.sort()
    return {
        "conversations_per_second": round(rate, 1),
        "p50_ms": round(latencies[len(latencies) // 2], 3),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)], 3),
        "baseline_greeting_only_per_second": round(base_rate, 1),
        "ratio_to_baseline": round(rate / base_rate, 3),
        "checks": sum(len(d.checks) for d in full.dimensions),
        "conversations": len(transcripts),
    }
