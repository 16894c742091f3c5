"""Errors of the webhooks domain, each with a stable code."""

from __future__ import annotations

from kefu.core.errors import Conflict


class TooManyEndpoints(Conflict):
    """The workspace has as many webhook endpoints as it may."""

    code = "too_many_endpoints"


class EndpointInactive(Conflict):
    """The endpoint is switched off: nothing is sent to it."""

    code = "endpoint_inactive"


class DeliveryPending(Conflict):
    """The delivery has not finished: it cannot be sent again yet."""

    code = "delivery_pending"
