"""The OpenID Connect relying party: discovery, PKCE, the code exchange and ID token verification.

Every call goes through the caller's guarded httpx client. The ID token is accepted only when
its signature verifies against a key of the provider's JWKS (asymmetric algorithms only: a
token signed with `none` or an HMAC is refused), its issuer and audience are ours, it has not
expired, and its nonce is the one this sign-in sent.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from kefu.sso.exceptions import SsoLoginFailed, SsoProviderUnavailable

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
LEEWAY_SECONDS = 120
MAX_ANSWER_BYTES = 512 * 1024


@dataclass(frozen=True)
class Discovery:
    """What the provider's discovery document says about where to send the user and the code."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    token_auth_methods: tuple[str, ...]


def _json(response: httpx.Response, what: str) -> dict[str, Any]:
    if response.status_code != 200 or len(response.content) > MAX_ANSWER_BYTES:
        raise SsoProviderUnavailable(f"the identity provider's {what} answered {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        raise SsoProviderUnavailable(f"the identity provider's {what} is not JSON") from None
    if not isinstance(body, dict):
        raise SsoProviderUnavailable(f"the identity provider's {what} is not a JSON object")
    return body


def _get(client: httpx.Client, url: str, what: str) -> dict[str, Any]:
    try:
        return _json(client.get(url, headers={"Accept": "application/json"}), what)
    except httpx.HTTPError as exc:
        raise SsoProviderUnavailable(
            f"the identity provider's {what} cannot be reached: {type(exc).__name__}"
        ) from None


def fetch_discovery(client: httpx.Client, issuer: str) -> Discovery:
    """Read `<issuer>/.well-known/openid-configuration`; its `issuer` must be exactly the configured one."""
    doc = _get(client, f"{issuer}/.well-known/openid-configuration", "discovery document")
    if doc.get("issuer") != issuer:
        raise SsoProviderUnavailable("the discovery document names another issuer")
    endpoints = {}
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = doc.get(name)
        if not isinstance(value, str) or not value.startswith(("https://", "http://")):
            raise SsoProviderUnavailable(f"the discovery document has no usable {name}")
        endpoints[name] = value
    methods = doc.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    return Discovery(
        issuer=issuer,
        token_auth_methods=tuple(str(m) for m in methods),
        **endpoints,
    )


def pkce_pair() -> tuple[str, str]:
    """A fresh PKCE code verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(48)
    return verifier, s256(verifier)


def s256(verifier: str) -> str:
    """The S256 code challenge of a verifier."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorization_url(
    discovery: Discovery,
    *,
    client_id: str,
    redirect_uri: str,
    scopes: list[str],
    state: str,
    nonce: str,
    code_challenge: str,
) -> str:
    """Where to send the browser: the provider's sign-in page for this request."""
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(scopes),
            "state": state,
            "nonce": nonce,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
    )
    separator = "&" if "?" in discovery.authorization_endpoint else "?"
    return f"{discovery.authorization_endpoint}{separator}{query}"


def exchange_code(
    client: httpx.Client,
    discovery: Discovery,
    *,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    code_verifier: str,
) -> str:
    """Trade the authorization code (with the PKCE verifier) for the ID token."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
        "client_id": client_id,
    }
    auth: httpx.BasicAuth | None = None
    if client_secret:
        if "client_secret_basic" in discovery.token_auth_methods:
            auth = httpx.BasicAuth(client_id, client_secret)
        else:
            form["client_secret"] = client_secret
    try:
        response = client.post(
            discovery.token_endpoint,
            data=form,
            auth=auth or httpx.USE_CLIENT_DEFAULT,
            headers={"Accept": "application/json"},
        )
    except httpx.HTTPError as exc:
        raise SsoProviderUnavailable(f"the token endpoint cannot be reached: {type(exc).__name__}") from None
    if response.status_code in (400, 401):
        raise SsoLoginFailed("the identity provider refused the authorization code")
    body = _json(response, "token endpoint")
    token = body.get("id_token")
    if not isinstance(token, str) or not token:
        raise SsoProviderUnavailable("the token endpoint returned no id_token")
    return token


def fetch_keys(client: httpx.Client, discovery: Discovery) -> KeySet:
    """The provider's signing keys (JWKS)."""
    doc = _get(client, discovery.jwks_uri, "JWKS")
    try:
        return KeySet.import_key_set(doc)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError):
        raise SsoProviderUnavailable("the identity provider's JWKS cannot be read") from None


def verify_id_token(
    token: str, keys: KeySet, *, issuer: str, client_id: str, nonce: str, now: datetime
) -> dict[str, Any]:
    """The ID token's claims once signature, issuer, audience, expiry and nonce are checked."""
    try:
        decoded = jwt.decode(token, keys, algorithms=ALGORITHMS)
    except (JoseError, ValueError, TypeError, KeyError):
        raise SsoLoginFailed("the ID token's signature does not verify") from None
    claims = dict(decoded.claims)
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    moment = now.timestamp()
    problems = [
        ("iss", claims.get("iss") != issuer),
        ("aud", client_id not in audiences or (len(audiences) > 1 and claims.get("azp") != client_id)),
        ("exp", not isinstance(claims.get("exp"), int | float) or claims["exp"] < moment - LEEWAY_SECONDS),
        ("iat", not isinstance(claims.get("iat"), int | float) or claims["iat"] > moment + LEEWAY_SECONDS),
        (
            "nonce",
            not isinstance(claims.get("nonce"), str) or not secrets.compare_digest(claims["nonce"], nonce),
        ),
        ("sub", not isinstance(claims.get("sub"), str) or not claims["sub"] or len(claims["sub"]) > 255),
    ]
    wrong = [name for name, bad in problems if bad]
    if wrong:
        raise SsoLoginFailed("the ID token is not valid for this sign-in", details={"claims": wrong})
    return claims
