"""Errors of the customers domain, each with a stable code."""

from __future__ import annotations

from typing import Any

from kefu.core.errors import Conflict, NotFound, ValidationFailed


class CustomerNotFound(NotFound):
    """No such customer in this workspace."""

    code = "customer_not_found"


class IdentityNotFound(NotFound):
    """No such identity on this customer."""

    code = "identity_not_found"


class InvalidIdentity(ValidationFailed):
    """An identity value cannot be normalised (bad email, phone or handle).

    The top-level code is the generic `validation_error`, like every 422; `details` holds
    `{"loc", "msg", "type"}` items whose `type` is the stable reason (invalid_phone, ...).
    """

    def __init__(self, *, loc: list[str | int], reason: str, message: str) -> None:
        details: list[dict[str, Any]] = [{"loc": loc, "msg": message, "type": reason}]
        super().__init__(message, details=details)
        self.reason = reason


class IdentityTaken(Conflict):
    """The identity already belongs to another customer of the workspace."""

    code = "identity_taken"


class CustomerMerged(Conflict):
    """The customer was merged into another one and cannot take part in a new merge."""

    code = "customer_merged"


class MergeIntoSelf(Conflict):
    """A customer cannot be merged into itself."""

    code = "merge_into_self"


class CustomerInUse(Conflict):
    """Other records still reference the customer, so it cannot be deleted."""

    code = "customer_in_use"


class ResolveContention(Conflict):
    """Concurrent writers kept taking the same identities; the caller may retry."""

    code = "resolve_contention"
