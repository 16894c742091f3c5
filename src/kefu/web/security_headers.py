"""ASGI middleware adding security headers: the console's CSP to pages, a deny-all CSP to the API."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
API_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
"""JSON answers load nothing and may not be framed; a browser opening one runs nothing."""
DOCS_PATHS = ("/api/docs",)
"""The API documentation page: a page like the console's (its Swagger UI is served from /static)."""

_COMMON: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    *_COMMON,
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
API_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", API_CONTENT_SECURITY_POLICY.encode()),
    *_COMMON,
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
WIDGET_PATHS = ("/widget/",)
"""The chat widget's pages and socket set their own headers (other sites frame them: `frame-ancestors`
from the inbox's allowed origins)."""


class SecurityHeaders:
    """Add CSP, nosniff, frame and referrer headers to every response; API answers are also not cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass through, adding the headers as the response starts."""
        if scope["type"] != "http" or scope["path"].startswith(WIDGET_PATHS):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        api = path.startswith("/api/") and not path.startswith(DOCS_PATHS)
        added = API_HEADERS if api else HEADERS

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if api and not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = [*headers, *added]
            await send(message)

        await self.app(scope, receive, with_headers)
