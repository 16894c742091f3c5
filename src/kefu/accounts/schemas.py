"""Public shapes of the accounts domain."""

from __future__ import annotations

import uuid
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
    str, StringConstraints(min_length=8, max_length=200), AfterValidator(secret_text)
]
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


class WorkspaceOut(BaseModel):
    """A workspace."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    slug: str
    default_language: str
    timezone: str
    created_at: datetime


class WorkspaceUpdate(_Patch):
    """Editable settings of a workspace."""

    name: WorkspaceName | None = None
    default_language: LanguageCode | None = None
    timezone: TimeZoneName | None = None


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


class SessionOut(BaseModel):
    """The authenticated caller, and for console sessions the CSRF token to send on unsafe requests."""

    principal: Principal
    agent: AgentOut
    workspace: WorkspaceOut
    csrf_token: str | None = None
    expires_at: datetime | None = None


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
