"""Errors of the conversations domain, each with a stable code."""

from __future__ import annotations

from kefu.core.errors import BadRequest, Conflict, NotFound


class ConversationNotFound(NotFound):
    """No such conversation in this workspace, or one the caller may not see (404 either way)."""

    code = "not_found"


class CustomerReferenceMissing(BadRequest):
    """A message or conversation names neither a customer id nor a customer."""

    code = "bad_request"


class ReplyFromCustomer(BadRequest):
    """A reply was sent in a customer's name: customers' messages are received, not sent."""

    code = "bad_request"


class ConversationClosed(Conflict):
    """The conversation is closed: nothing more may be sent on it."""

    code = "conversation_closed"


class DuplicateExternalId(Conflict):
    """A message with this provider id is already stored."""

    code = "duplicate_external_id"

