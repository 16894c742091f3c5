"""The sign-in flow: short units of work around the calls to the identity provider, never inside one.

Like a job, the flow commits its own transactions: reading the provider, remembering the
sign-in, using up its state and opening the session each take one, and the HTTP calls to the
provider (discovery, token exchange, JWKS) happen between them, so no database lock or SQLite
write gate is held while a remote server answers.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import httpx
from sqlalchemy.orm import Session, sessionmaker

from kefu.accounts.schemas import IssuedSession
from kefu.core import clock
from kefu.core.secretbox import SecretBox
from kefu.outbound.client import OutboundPolicy, guarded_client
from kefu.sso import oidc, service
from kefu.sso.exceptions import SsoLoginFailed

TIMEOUT_SECONDS = 10.0
MAX_CODE_LENGTH = 2048


def safe_next_path(next_path: str | None) -> str:
    """A local path to land on after signing in (anything else, e.g. another site, becomes `/`)."""
    if (
        not next_path
        or not next_path.startswith("/")
        or next_path.startswith("//")
        or "\\" in next_path
        or len(next_path) > 2048
        or any(ord(c) < 0x21 for c in next_path)
    ):
        return "/"
    return next_path


@dataclass
class SignInFlow:
    """The OpenID Connect sign-in of one process: its sessions, keyring and guarded outbound client."""

    session_factory: sessionmaker[Session]
    box: SecretBox
    policy: OutboundPolicy
    transport: httpx.BaseTransport | None
    max_age_seconds: int

    def _client(self) -> httpx.Client:
        return guarded_client(self.policy, timeout_seconds=TIMEOUT_SECONDS, transport=self.transport)

    def _provider(self, workspace_slug: str) -> service.LoginProvider:
        with self.session_factory() as session:
            return service.provider_for_login(session, workspace_slug=workspace_slug, box=self.box)

    def start(self, *, workspace_slug: str, base_url: str, next_path: str | None) -> tuple[str, str]:
        """Begin a sign-in; returns the provider's URL to send the browser to, and the state.

        The caller binds the state to the browser (a cookie), so a callback opened in another
        browser (login CSRF: the victim signed in as the attacker) is refused.
        """
        provider = self._provider(workspace_slug)
        with self._client() as client:
            discovery = oidc.fetch_discovery(client, provider.issuer)
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        verifier, challenge = oidc.pkce_pair()
        callback = service.redirect_uri(base_url, provider.slug)
        with self.session_factory() as session:
            service.begin_login(
                session,
                provider=provider,
                state=state,
                nonce=nonce,
                code_verifier=verifier,
                redirect_to=callback,
                next_path=safe_next_path(next_path),
                box=self.box,
            )
            session.commit()
        url = oidc.authorization_url(
            discovery,
            client_id=provider.client_id,
            redirect_uri=callback,
            scopes=provider.scopes,
            state=state,
            nonce=nonce,
            code_challenge=challenge,
        )
        return url, state

    def finish(
        self,
        *,
        workspace_slug: str,
        code: str | None,
        state: str | None,
        error: str | None,
        browser_state: str | None,
    ) -> tuple[IssuedSession, str]:
        """Complete a sign-in from the provider's redirect; the new session and where to go next.

        `browser_state` is the state the browser kept from `start`; it must be this one.
        """
        provider = self._provider(workspace_slug)
        if not state or len(state) > 200:
            raise SsoLoginFailed("the identity provider's answer has no state")
        if not browser_state or not secrets.compare_digest(browser_state.encode(), state.encode()):
            raise SsoLoginFailed("this sign-in was not started in this browser; start again")
        with self.session_factory() as session:  # the state is used up even if what follows fails
            pending = service.claim_login(session, provider=provider, state=state, box=self.box)
            session.commit()
        if error:
            raise SsoLoginFailed(
                "the identity provider did not sign the user in", details={"error": error[:100]}
            )
        if not code or len(code) > MAX_CODE_LENGTH:
            raise SsoLoginFailed("the identity provider's answer has no code")
        with self._client() as client:
            discovery = oidc.fetch_discovery(client, provider.issuer)
            token = oidc.exchange_code(
                client,
                discovery,
                client_id=provider.client_id,
                client_secret=provider.client_secret,
                code=code,
                redirect_uri=pending.redirect_uri,
                code_verifier=pending.code_verifier,
            )
            keys = oidc.fetch_keys(client, discovery)
        claims = oidc.verify_id_token(
            token,
            keys,
            issuer=provider.issuer,
            client_id=provider.client_id,
            nonce=pending.nonce,
            now=clock.now(),
        )
        with self.session_factory() as session:
            issued = service.sign_in_agent(
                session, provider=provider, claims=claims, max_age_seconds=self.max_age_seconds
            )
            session.commit()
        return issued, pending.next_path
