"""Public enumerations of the nlp domain."""

from __future__ import annotations

from enum import StrEnum


class ModelStatus(StrEnum):
    """Lifecycle of a trained intent model version."""

    QUEUED = "queued"
    READY = "ready"
    FAILED = "failed"


UNKNOWN_INTENT = "unknown"
"""The label given to messages the intent model cannot place (out of scope)."""
