"""Scoring a transcript on a scorecard: every check, weighted dimensions, auto-fail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kefu.qa.checks import EVALUATORS, CheckResult
from kefu.qa.cues import lexicon_language
from kefu.qa.enums import Outcome
from kefu.qa.scorecards import ScorecardDefinition
from kefu.qa.transcript import Transcript


@dataclass(frozen=True)
class Scored:
    """A transcript's inspection: total score 0-100, per-dimension scores, every check's result."""

    score: float | None
    auto_failed: bool
    dimensions: dict[str, float | None]
    results: tuple[tuple[str, CheckResult], ...]

    def checks_json(self) -> list[dict[str, Any]]:
        """Each check's result as JSON (dimension, outcome, detail, evidence spans)."""
        return [
            {
                "check_id": r.check_id,
                "dimension": dim,
                "outcome": r.outcome.value,
                "detail": r.detail,
                "value": r.value,
                "evidence": [s.as_dict() for s in r.evidence],
            }
            for dim, r in self.results
        ]


def evaluate(transcript: Transcript, definition: ScorecardDefinition) -> Scored:
    """Run every check of `definition` on `transcript` and score it.

    A check restricted to other languages is not applicable. A dimension scores the weighted
    share of its applicable checks that passed (None when none applies); the total is the
    weighted mean of the scored dimensions, and 0 when an auto-fail check failed. Timing checks
    read the applied SLA's deadlines from the transcript when it has them.
    """
    lang = lexicon_language(transcript.language)
    results: list[tuple[str, CheckResult]] = []
    for dim in definition.dimensions:
        for spec in dim.checks:
            if spec.languages is not None and lang not in spec.languages:
                result = CheckResult(spec.id, Outcome.NOT_APPLICABLE, detail=f"not checked in {lang}")
            else:
                result = EVALUATORS[spec.kind](spec, transcript)
            results.append((dim.id, result))
    score, auto_failed, dimensions = score_outcomes(definition, {r.check_id: r.outcome for _, r in results})
    return Scored(score, auto_failed, dimensions, tuple(results))


def score_outcomes(
    definition: ScorecardDefinition, outcomes: dict[str, Outcome]
) -> tuple[float | None, bool, dict[str, float | None]]:
    """Total score, auto-fail and per-dimension scores from each check's outcome (after any review)."""
    dimensions: dict[str, float | None] = {}
    auto_failed = False
    for dim in definition.dimensions:
        earned = possible = 0.0
        for spec in dim.checks:
            outcome = outcomes.get(spec.id, Outcome.NOT_APPLICABLE)
            if outcome == Outcome.NOT_APPLICABLE:
                continue
            possible += spec.weight
            if outcome == Outcome.PASSED:
                earned += spec.weight
            elif spec.auto_fail:
                auto_failed = True
        dimensions[dim.id] = round(100 * earned / possible, 2) if possible else None
    weights = {d.id: d.weight for d in definition.dimensions}
    scored = [(weights[d], s) for d, s in dimensions.items() if s is not None]
    total = round(sum(w * s for w, s in scored) / sum(w for w, _ in scored), 2) if scored else None
    if auto_failed and total is not None:
        total = 0.0
    return total, auto_failed, dimensions
