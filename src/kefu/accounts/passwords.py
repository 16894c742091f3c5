"""Password hashing with Argon2id (checks cost the same whether or not the account exists) and policy."""

from __future__ import annotations

import functools
import gzip
import secrets
import unicodedata
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """Argon2id hash of a password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against its hash; without a hash, spend the same time and say no."""
    if not password_hash:
        _verify(_dummy_hash(), password)
        return False
    return _verify(password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than the current ones."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


MIN_LENGTH = 10
COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt.gz"
"""19,640 common and breached passwords, lowercased (see data/NOTICE.md)."""


def password_problems(password: str, *, email: str, display_name: str = "") -> list[tuple[str, str]]:
    """The rules a new password breaks, as (error code, explanation); empty when it is acceptable.

    At least 10 characters that are not invisible formatting marks, not only whitespace, not the
    account's email, its local part or the agent's name, and not in the bundled common list.
    """
    visible = "".join(ch for ch in password if unicodedata.category(ch) != "Cf")
    folded = _folded(password)
    problems = []
    if not folded:
        problems.append(("password_blank", "it may not consist only of spaces or invisible characters"))
    if len(visible) < MIN_LENGTH:
        problems.append(("password_too_short", f"use at least {MIN_LENGTH} characters"))
    account = {_folded(email), _folded(email.partition("@")[0]), _folded(display_name)} - {""}
    if folded in account:
        problems.append(("password_like_account", "it may not be your email address or your name"))
    if folded and folded in _common_passwords():
        problems.append(("password_too_common", "it is one of the most common passwords; choose another"))
    return problems


def _folded(text: str) -> str:
    """Case-folded NFKC text without whitespace and invisible formatting characters."""
    normal = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in normal if not ch.isspace() and unicodedata.category(ch) != "Cf")


@functools.cache
def _common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())
