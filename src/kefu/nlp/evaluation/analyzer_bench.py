"""`kefu bench nlp`: latency percentiles, load time and memory of the full message analysis."""

from __future__ import annotations

import gc
import random
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from kefu.nlp.text.labelled import Example


@dataclass(frozen=True)
class AnalyzerBenchmark:
    """Measured figures of one benchmark run."""

    messages: int
    load_seconds: dict[str, float]
    background_seconds: dict[str, float]
    missing: dict[str, str]
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    rss_mb: float
    per_language_p50_ms: dict[str, float]
    stage_mean_us: dict[str, float]

    def render(self) -> str:
        """Human-readable summary."""
        lines = [
            f"nlp analyse: n={self.messages}  p50={self.p50_ms:.2f} ms  p90={self.p90_ms:.2f} ms"
            f"  p99={self.p99_ms:.2f} ms  mean={self.mean_ms:.2f} ms",
            "  load: " + ", ".join(f"{k}={v:.2f} s" for k, v in self.load_seconds.items())
            + f"  (total {sum(self.load_seconds.values()):.2f} s)",
            "  loaded in the background after start-up: "
            + ", ".join(f"{k}={v:.2f} s" for k, v in self.background_seconds.items()),
            f"  rss after load+run: {self.rss_mb:.0f} MB",
            "  p50 per language: "
            + ", ".join(f"{k}={v:.2f} ms" for k, v in sorted(self.per_language_p50_ms.items())),
            "  mean per stage: "
            + ", ".join(f"{k}={v:.0f} us" for k, v in self.stage_mean_us.items()),
        ]
        lines.extend(f"  not loaded: {k} ({v})" for k, v in self.missing.items())
        return "\n".join(lines)


def benchmark_messages(per_language: int = 50, seed: int = 13) -> list[Example]:
    """Mixed-language messages: short-suite fragments plus full SIB-200 sentences."""
    from kefu.nlp.evaluation.language import short_suite, sib200_suite

    short = short_suite(per_language=per_language, seed=seed)
    long = sib200_suite()
    rng = random.Random(seed)
    messages = short + rng.sample(long, len(long) // 10)
    rng.shuffle(messages)
    return messages


def run_analyzer_benchmark(messages: list[Example], *, warmup: int = 50) -> AnalyzerBenchmark:
    """Load the default analyzer (timed), warm it up, then time `analyse` on every message."""
    from kefu.nlp.analyzer import build_default_analyzer

    analyzer, report = build_default_analyzer()
    report.warmed.wait()
    for ex in messages[:warmup]:
        analyzer.analyse(ex.text)
    timings: list[float] = []
    by_lang: dict[str, list[float]] = {}
    gc.collect()
    for ex in messages:
        start = time.perf_counter()
        analyzer.analyse(ex.text)
        elapsed = (time.perf_counter() - start) * 1000
        timings.append(elapsed)
        by_lang.setdefault(ex.label, []).append(elapsed)
    timings.sort()
    stages = _stage_means(messages)
    return AnalyzerBenchmark(
        messages=len(messages),
        load_seconds=report.seconds,
        background_seconds=report.background,
        missing=report.missing,
        p50_ms=round(_percentile(timings, 50), 3),
        p90_ms=round(_percentile(timings, 90), 3),
        p99_ms=round(_percentile(timings, 99), 3),
        mean_ms=round(statistics.fmean(timings), 3),
        rss_mb=round(_rss_mb(), 1),
        per_language_p50_ms={k: round(statistics.median(v), 3) for k, v in by_lang.items()},
        stage_mean_us=stages,
    )


def _stage_means(messages: list[Example]) -> dict[str, float]:
    """Mean microseconds per call of each stage, run on its own over all messages."""
    from kefu.nlp.language.detector import detect_language
    from kefu.nlp.moderation.abuse import detect_abuse
    from kefu.nlp.text.normalise import normalise
    from kefu.nlp.text.tokenise import tokenise

    stages = {
        "normalise": lambda ex: normalise(ex.text),
        "tokenise": lambda ex: tokenise(ex.text, ex.label),
        "detect_language": lambda ex: detect_language(ex.text),
        "detect_abuse": lambda ex: detect_abuse(ex.text, ex.label),
    }
    means: dict[str, float] = {}
    for name, stage in stages.items():
        start = time.perf_counter()
        for ex in messages:
            stage(ex)
        means[name] = round((time.perf_counter() - start) / len(messages) * 1e6, 1)
    return means


def _percentile(sorted_values: list[float], pct: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(pct / 100 * (len(sorted_values) - 1))))
    return sorted_values[index]


def _rss_mb() -> float:
    statm = Path("/proc/self/statm")
    if statm.is_file():
        import os

        return int(statm.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
