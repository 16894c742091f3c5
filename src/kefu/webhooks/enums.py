"""States of a webhook delivery."""

from __future__ import annotations

from enum import StrEnum


class DeliveryStatus(StrEnum):
    """Pending (first attempt or a retry is due), succeeded (a 2xx answer) or failed (given up)."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
