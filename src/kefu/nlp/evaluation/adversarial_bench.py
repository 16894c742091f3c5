"""`kefu bench nlp --adversarial`: analysis time over texts built to make the models slow.

Families: emoji floods, repeated characters, 20,000-character texts in each of the six
languages (shuffled SIB-200 sentences) and mixed scripts, each analysed with cold embedding
caches. The baseline is the unbounded pipeline (every stage on the raw text, as before the
bounds) on a subset small enough to finish, measured in the same run.
"""

from __future__ import annotations

import functools
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from kefu.nlp.analyzer import Analyzer, build_default_analyzer
from kefu.nlp.embeddings.embedder import available_embedders, get_embedder

LONG_CHARS = 20_000
"""Length of the long texts (the most a conversation message may hold)."""
LANGUAGES = ("zh", "en", "id", "vi", "th", "ms")


@dataclass(frozen=True)
class Case:
    """One adversarial text of a family."""

    family: str
    name: str
    text: str


@dataclass(frozen=True)
class Figures:
    """Analysis-time percentiles in milliseconds."""

    n: int
    p50_ms: float
    p99_ms: float
    max_ms: float


@dataclass(frozen=True)
class BaselineRow:
    """One text of the baseline subset: unbounded and bounded analysis time."""

    name: str
    chars: int
    unbounded_ms: float
    bounded_ms: float
    ratio: float


@dataclass(frozen=True)
class AdversarialBenchmark:
    """Figures of one run: overall, per family, per case, and the baseline subset."""

    rounds: int
    overall: Figures
    families: dict[str, Figures]
    cases: dict[str, Figures]
    baseline: list[BaselineRow]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)

    def render(self) -> str:
        """Human-readable summary."""
        o = self.overall
        lines = [
            f"nlp adversarial: n={o.n} ({self.rounds} rounds)  p50={o.p50_ms:.2f} ms"
            f"  p99={o.p99_ms:.2f} ms  max={o.max_ms:.2f} ms"
        ]
        for name, f in self.families.items():
            lines.append(f"  {name:<9} n={f.n:<4} p50={f.p50_ms:.2f}  p99={f.p99_ms:.2f}"
                         f"  max={f.max_ms:.2f} ms")
        lines.append("  baseline (unbounded, same run):")
        for row in self.baseline:
            lines.append(f"    {row.name:<22} {row.chars:>6} chars  unbounded={row.unbounded_ms:.1f} ms"
                         f"  bounded={row.bounded_ms:.2f} ms  ratio={row.ratio:.4f}")
        return "\n".join(lines)


