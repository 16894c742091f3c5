"""Webhook signatures: `Kefu-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.

Receivers verify with `verify_signature(secret, header, body)`; see docs/webhooks.md.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from kefu.core import clock

SECRET_PREFIX = "whsec_"
SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


def new_secret() -> str:
    """A fresh endpoint signing secret (256 random bits)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _as_bytes(body: bytes | str) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


def compute_signature(secret: str, timestamp: int, body: bytes | str) -> str:
    """Hex HMAC-SHA256 of `<timestamp>.<body>` keyed with the endpoint secret."""
    message = str(timestamp).encode("ascii") + b"." + _as_bytes(body)
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(signing_secrets: Iterable[str], timestamp: int, body: bytes | str) -> str:
    """The `Kefu-Signature` value; one `v1=` per secret (two while a rotated secret is in grace)."""
    parts = [f"t={timestamp}"]
    parts += [f"{SCHEME}={compute_signature(secret, timestamp, body)}" for secret in signing_secrets]
    return ",".join(parts)


def verify_signature(
    secret: str,
    header: str,
    body: bytes | str,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """True when `header` carries a `v1` signature of exactly `body` by `secret`, made recently.

    `body` must be the raw request body as received (not re-serialised JSON). Signatures older or
    newer than `tolerance_seconds` are rejected so that a captured request cannot be replayed later.
    """
    timestamp: int | None = None
    candidates: list[str] = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isascii() and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif key == SCHEME and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    if abs(clock.now().timestamp() - timestamp) > tolerance_seconds:
        return False
    expected = compute_signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected.encode(), c.encode("utf-8")) for c in candidates)
