"""Errors of the privacy domain a client can cause."""

from __future__ import annotations

from kefu.core.errors import Conflict


class CustomerWasMerged(Conflict):
    """The id is a merged customer's: export or erase the customer it was merged into."""

    code = "customer_merged"
