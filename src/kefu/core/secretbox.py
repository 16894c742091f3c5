"""Encryption of stored secrets (provider tokens, signing secrets, SSO client secrets) under a keyring.

A sealed value is `kefu1:<key id>:<Fernet token>`. The first key of the keyring seals; every key
opens, so after a new key is put first the old values stay readable until `kefu secrets rotate`
re-seals them. Values sealed before key ids existed (a bare Fernet token under the server key)
open with any key of the ring, and `rotate` re-seals them too.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

_CONTEXT = b"kefu.secretbox.v1:"
SEALED_PREFIX = "kefu1:"
DEFAULT_KEY_ID = "k0"
"""Id of the key derived from `KEFU_SECRET_KEY` (or the data dir's `secret.key`) when no keyring is set."""


class SecretBoxError(Exception):
    """A stored secret cannot be decrypted (wrong key or damaged value)."""


def parse_keyring(spec: str) -> list[tuple[str, str]]:
    """`id:material,id:material` (newest first) as pairs; ValueError on an empty or repeated id."""
    keys: list[tuple[str, str]] = []
    for part in spec.split(","):
        key_id, sep, material = part.strip().partition(":")
        if not sep or not key_id or not material or not key_id.isalnum():
            raise ValueError("each keyring entry is <alphanumeric id>:<key material>")
        if any(key_id == known for known, _ in keys):
            raise ValueError(f"key id {key_id} appears twice in the keyring")
        keys.append((key_id, material))
    return keys


def new_key_material() -> str:
    """Fresh key material for a keyring entry (384 random bits)."""
    return secrets.token_urlsafe(48)


def _fernet(material: str) -> Fernet:
    digest = hashlib.sha256(_CONTEXT + material.encode("utf-8")).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class SecretBox:
    """Fernet (AES-128-CBC + HMAC-SHA256) over JSON values and strings, under a keyring with key ids."""

    def __init__(self, keys: str | Sequence[tuple[str, str]]) -> None:
        ring = [(DEFAULT_KEY_ID, keys)] if isinstance(keys, str) else list(keys)
        if not ring:
            raise ValueError("a keyring needs at least one key")
        self.current_key_id = ring[0][0]
        self._keys = {key_id: _fernet(material) for key_id, material in ring}

    @property
    def key_ids(self) -> list[str]:
        """The ids of the keys this box opens with, the sealing one first."""
        return list(self._keys)

    def seal_text(self, plain: str) -> str:
        """A string sealed under the current key."""
        token = self._keys[self.current_key_id].encrypt(plain.encode("utf-8")).decode("ascii")
        return f"{SEALED_PREFIX}{self.current_key_id}:{token}"

    def open_text(self, sealed: str) -> str:
        """The string in a sealed value; SecretBoxError when no key of the ring opens it."""
        key_id, token = self._split(sealed)
        candidates = [self._keys[key_id]] if key_id is not None else list(self._keys.values())
        for fernet in candidates:
            try:
                return fernet.decrypt(token.encode("ascii")).decode("utf-8")
            except (InvalidToken, ValueError):
                continue
        raise SecretBoxError("stored secret cannot be decrypted with this server's keys")

    def seal(self, value: dict[str, Any]) -> str:
        """The sealed form of a JSON object."""
        return self.seal_text(json.dumps(value, separators=(",", ":"), sort_keys=True))

    def open(self, token: str) -> dict[str, Any]:
        """The JSON object sealed in a value (empty for an empty value); SecretBoxError when it cannot."""
        if not token:
            return {}
        try:
            value = json.loads(self.open_text(token))
        except ValueError as exc:
            raise SecretBoxError("stored secret is not JSON") from exc
        if not isinstance(value, dict):
            raise SecretBoxError("stored secret is not an object")
        return value

    def key_id_of(self, sealed: str) -> str | None:
        """The key id a value names (None for a value sealed before key ids existed)."""
        return self._split(sealed)[0] if sealed.startswith(SEALED_PREFIX) else None

    def needs_resealing(self, sealed: str) -> bool:
        """True when a non-empty value is not sealed under the current key."""
        return bool(sealed) and self.key_id_of(sealed) != self.current_key_id

    def reseal(self, sealed: str) -> str:
        """The same secret sealed under the current key."""
        return self.seal_text(self.open_text(sealed))

    def _split(self, sealed: str) -> tuple[str | None, str]:
        if not sealed.startswith(SEALED_PREFIX):
            return None, sealed
        key_id, sep, token = sealed[len(SEALED_PREFIX):].partition(":")
        if not sep:
            raise SecretBoxError("stored secret is damaged")
        if key_id not in self._keys:
            raise SecretBoxError(f"stored secret needs key {key_id}, which this server does not have")
        return key_id, token
