"""Write path and reads of single sign-on: the workspace's provider, sign-ins in progress, agent mapping."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.accounts.enums import Role
from kefu.accounts.exceptions import InvalidCredentials
from kefu.accounts.schemas import AgentIn, IssuedSession
from kefu.audit.service import record
from kefu.core import clock
from kefu.core.errors import ValidationFailed
from kefu.core.secretbox import SecretBox
from kefu.db.backend import serial_writers
from kefu.db.outbox import publish
from kefu.outbound.client import OutboundPolicy, OutboundRefused
from kefu.sso.events import SsoLoggedIn, SsoProviderConfigured, SsoProviderRemoved
from kefu.sso.exceptions import SsoAgentRefused, SsoLoginFailed, SsoNotConfigured
from kefu.sso.models import AgentSsoIdentity, OidcLogin, OidcProvider
from kefu.sso.schemas import OidcProviderIn, OidcProviderOut

LOGIN_TTL = timedelta(minutes=10)
"""How long a started sign-in may take at the identity provider."""
CALLBACK_PATH = "/api/v1/auth/oidc/{slug}/callback"
LOGIN_PATH = "/api/v1/auth/oidc/{slug}/login"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def redirect_uri(base_url: str, slug: str) -> str:
    """The callback URL registered at the identity provider for this workspace."""
    return base_url.rstrip("/") + CALLBACK_PATH.format(slug=slug)


def _provider_row(session: Session, workspace_id: uuid.UUID) -> OidcProvider | None:
    return session.scalar(select(OidcProvider).where(OidcProvider.workspace_id == workspace_id))


def _out(session: Session, row: OidcProvider, base_url: str) -> OidcProviderOut:
    slug = accounts.get_workspace(session, workspace_id=row.workspace_id).slug
    return OidcProviderOut(
        id=row.id,
        issuer=row.issuer,
        client_id=row.client_id,
        client_secret_set=bool(row.client_secret),
        scopes=list(row.scopes),
        jit_provisioning=row.jit_provisioning,
        default_role=row.default_role,
        allowed_domains=list(row.allowed_domains),
        is_active=row.is_active,
        login_url=base_url.rstrip("/") + LOGIN_PATH.format(slug=slug),
        redirect_uri=redirect_uri(base_url, slug),
        updated_at=row.updated_at,
    )


def configure_oidc_provider(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    data: OidcProviderIn,
    box: SecretBox,
    policy: OutboundPolicy,
    actor_agent_id: uuid.UUID | None,
    base_url: str,
) -> OidcProviderOut:
    """Set the workspace's provider (its issuer must pass the outbound guard); the secret is stored sealed."""
    try:
        policy.check_url(data.issuer)
    except OutboundRefused as exc:
        raise ValidationFailed(
            f"this issuer may not be called: {exc.reason}",
            code="url_not_allowed",
            details={"field": "issuer", "reason": exc.reason},
        ) from None
    row = _provider_row(session, workspace_id)
    created = row is None
    if row is None:
        row = OidcProvider(workspace_id=workspace_id, client_secret="")
        session.add(row)
    row.issuer, row.client_id, row.scopes = data.issuer, data.client_id, list(data.scopes)
    row.jit_provisioning, row.default_role = data.jit_provisioning, data.default_role
    row.allowed_domains, row.is_active = sorted(set(data.allowed_domains)), data.is_active
    if data.client_secret is not None:
        row.client_secret = box.seal_text(data.client_secret) if data.client_secret else ""
    row.updated_at = clock.now()
    session.flush()
    publish(
        session,
        SsoProviderConfigured(
            workspace_id=workspace_id,
            provider_id=row.id,
            issuer=row.issuer,
            jit_provisioning=row.jit_provisioning,
            default_role=row.default_role,
            actor_agent_id=actor_agent_id,
        ),
    )
    record(session, workspace_id=workspace_id, action="sso.settings_changed",
           actor_kind=_actor_kind(actor_agent_id), actor_id=actor_agent_id, target_kind="sso_provider",
           target_id=row.id,
           details={"created": created, "issuer": row.issuer, "client_id": row.client_id,
                    "jit_provisioning": row.jit_provisioning, "default_role": str(row.default_role),
                    "allowed_domains": list(row.allowed_domains), "is_active": row.is_active,
                    "client_secret_changed": data.client_secret is not None})
    return _out(session, row, base_url)


