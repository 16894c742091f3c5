"""Check kinds, cues, check outcomes and review states of quality inspection."""

from __future__ import annotations

from enum import StrEnum


class CheckKind(StrEnum):
    """How a check decides: phrases, cue classifier, sequence rule, timing, outcome, readability, security."""

    PHRASE = "phrase"
    CLASSIFIER = "classifier"
    SEQUENCE = "sequence"
    TIMING = "timing"
    OUTCOME = "outcome"
    READABILITY = "readability"
    SENSITIVE_DATA = "sensitive_data"


class Cue(StrEnum):
    """A kind of utterance the per-language lexicons recognise."""

    GREETING = "greeting"
    CLOSING = "closing"
    EMPATHY = "empathy"
    APOLOGY = "apology"
    SOLUTION = "solution"
    RESTATE = "restate"
    CONFIRM = "confirm"
    FORBIDDEN = "forbidden"
    RUDENESS = "rudeness"
    DISTRESS = "distress"
    PASSWORD = "password"


class Outcome(StrEnum):
    """The result of one check on one conversation."""

    PASSED = "passed"
    FAILED = "failed"
    NOT_APPLICABLE = "not_applicable"


class ReviewState(StrEnum):
    """Where an evaluation stands with people: automatic only, reviewed, disputed by the agent."""

    AUTOMATIC = "automatic"
    REVIEWED = "reviewed"
    DISPUTED = "disputed"
