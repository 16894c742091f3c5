"""Errors of quality inspection, each with its stable code."""

from __future__ import annotations

from kefu.core.errors import Conflict, NotFound, ValidationFailed


class ScorecardNotFound(NotFound):
    """No such scorecard in the workspace."""

    code = "scorecard_not_found"


class EvaluationNotFound(NotFound):
    """No such evaluation in the workspace (or not one the caller may see)."""

    code = "evaluation_not_found"


class UnknownCheck(ValidationFailed):
    """The evaluation has no check with that id."""

    code = "unknown_check"


class InvalidScorecard(ValidationFailed):
    """The scorecard definition breaks a rule (unknown parameter, duplicate id, bad regex)."""

    code = "invalid_scorecard"


class NoActiveScorecard(Conflict):
    """The workspace has no active scorecard to evaluate with."""

    code = "no_active_scorecard"