def _actor_kind(actor_agent_id: uuid.UUID | None) -> str:
    return "agent" if actor_agent_id else "system"


def get_oidc_provider(session: Session, *, workspace_id: uuid.UUID, base_url: str) -> OidcProviderOut:
    """The workspace's provider, or SsoNotConfigured."""
    row = _provider_row(session, workspace_id)
    if row is None:
        raise SsoNotConfigured("no OpenID Connect provider is configured")
    return _out(session, row, base_url)


def delete_oidc_provider(
    session: Session, *, workspace_id: uuid.UUID, actor_agent_id: uuid.UUID | None
) -> None:
    """Remove the provider with its links to agents and sign-ins in progress (agents stay)."""
    row = _provider_row(session, workspace_id)
    if row is None:
        raise SsoNotConfigured("no OpenID Connect provider is configured")
    session.delete(row)
    session.flush()
    publish(
        session,
        SsoProviderRemoved(workspace_id=workspace_id, provider_id=row.id, actor_agent_id=actor_agent_id),
    )
    record(session, workspace_id=workspace_id, action="sso.provider_removed",
           actor_kind=_actor_kind(actor_agent_id), actor_id=actor_agent_id, target_kind="sso_provider",
           target_id=row.id, details={"issuer": row.issuer})


def reseal_secrets(session: Session, *, box: SecretBox) -> int:
    """Re-seal every provider's client secret under the current key (all workspaces); the count changed."""
    changed = 0
    for row in session.scalars(select(OidcProvider).order_by(OidcProvider.id)):
        if box.needs_resealing(row.client_secret):
            row.client_secret = box.reseal(row.client_secret)
            changed += 1
    session.flush()
    return changed


@dataclass(frozen=True)
class LoginProvider:
    """An active provider as a sign-in needs it, the client secret in clear (never logged)."""

    workspace_id: uuid.UUID
    slug: str
    provider_id: uuid.UUID
    issuer: str
    client_id: str
    client_secret: str
    scopes: list[str]


@dataclass(frozen=True)
class PendingLogin:
    """A sign-in the provider came back for: what to check the ID token against and where to go next."""

    nonce: str
    code_verifier: str
    redirect_uri: str
    next_path: str


def provider_for_login(session: Session, *, workspace_slug: str, box: SecretBox) -> LoginProvider:
    """The active provider of a workspace by slug, or SsoNotConfigured (also for an unknown workspace)."""
    workspace = accounts.get_workspace_by_slug(session, slug=workspace_slug)
    row = None if workspace is None else _provider_row(session, workspace.id)
    if workspace is None or row is None or not row.is_active:
        raise SsoNotConfigured("single sign-on is not configured for this workspace")
    secret = box.open_text(row.client_secret) if row.client_secret else ""
    return LoginProvider(
        workspace.id, workspace.slug, row.id, row.issuer, row.client_id, secret, list(row.scopes)
    )


def begin_login(
    session: Session,
    *,
    provider: LoginProvider,
    state: str,
    nonce: str,
    code_verifier: str,
    redirect_to: str,
    next_path: str,
    box: SecretBox,
) -> None:
    """Remember a started sign-in (only a digest of its state) and forget the workspace's expired ones."""
    now = clock.now()
    session.execute(
        delete(OidcLogin)
        .where(OidcLogin.workspace_id == provider.workspace_id, OidcLogin.expires_at < now)
        .execution_options(synchronize_session=False)
    )
    session.add(
        OidcLogin(
            workspace_id=provider.workspace_id,
            provider_id=provider.provider_id,
            state_hash=_digest(state),
            nonce=nonce,
            code_verifier=box.seal_text(code_verifier),
            redirect_uri=redirect_to,
            next_path=next_path,
            created_at=now,
            expires_at=now + LOGIN_TTL,
        )
    )
    session.flush()


