"""Analyzer promises: one call composes language, tokens, intent, sentiment/anger and abuse."""

from __future__ import annotations

import json
from dataclasses import dataclass

from kefu.nlp.analyzer import Analyzer, build_default_analyzer
from kefu.nlp.language.detector import LanguageHints, get_language_detector


@dataclass(frozen=True)
class _Intent:
    label: str
    confidence: float


@dataclass(frozen=True)
class _Mood:
    label: str
    score: float
    anger: float


class _RecordingIntent:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []

    def predict(self, text: str, lang: str | None = None) -> _Intent:
        self.calls.append((text, lang))
        return _Intent("refund", 0.9)


class _RecordingSentiment:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def predict(self, text: str, lang: str) -> _Mood:
        self.calls.append((text, lang))
        return _Mood("negative", -0.7, 0.8)


def test_analysis_composes_every_stage_and_passes_the_detected_language() -> None:
    intent, mood = _RecordingIntent(), _RecordingSentiment()
    analyzer = Analyzer(detector=get_language_detector(), intent_model=intent, sentiment_model=mood)
    result = analyzer.analyse("不赔钱就曝光你们，垃圾服务！")
    assert result.language == "zh"
    assert "曝光" in result.tokens
    assert (result.intent, result.intent_confidence) == ("refund", 0.9)
    assert (result.sentiment, result.sentiment_score, result.anger) == ("negative", -0.7, 0.8)
    assert result.abuse_flagged and "extortion" in result.abuse_categories
    assert intent.calls == [("不赔钱就曝光你们，垃圾服务！", "zh")]
    assert mood.calls == [("不赔钱就曝光你们，垃圾服务！", "zh")]


def test_hints_reach_language_detection() -> None:
    analyzer = Analyzer(detector=get_language_detector())
    assert analyzer.analyse("terima kasih", hints=LanguageHints(country="MY")).language == "ms"
    assert analyzer.analyse("terima kasih", hints=LanguageHints(country="ID")).language == "id"


def test_missing_models_leave_their_fields_empty_and_as_dict_is_json_ready() -> None:
    result = Analyzer(detector=get_language_detector()).analyse("Where is my order??")
    assert result.language == "en"
    assert result.intent is None and result.sentiment is None and result.anger is None
    assert not result.abuse_flagged
    data = json.loads(json.dumps(result.as_dict()))
    assert data["tokens"] == ["where", "is", "my", "order", "??"]
    assert data["abuse_categories"] == []


def test_default_analyzer_loads_whatever_models_exist() -> None:
    analyzer, report = build_default_analyzer()
    assert "language" in report.seconds
    assert set(report.seconds) | set(report.missing) >= {"intent", "sentiment"}
    assert analyzer.analyse("สวัสดีครับ").language == "th"
    assert report.warmed.wait(timeout=60)
    assert "zh+th tokenisers" in report.background
