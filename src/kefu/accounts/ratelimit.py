"""Failed-password limiter kept in the database, so every web process sees the same counts."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kefu.accounts.exceptions import TooManyAttempts
from kefu.accounts.models import LoginFailure
from kefu.core import clock

WINDOW = timedelta(minutes=1)


def attempt_key(email: str, client_ip: str) -> str:
    """Digest of (email, client IP): the unit that is limited; no email is stored in clear."""
    return hashlib.sha256(f"{email.strip().lower()}\x00{client_ip}".encode()).hexdigest()


def check_attempts(session: Session, *, key: str, limit: int) -> None:
    """Raise TooManyAttempts when `limit` failures of this key fall within the last minute."""
    limit = max(limit, 1)
    now = clock.now()
    recent = list(
        session.scalars(
            select(LoginFailure.attempted_at)
            .where(LoginFailure.key_hash == key, LoginFailure.attempted_at > now - WINDOW)
            .order_by(LoginFailure.attempted_at.desc())
            .limit(limit)
        )
    )
    if len(recent) >= limit:
        raise TooManyAttempts((clock.as_utc(recent[-1]) + WINDOW - now).total_seconds())


def record_failure(session: Session, *, key: str) -> None:
    """Count one failed attempt and forget this key's attempts older than the window."""
    now = clock.now()
    session.execute(
        delete(LoginFailure).where(
            LoginFailure.key_hash == key, LoginFailure.attempted_at <= now - WINDOW
        )
    )
    session.add(LoginFailure(key_hash=key, attempted_at=now))
    session.flush()


def clear_failures(session: Session, *, key: str) -> None:
    """Forget the failures of a key after a successful password check."""
    session.execute(delete(LoginFailure).where(LoginFailure.key_hash == key))


def purge_failures(session: Session) -> int:
    """Delete every failure older than the window; returns how many."""
    result = session.execute(
        delete(LoginFailure).where(LoginFailure.attempted_at <= clock.now() - WINDOW)
    )
    return int(getattr(result, "rowcount", 0) or 0)
