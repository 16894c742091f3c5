"""Errors of the accounts domain that callers may want to tell apart."""

from __future__ import annotations

import math

from kefu.core.errors import Conflict, Forbidden, RateLimited, Unauthorized, ValidationFailed


class InvalidCredentials(Unauthorized):
    """Wrong email, password or workspace, or an inactive agent: one answer for all of them."""

    code = "invalid_credentials"

    def __init__(self) -> None:
        super().__init__("invalid email or password")


class WrongPassword(ValidationFailed):
    """The current password given to change a password is not the agent's password."""

    code = "wrong_password"

    def __init__(self) -> None:
        super().__init__(
            "the current password is not correct",
            details=[{"loc": ["body", "current_password"], "msg": "not correct",
                      "type": "wrong_password"}],
        )


class TooManyAttempts(RateLimited):
    """Too many failed password checks for one (email, client IP) in the last minute."""

    def __init__(self, retry_after_seconds: float) -> None:
        self.retry_after_seconds = max(1, math.ceil(retry_after_seconds))
        super().__init__(
            "too many failed attempts; try again later",
            details={"retry_after_seconds": self.retry_after_seconds},
        )

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers of the error response."""
        return {"Retry-After": str(self.retry_after_seconds)}


class WorkspaceRequired(Conflict):
    """The email and password match agents of several workspaces: the login must name one."""

    code = "workspace_required"

    def __init__(self, slugs: list[str]) -> None:
        super().__init__(
            "this login exists in several workspaces; give the workspace slug",
            details={"workspaces": slugs},
        )


class CsrfFailed(Forbidden):
    """A cookie-authenticated unsafe request without the session's X-CSRF-Token header."""

    code = "csrf_failed"

    def __init__(self) -> None:
        super().__init__("missing or wrong X-CSRF-Token header")


class LastAdmin(Conflict):
    """The change would leave the workspace without an active admin."""

    code = "last_admin"

    def __init__(self) -> None:
        super().__init__("a workspace needs at least one active admin")
