"""Public shapes of the accounts domain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
)

from kefu.accounts.enums import Level, Role, TeamKind
from kefu.accounts.locales import (
    language_code,
    language_codes,
    multi_line,
    secret_text,
    single_line,
    time_zone,
)
from kefu.config.settings import Settings

MAX_LANGUAGES = 12

DisplayName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(single_line),
]
WorkspaceName = DisplayName
TeamName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
    AfterValidator(single_line),
]
TokenName = TeamName
Description = Annotated[str, StringConstraints(max_length=500), AfterValidator(multi_line)]
NewPassword = Annotated[
    str, StringConstraints(min_length=1, max_length=200), AfterValidator(secret_text),
    Field(description="At least 10 characters, not only spaces, not the email or name, not a common one"),
]
TotpCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9 ]{6,8}$")]
RecoveryCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=20)]
GivenPassword = Annotated[str, StringConstraints(min_length=1, max_length=200)]
LanguageCode = Annotated[str, StringConstraints(max_length=8), AfterValidator(language_code)]
Languages = Annotated[list[str], Field(max_length=MAX_LANGUAGES), AfterValidator(language_codes)]
TimeZoneName = Annotated[str, StringConstraints(max_length=64), AfterValidator(time_zone)]
WorkspaceSlug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")]


class _Patch(BaseModel):
    """A partial update: unknown fields are refused, and a field that is sent may not be null."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may be omitted but not null")
        return value

    def changes(self) -> dict[str, Any]:
        """The fields the caller sent, with their validated values."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class Principal(BaseModel):
    """Who is calling: an agent of one workspace, authenticated by session or token."""

    model_config = ConfigDict(frozen=True)

    workspace_id: uuid.UUID
    agent_id: uuid.UUID
    role: Role
    via: str = Field(description="'token' or 'session'")
    session_id: uuid.UUID | None = Field(default=None, description="The console session, if any")
    restricted: bool = Field(default=False, description="Only 2FA enrolment allowed (workspace requires it)")


class WorkspaceOut(BaseModel):
    """A workspace."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    slug: str
    default_language: str
    timezone: str
    two_factor_required: bool
    created_at: datetime


class WorkspaceUpdate(_Patch):
    """Editable settings of a workspace."""

    name: WorkspaceName | None = None
    default_language: LanguageCode | None = None
    timezone: TimeZoneName | None = None
    two_factor_required: bool | None = Field(
        default=None, description="Admins and supervisors must use two-factor authentication"
    )


class AgentIn(BaseModel):
    """Fields to create an agent."""

    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    display_name: DisplayName
    password: NewPassword | None = Field(default=None, repr=False)
    role: Role = Role.AGENT
    level: Level = Level.JUNIOR
    languages: Languages = Field(default_factory=list)


class AgentUpdate(_Patch):
    """Fields an admin (all) or a supervisor (name, level, languages) may change on an agent."""

    display_name: DisplayName | None = None
    role: Role | None = None
    level: Level | None = None
    languages: Languages | None = None
    is_active: bool | None = None


class ProfileUpdate(_Patch):
    """Fields every agent may change on themselves."""

    display_name: DisplayName | None = None
    languages: Languages | None = None


class PasswordChange(BaseModel):
    """Change one's own password: the current one is required."""

    model_config = ConfigDict(extra="forbid")

    current_password: GivenPassword = Field(repr=False)
    new_password: NewPassword = Field(repr=False)


class PasswordReset(BaseModel):
    """An admin sets a new password for an agent."""

    model_config = ConfigDict(extra="forbid")

    new_password: NewPassword = Field(repr=False)


class AgentOut(BaseModel):
    """An agent as the API shows it (never the password hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    workspace_id: uuid.UUID
    email: str
    display_name: str
    role: Role
    level: Level
    languages: list[str]
    is_active: bool
    created_at: datetime


class TeamIn(BaseModel):
    """Fields to create a team."""

    model_config = ConfigDict(extra="forbid")

    name: TeamName
    kind: TeamKind = TeamKind.TIER
    description: Description = ""


class TeamUpdate(_Patch):
    """Editable fields of a team."""

    name: TeamName | None = None
    kind: TeamKind | None = None
    description: Description | None = None


class TeamOut(BaseModel):
    """A team."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    kind: TeamKind
    description: str
    created_at: datetime


class LoginIn(BaseModel):
    """Email and password, plus the workspace slug when the email exists in several workspaces."""

    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: GivenPassword = Field(repr=False)
    workspace: WorkspaceSlug | None = None
    totp_code: TotpCode | None = Field(default=None, repr=False, description="Code of the authenticator app")
    recovery_code: RecoveryCode | None = Field(default=None, repr=False, description="Instead of totp_code")


class SessionOut(BaseModel):
    """The authenticated caller, and for console sessions the CSRF token to send on unsafe requests."""

    principal: Principal
    agent: AgentOut
    workspace: WorkspaceOut
    csrf_token: str | None = None
    expires_at: datetime | None = None
    two_factor_setup_required: bool = False


class IssuedSession(BaseModel):
    """A new console session: the cookie secret goes only into the Set-Cookie header."""

    secret: str = Field(repr=False)
    session: SessionOut


class TokenIn(BaseModel):
    """A new API token: a label, and (admins only) the agent it acts as."""

    model_config = ConfigDict(extra="forbid")

    name: TokenName
    agent_id: uuid.UUID | None = None


class TokenOut(BaseModel):
    """An API token as listed: never the secret."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    agent_id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class IssuedToken(BaseModel):
    """A new API token: the secret is shown once, here, and never again."""

    id: uuid.UUID
    agent_id: uuid.UUID
    name: str
    token: str = Field(repr=False)
    prefix: str
    created_at: datetime


class TwoFactorStatus(BaseModel):
    """An agent's two-factor authentication."""

    enabled: bool
    enabled_at: datetime | None
    recovery_codes_left: int
    required: bool = Field(description="The workspace requires it for the agent's role")


class TwoFactorSetup(BaseModel):
    """A new TOTP secret (shown once): add it to an authenticator app, then confirm with a code."""

    secret: str = Field(repr=False)
    otpauth_uri: str = Field(repr=False)


class TwoFactorCode(BaseModel):
    """A current code of the authenticator app."""

    model_config = ConfigDict(extra="forbid")

    code: TotpCode = Field(repr=False)


class TwoFactorDisable(BaseModel):
    """Switching 2FA off needs the password and a current code."""

    model_config = ConfigDict(extra="forbid")

    password: GivenPassword = Field(repr=False)
    code: TotpCode = Field(repr=False)


class RecoveryCodes(BaseModel):
    """One-time recovery codes, shown once: each logs in once instead of an authenticator code."""

    recovery_codes: list[str] = Field(repr=False)


@dataclass(frozen=True)
class LoginLimits:
    """How many failed password checks are allowed, and how an account backs off."""

    per_address_per_minute: int = 10
    per_ip_per_minute: int = 30
    account_free_failures: int = 5
    account_max_backoff_seconds: int = 900

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginLimits:
        """The limits configured by KEFU_LOGIN_* settings."""
        return cls(
            per_address_per_minute=settings.login_attempts_per_minute,
            per_ip_per_minute=settings.login_ip_attempts_per_minute,
            account_free_failures=settings.login_account_free_failures,
            account_max_backoff_seconds=settings.login_account_max_backoff_seconds,
        )
