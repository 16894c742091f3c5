"""Errors of single sign-on a client (or its identity provider) can cause."""

from __future__ import annotations

from kefu.core.errors import Forbidden, KefuError, NotFound, Unauthorized


class SsoNotConfigured(NotFound):
    """The workspace has no active OpenID Connect provider (or does not exist)."""

    code = "sso_not_configured"


class SsoLoginFailed(Unauthorized):
    """The sign-in could not be proven: unknown or used state, bad token, wrong nonce or signature."""

    code = "sso_failed"


class SsoAgentRefused(Forbidden):
    """The identity is proven but may not enter this workspace (no agent, inactive, domain not allowed)."""

    code = "sso_agent_refused"


class SsoProviderUnavailable(KefuError):
    """The identity provider did not answer, or answered something that is not OpenID Connect."""

    status_code = 502
    code = "sso_provider_unavailable"
