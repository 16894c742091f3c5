"""`kefu bench qa`: conversations inspected per second per core on the labelled set's transcripts."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from kefu.qa.engine import evaluate
from kefu.qa.evaluation import default_suite_path, read_conversations
from kefu.qa.scorecards import ScorecardDefinition, default_definition


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
