"""A small OpenID Connect identity provider on a loopback port, for end-to-end sign-in tests.

It serves discovery, JWKS, an authorization endpoint that signs the chosen user in at once, and
a token endpoint that checks the client's secret, the one-time code, the redirect URI and the
PKCE verifier before it issues an RS256 ID token. Knobs let a test make it misbehave.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import RSAKey

from kefu.core import clock

CLIENT_ID = "kefu-console"
CLIENT_SECRET = "s3cret-of-the-client"


@functools.cache
def _keys() -> tuple[RSAKey, RSAKey]:
    """The provider's signing key and a stray one with the same key id (made once per test run)."""
    return (
        RSAKey.generate_key(2048, parameters={"kid": "idp-1"}),
        RSAKey.generate_key(2048, parameters={"kid": "idp-1"}),
    )


@dataclass
class FakeIdp:
    """The provider's state: users, issued codes and what a test wants it to get wrong."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    current: str = ""
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_claims: dict[str, Any] = field(default_factory=dict)
    """Claims overriding the honest ones in the next ID tokens (a wrong nonce, audience ...)."""
    sign_with_unknown_key: bool = False
    pkce_checked: int = 0
    base_url: str = ""

    def __post_init__(self) -> None:
        self.key, self.stray_key = _keys()

    def add_user(self, sub: str, email: str, *, verified: bool = True, name: str = "Sam Lee") -> None:
        """A user who can sign in; `current` is the one the next authorization signs in."""
        self.users[sub] = {"sub": sub, "email": email, "email_verified": verified, "name": name}
        self.current = sub

    def discovery(self) -> dict[str, Any]:
        """The discovery document."""
        return {
            "issuer": self.base_url,
            "authorization_endpoint": f"{self.base_url}/authorize",
            "token_endpoint": f"{self.base_url}/token",
            "jwks_uri": f"{self.base_url}/jwks",
            "response_types_supported": ["code"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }

    def authorize(self, query: dict[str, str]) -> tuple[int, str]:
        """Sign the current user in: a redirect back with a one-time code, or an error status."""
        if query.get("response_type") != "code" or query.get("client_id") != CLIENT_ID:
            return 400, ""
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return 400, ""
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "redirect_uri": query["redirect_uri"],
            "challenge": query["code_challenge"],
            "nonce": query.get("nonce"),
            "sub": self.current,
        }
        back = urlencode({"code": code, "state": query.get("state", "")})
        return 302, f"{query['redirect_uri']}?{back}"

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        """The code exchange: client secret (basic auth), code once, redirect URI and PKCE checked."""
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if authorization != expected:
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("grant_type") != "authorization_code":
            return 400, {"error": "invalid_grant"}
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant"}
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        self.pkce_checked += 1
        now = int(clock.now().timestamp())
        claims = {
            **self.users[grant["sub"]],
            "iss": self.base_url,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            **self.token_claims,
        }
        key = self.stray_key if self.sign_with_unknown_key else self.key
        id_token = jwt.encode({"alg": "RS256", "kid": "idp-1"}, claims, key)
        return 200, {"access_token": "at", "token_type": "Bearer", "id_token": id_token}


def serve(idp: FakeIdp) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """Start the provider on 127.0.0.1 at a free port; its `base_url` is set."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

        def _answer(
            self, status: int, body: dict[str, Any] | None = None, location: str | None = None
        ) -> None:
            payload = json.dumps(body or {}).encode()
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            """Discovery, JWKS and the authorization endpoint."""
            url = urlparse(self.path)
            if url.path == "/.well-known/openid-configuration":
                self._answer(200, idp.discovery())
            elif url.path == "/jwks":
                self._answer(200, {"keys": [idp.key.as_dict(private=False)]})
            elif url.path == "/authorize":
                status, location = idp.authorize({k: v[0] for k, v in parse_qs(url.query).items()})
                self._answer(status, location=location or None)
            else:
                self._answer(404)

        def do_POST(self) -> None:
            """The token endpoint."""
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlparse(self.path).path != "/token":
                self._answer(404)
                return
            status, body = idp.token(form, self.headers.get("Authorization", ""))
            self._answer(status, body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    idp.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="fake-idp", daemon=True)
    thread.start()
    return server, thread
