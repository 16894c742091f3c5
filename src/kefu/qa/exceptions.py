"""Errors of quality inspection, each with its stable code."""

from __future__ import annotations

from kefu.core.errors import Conflict, Forbidden, KefuError, NotFound, ValidationFailed


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


class CalibrationNotFound(NotFound):
    """No such calibration session in the workspace."""

    code = "calibration_not_found"


class InvalidCalibration(ValidationFailed):
    """A calibration session or score breaks a rule (no conversations, unknown rater or conversation)."""

    code = "invalid_calibration"


class CalibrationClosed(Conflict):
    """The calibration session is closed: its scores no longer change."""

    code = "calibration_closed"


class NotARater(Forbidden):
    """Only the session's raters score in a calibration session."""

    code = "not_a_rater"


class CoachingNoteNotFound(NotFound):
    """No such coaching note (or not one the caller may see)."""

    code = "coaching_note_not_found"


class SpeechToTextNotConfigured(Conflict):
    """No speech-to-text provider is configured on this server (KEFU_SPEECH_TO_TEXT_URL)."""

    code = "speech_to_text_not_configured"


class SpeechToTextFailed(KefuError):
    """The speech-to-text provider did not return a transcript (a bad gateway, not the client's fault)."""

    status_code = 502
    code = "speech_to_text_failed"
