"""Encryption of stored secrets (provider tokens, passwords) with a key derived from the server's."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

_CONTEXT = b"kefu.secretbox.v1:"


class SecretBoxError(Exception):
    """A stored secret cannot be decrypted (wrong key or damaged value)."""


class SecretBox:
    """Fernet (AES-128-CBC + HMAC-SHA256) over JSON values, keyed by a digest of the server key."""

    def __init__(self, server_key: str) -> None:
        digest = hashlib.sha256(_CONTEXT + server_key.encode("utf-8")).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, value: dict[str, Any]) -> str:
        """The encrypted token of a JSON object."""
        plain = json.dumps(value, separators=(",", ":"), sort_keys=True).encode("utf-8")
        return self._fernet.encrypt(plain).decode("ascii")

    def open(self, token: str) -> dict[str, Any]:
        """The JSON object sealed in a token; SecretBoxError when the key does not fit."""
        if not token:
            return {}
        try:
            value = json.loads(self._fernet.decrypt(token.encode("ascii")))
        except (InvalidToken, ValueError) as exc:
            raise SecretBoxError("stored secret cannot be decrypted with this server key") from exc
        if not isinstance(value, dict):
            raise SecretBoxError("stored secret is not an object")
        return value
