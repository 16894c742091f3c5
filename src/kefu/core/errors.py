"""Error types that map to the one JSON error shape `{"error": {"code", "message", "details"}}`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorInfo(BaseModel):
    """What went wrong: a stable machine-readable code, a message and optional details."""

    code: str
    message: str
    details: Any


class ErrorBody(BaseModel):
    """The one JSON error shape, as documented in the OpenAPI spec for every 4xx response."""

    error: ErrorInfo


class KefuError(Exception):
    """Base error with an HTTP status and a stable machine-readable code."""

    status_code = 400
    code = "bad_request"

    def __init__(
        self, message: str, *, code: str | None = None, details: Any = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details

    def as_body(self) -> dict[str, Any]:
        """The JSON error body."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(KefuError):
    """The request is well-formed JSON but asks for something impossible."""


class ValidationFailed(KefuError):
    """Input fails validation."""

    status_code = 422
    code = "validation_error"


class Unauthorized(KefuError):
    """No valid credentials."""

    status_code = 401
    code = "unauthorized"


class Forbidden(KefuError):
    """Authenticated but not allowed; only for actions, never to reveal that a row exists."""

    status_code = 403
    code = "forbidden"


class NotFound(KefuError):
    """The row does not exist or belongs to another workspace."""

    status_code = 404
    code = "not_found"


class Conflict(KefuError):
    """The request conflicts with the current state (duplicate, illegal transition)."""

    status_code = 409
    code = "conflict"


class RateLimited(KefuError):
    """Too many attempts."""

    status_code = 429
    code = "rate_limited"