def adversarial_cases(sentences: dict[str, list[str]], *, seed: int = 11) -> list[Case]:
    """The adversarial texts; `sentences` holds ordinary sentences per language."""
    rng = random.Random(seed)
    faces = [chr(c) for c in range(0x1F600, 0x1F650)]
    family_emoji = "👨\u200d👩\u200d👧\u200d👦"
    cases = [
        Case("emoji", "same-emoji-10k", "😀" * 10_000),
        Case("emoji", "mixed-emoji-10k", "".join(rng.choice(faces) for _ in range(10_000))),
        Case("emoji", "spaced-emoji-5k", " ".join(rng.choice(faces) for _ in range(5_000))),
        Case("emoji", "zwj-skin-tone", (family_emoji + "👍🏽") * 1_000),
        Case("emoji", "emoji-and-letter", "😡a" * 5_000),
        Case("emoji", "emoji-words", " ".join(f"{rng.choice(faces)} bad" for _ in range(2_500))),
        Case("repeated", "letter-20k", "a" * LONG_CHARS),
        Case("repeated", "bang-20k", "!" * LONG_CHARS),
        Case("repeated", "laugh-20k", "ha" * (LONG_CHARS // 2)),
        Case("repeated", "thai-laugh", "555" * 3_000 + "ๆ" * 10_000),
        Case("repeated", "han-20k", "差" * LONG_CHARS),
        Case("repeated", "digits-20k", "9" * LONG_CHARS),
        Case("repeated", "newlines", "\n \n" * 6_000),
        Case("repeated", "negations", " ".join(["not", "never", "no", "kind", "of", "bad"]
                                               * 800)[:LONG_CHARS]),
    ]
    for lang in LANGUAGES:
        cases.append(Case("long", f"long-{lang}", _long_text(sentences[lang], rng)))
    pool = [s for lang in LANGUAGES for s in sentences[lang]]
    cases.append(Case("mixed", "sentence-mix", _long_text(pool, rng)))
    scripts = "abcxyz" + "退款订单" + "พัสดุ" + "đơn hàng" + "😡🙏" + "١٢٣" + "Привет"
    cases.append(Case("mixed", "char-mix", "".join(rng.choice(scripts) for _ in range(LONG_CHARS))))
    cases.append(Case("mixed", "word-mix", " ".join(
        rng.choice(pool).split(" ")[0] for _ in range(LONG_CHARS // 4))[:LONG_CHARS]))
    return cases


def baseline_cases(cases: list[Case]) -> list[Case]:
    """The subset the unbounded pipeline can finish in seconds (the 10k floods take minutes)."""
    rng = random.Random(5)
    faces = [chr(c) for c in range(0x1F600, 0x1F650)]
    by_name = {case.name: case for case in cases}
    return [
        Case("emoji", "same-emoji-1k", "😀" * 1_000),
        Case("emoji", "same-emoji-2k", "😀" * 2_000),
        Case("emoji", "mixed-emoji-2k", "".join(rng.choice(faces) for _ in range(2_000))),
        by_name["long-en"],
        by_name["long-zh"],
        by_name["letter-20k"],
    ]


def run_adversarial_benchmark(
    sentences: dict[str, list[str]], *, rounds: int = 5
) -> AdversarialBenchmark:
    """Load the default analyzer, warm it up, then time every case `rounds` times."""
    analyzer, report = build_default_analyzer()
    report.warmed.wait()
    for lang in LANGUAGES:
        analyzer.analyse(sentences[lang][0])
    cases = adversarial_cases(sentences)
    analyzer.analyse(cases[0].text)
    timings: dict[str, list[float]] = {case.name: [] for case in cases}
    for _ in range(rounds):
        for case in cases:
            timings[case.name].append(_cold(functools.partial(analyzer.analyse, case.text)))
    family_of = {case.name: case.family for case in cases}
    families: dict[str, list[float]] = {}
    for name, values in timings.items():
        families.setdefault(family_of[name], []).extend(values)
    baseline = [
        _baseline_row(analyzer, case, timings.get(case.name)) for case in baseline_cases(cases)
    ]
    return AdversarialBenchmark(
        rounds=rounds,
        overall=_figures([v for values in timings.values() for v in values]),
        families={name: _figures(values) for name, values in families.items()},
        cases={name: _figures(values) for name, values in timings.items()},
        baseline=baseline,
    )


def _baseline_row(analyzer: Analyzer, case: Case, bounded: list[float] | None) -> BaselineRow:
    unbounded = _cold(lambda: unbounded_analysis(analyzer, case.text))
    bounded_ms = statistics.median(bounded) if bounded else _cold(lambda: analyzer.analyse(case.text))
    return BaselineRow(case.name, len(case.text), round(unbounded, 2), round(bounded_ms, 3),
                       round(bounded_ms / unbounded, 4))


def unbounded_analysis(analyzer: Analyzer, text: str) -> None:
    """Every stage on the raw text, as the analysis ran before its input was bounded."""
    from kefu.nlp.moderation.abuse import detect_abuse
    from kefu.nlp.text.normalise import normalise
    from kefu.nlp.text.tokenise import tokenise

    lang = analyzer.detector.detect(text).lang
    norm = normalise(text)
    tokens = tokenise(norm, lang, normalised=True)
    detect_abuse(norm, lang, normalised=True, tokens=tokens)
    model_lang = lang if lang != "other" else "en"
    if analyzer.intent_model is not None:
        analyzer.intent_model.predict(text, model_lang)
    if analyzer.sentiment_model is not None:
        analyzer.sentiment_model.predict(text, model_lang)


def _cold(run: Callable[[], object]) -> float:
    """Milliseconds `run` takes with every sentence-vector cache emptied first."""
    for name in available_embedders():
        get_embedder(name).clear_cache()
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000


def _long_text(sentences: list[str], rng: random.Random) -> str:
    """Seeded shuffles of `sentences` joined until the text is `LONG_CHARS` long."""
    parts: list[str] = []
    size = 0
    while size < LONG_CHARS:
        batch = list(sentences)
        rng.shuffle(batch)
        parts.extend(batch)
        size += sum(len(s) + 1 for s in batch)
    return " ".join(parts)[:LONG_CHARS]


def _figures(values: list[float]) -> Figures:
    ordered = sorted(values)
    return Figures(
        n=len(ordered),
        p50_ms=round(statistics.median(ordered), 3),
        p99_ms=round(_percentile(ordered, 99), 3),
        max_ms=round(ordered[-1], 3),
    )


def _percentile(ordered: list[float], pct: float) -> float:
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]
