"""Handling steps and outcomes of a complaint."""

from __future__ import annotations

from enum import StrEnum


class ComplaintStep(StrEnum):
    """The handling steps, in the order they are taken."""

    LISTEN = "listen"
    APOLOGISE = "apologise"
    SOLVE = "solve"
    FOLLOW_UP = "follow_up"


STEP_ORDER = tuple(ComplaintStep)


class ComplaintOutcome(StrEnum):
    """How a complaint ended."""

    UPHELD = "upheld"
    PARTIALLY_UPHELD = "partially_upheld"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
