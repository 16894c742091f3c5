"""Request and response shapes of single sign-on."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from kefu.accounts.enums import Role

Scope = Annotated[str, StringConstraints(pattern=r"^[\x21\x23-\x5b\x5d-\x7e]{1,64}$")]
Domain = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.-]{1,253}$", to_lower=True)]


class OidcProviderIn(BaseModel):
    """The OpenID Connect provider of the workspace (PUT replaces it; no `client_secret` keeps the old)."""

    model_config = ConfigDict(extra="forbid")

    issuer: str = Field(
        min_length=8, max_length=2048, description="e.g. https://login.example.com/realms/acme"
    )
    client_id: str = Field(min_length=1, max_length=255)
    client_secret: str | None = Field(default=None, max_length=2048, repr=False)
    scopes: list[Scope] = Field(default_factory=lambda: ["openid", "email", "profile"], max_length=20)
    jit_provisioning: bool = False
    default_role: Role = Role.AGENT
    allowed_domains: list[Domain] = Field(default_factory=list, max_length=50)
    is_active: bool = True

    @field_validator("issuer")
    @classmethod
    def _http_issuer(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("the issuer is an http(s) URL")
        return value.rstrip("/")

    @field_validator("scopes")
    @classmethod
    def _with_openid(cls, value: list[str]) -> list[str]:
        return value if "openid" in value else ["openid", *value]

    @field_validator("default_role")
    @classmethod
    def _not_admin(cls, value: Role) -> Role:
        if value == Role.ADMIN:
            raise ValueError("agents created at sign-in cannot be admins; promote them afterwards")
        return value


class OidcProviderOut(BaseModel):
    """The configured provider; the client secret is never shown, only whether one is set."""

    id: uuid.UUID
    issuer: str
    client_id: str
    client_secret_set: bool
    scopes: list[str]
    jit_provisioning: bool
    default_role: Role
    allowed_domains: list[str]
    is_active: bool
    login_url: str
    redirect_uri: str
    updated_at: datetime
