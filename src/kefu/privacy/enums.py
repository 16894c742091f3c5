"""Public enums of the privacy domain."""

from __future__ import annotations

from enum import StrEnum


class RetentionAction(StrEnum):
    """What the retention job does to a conversation idle for longer than the workspace keeps data."""

    REDACT = "redact"
    """Empty message bodies, attachments, subjects and custom fields; keep counts and analysis."""
    DELETE = "delete"
    """Delete the conversation with its messages and timeline."""
