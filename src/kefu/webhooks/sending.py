"""One signed HTTP POST of a delivery body; the answer read up to a bound (never for private targets)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from kefu import __version__
from kefu.core import clock
from kefu.outbound.client import resolution_of
from kefu.webhooks.signing import signature_header

MAX_SNIPPET_BYTES = 2048
MAX_SNIPPET_CHARS = 1000
MAX_ERROR_CHARS = 500


@dataclass(frozen=True)
class DeliveryRequest:
    """What a claimed delivery sends: where, which body, signed with which secrets."""

    delivery_id: uuid.UUID
    url: str
    event_type: str
    body: bytes = field(repr=False)
    signing_secrets: tuple[str, ...] = field(repr=False)


@dataclass(frozen=True)
class AttemptOutcome:
    """The result of one attempt: a status code and answer snippet, or a network error."""

    attempted_at: datetime
    duration_ms: int
    status_code: int | None
    response_snippet: str
    error: str | None

    @property
    def succeeded(self) -> bool:
        """A 2xx answer; anything else (redirects included) is retried."""
        return self.status_code is not None and 200 <= self.status_code < 300


def clean_text(text: str, limit: int) -> str:
    """Text safe for any database column: no NUL characters, at most `limit` characters."""
    return text.replace("\x00", "\ufffd")[:limit]


def build_headers(request: DeliveryRequest, timestamp: int) -> dict[str, str]:
    """Content type, identification and the `Kefu-Signature` of the body at `timestamp`."""
    return {
        "Content-Type": "application/json",
        "User-Agent": f"Kefu-Webhooks/{__version__}",
        "Kefu-Event": request.event_type,
        "Kefu-Delivery": str(request.delivery_id),
        "Kefu-Signature": signature_header(request.signing_secrets, timestamp, request.body),
    }


def send(client: httpx.Client, request: DeliveryRequest) -> AttemptOutcome:
    """POST the body once; never raises for anything the receiver or the network does."""
    attempted_at = clock.now()
    headers = build_headers(request, int(attempted_at.timestamp()))
    started = time.perf_counter()
    status_code: int | None = None
    snippet = ""
    error: str | None = None
    try:
        with client.stream("POST", request.url, content=request.body, headers=headers) as response:
            status_code = response.status_code
            resolution = resolution_of(response)
            if resolution is not None and not resolution.private:
                snippet = _read_bounded(response)  # a private network's answers are never kept
    except httpx.TimeoutException:
        error = "timeout"
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        error = f"{type(exc).__name__}: {exc}"
    duration_ms = round((time.perf_counter() - started) * 1000)
    if status_code is not None and not 200 <= status_code < 300:
        error = f"HTTP {status_code}"
    return AttemptOutcome(
        attempted_at=attempted_at,
        duration_ms=duration_ms,
        status_code=status_code,
        response_snippet=clean_text(snippet, MAX_SNIPPET_CHARS),
        error=None if error is None else clean_text(error, MAX_ERROR_CHARS),
    )


def _read_bounded(response: httpx.Response) -> str:
    """The start of the answer body, decoded leniently; the rest is never read, read errors ignored."""
    collected = bytearray()
    try:
        for chunk in response.iter_bytes():
            collected += chunk
            if len(collected) >= MAX_SNIPPET_BYTES:
                break
    except httpx.HTTPError:
        pass
    return bytes(collected[:MAX_SNIPPET_BYTES]).decode("utf-8", errors="replace")