def claim_login(session: Session, *, provider: LoginProvider, state: str, box: SecretBox) -> PendingLogin:
    """Use up a started sign-in by its state: once only, before it expires, for this workspace's provider."""
    query = select(OidcLogin).where(OidcLogin.state_hash == _digest(state))
    if not serial_writers(session):
        query = query.with_for_update()
    row = session.scalar(query)
    now = clock.now()
    if row is None or row.provider_id != provider.provider_id:
        raise SsoLoginFailed("this sign-in is unknown; start again")
    if row.used_at is not None:
        raise SsoLoginFailed("this sign-in was already used; start again")
    if row.expires_at <= now:
        raise SsoLoginFailed("this sign-in took too long; start again")
    row.used_at = now
    session.flush()
    return PendingLogin(row.nonce, box.open_text(row.code_verifier), row.redirect_uri, row.next_path)


def _email_of(claims: dict[str, Any]) -> str | None:
    """The verified email of the claims (lower case), or None."""
    email = claims.get("email")
    if isinstance(email, str) and "@" in email and claims.get("email_verified") is True:
        return email.strip().lower()
    return None


def sign_in_agent(
    session: Session, *, provider: LoginProvider, claims: dict[str, Any], max_age_seconds: int
) -> IssuedSession:
    """Open a console session for the agent the verified claims name.

    The provider's subject finds a linked agent; otherwise a verified email finds an agent of
    the workspace and links it; otherwise, with just-in-time provisioning on, a new agent with
    the default role is created. A domain list, when set, must contain the email's domain.
    """
    row = session.get(OidcProvider, provider.provider_id)
    if row is None or not row.is_active:
        raise SsoNotConfigured("single sign-on is not configured for this workspace")
    subject: str = claims["sub"]
    email = _email_of(claims)
    if row.allowed_domains and (email is None or email.rsplit("@", 1)[1] not in row.allowed_domains):
        raise SsoAgentRefused("this account's email domain may not sign in to the workspace")
    now = clock.now()
    link = session.scalar(
        select(AgentSsoIdentity).where(
            AgentSsoIdentity.provider_id == row.id, AgentSsoIdentity.subject == subject
        )
    )
    linked = provisioned = False
    if link is not None:
        agent_id = link.agent_id
    else:
        agent = (
            None
            if email is None
            else accounts.find_agent_by_email(session, workspace_id=row.workspace_id, email=email)
        )
        if agent is None and (not row.jit_provisioning or email is None):
            raise SsoAgentRefused("no agent of this workspace matches this account")
        if agent is None:
            assert email is not None
            name = claims.get("name") if isinstance(claims.get("name"), str) else None
            agent = accounts.create_agent(
                session,
                workspace_id=row.workspace_id,
                data=AgentIn(
                    email=email,
                    display_name=(name or email.split("@", 1)[0])[:200],
                    role=Role(row.default_role),
                ),
            )
            provisioned = True
        agent_id, linked = agent.id, True
        link = AgentSsoIdentity(
            workspace_id=row.workspace_id,
            agent_id=agent_id,
            provider_id=row.id,
            subject=subject,
            created_at=now,
            last_login_at=now,
        )
        session.add(link)
    link.last_login_at = now
    try:
        issued = accounts.open_session(
            session, workspace_id=row.workspace_id, agent_id=agent_id, max_age_seconds=max_age_seconds
        )
    except InvalidCredentials:
        raise SsoAgentRefused("the agent for this account is not active") from None
    publish(
        session,
        SsoLoggedIn(
            workspace_id=row.workspace_id,
            agent_id=agent_id,
            provider_id=row.id,
            linked=linked,
            provisioned=provisioned,
        ),
    )
    record(session, workspace_id=row.workspace_id, action="sso.login_succeeded", actor_id=agent_id,
           target_kind="agent", target_id=agent_id,
           details={"method": "oidc", "provider_id": str(row.id), "linked": linked,
                    "provisioned": provisioned})
    return issued
