"""Errors of the accounts domain that callers may want to tell apart."""

from __future__ import annotations

import math

from kefu.core.errors import Conflict, Forbidden, RateLimited, Unauthorized, ValidationFailed


class LoginRefused(Unauthorized):
    """A login that failed a check; the API commits the counted failure before answering."""


class InvalidCredentials(LoginRefused):
    """Wrong email, password or workspace, or an inactive agent: one answer for all of them."""

    code = "invalid_credentials"

    def __init__(self) -> None:
        super().__init__("invalid email or password")


class TwoFactorRequired(LoginRefused):
    """The password is right and the agent uses 2FA: send `totp_code` (or `recovery_code`) too."""

    code = "two_factor_required"

    def __init__(self) -> None:
        super().__init__("this account uses two-factor authentication: give the code of your app")


class InvalidTwoFactorCode(LoginRefused):
    """The authenticator code or recovery code given with the login is not valid (counted as a failure)."""

    code = "invalid_two_factor_code"

    def __init__(self) -> None:
        super().__init__("the two-factor code is not valid (or was used already)")


class TwoFactorSetupRequired(Forbidden):
    """The workspace requires 2FA of the agent's role: until it is set up only enrolment works."""

    code = "two_factor_setup_required"

    def __init__(self) -> None:
        super().__init__(
            "your workspace requires two-factor authentication: set it up at /api/v1/me/two-factor"
        )


class WeakPassword(ValidationFailed):
    """A new password breaks the password policy; `code` names the first rule, details list all."""

    def __init__(self, field: str, problems: list[tuple[str, str]]) -> None:
        self.code = problems[0][0]
        super().__init__(
            "the password is too weak: " + "; ".join(message for _, message in problems),
            details=[{"loc": ["body", field], "msg": message, "type": code} for code, message in problems],
        )


class WrongPassword(ValidationFailed):
    """The current password given to change a password (or switch 2FA off) is not the agent's."""

    code = "wrong_password"

    def __init__(self, field: str = "current_password") -> None:
        super().__init__(
            "the current password is not correct",
            details=[{"loc": ["body", field], "msg": "not correct", "type": "wrong_password"}],
        )


class InvalidTotpCode(ValidationFailed):
    """An authenticator code given to set up, confirm or switch off 2FA is wrong or was used already."""

    code = "invalid_two_factor_code"

    def __init__(self) -> None:
        super().__init__(
            "the code is not valid (check your device's clock, or wait for the next code)",
            details=[{"loc": ["body", "code"], "msg": "not valid", "type": "invalid_two_factor_code"}],
        )


class TwoFactorNotEnabled(Conflict):
    """Requiring 2FA in a workspace needs the admin who does it to use it first."""

    code = "two_factor_not_enabled"

    def __init__(self) -> None:
        super().__init__("set up two-factor authentication for yourself before requiring it")


class TooManyAttempts(RateLimited):
    """Too many failed password checks: for one (email, client IP), one client IP, or one account.

    `scope` says which limit: `address` (the pair), `ip`, or `account` (backoff across every IP).
    """

    def __init__(self, retry_after_seconds: float, *, scope: str = "address") -> None:
        self.retry_after_seconds = max(1, math.ceil(retry_after_seconds))
        self.scope = scope
        super().__init__(
            "too many failed attempts; try again later",
            details={"retry_after_seconds": self.retry_after_seconds, "scope": scope},
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
