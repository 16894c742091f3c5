"""Failed-password limiter kept in the database, so every web process sees the same counts.

Three keys are counted for each failed check: the (email, client IP) pair, the account alone
(every IP: rotating addresses does not help) and the client IP alone (every email: password
spraying). The pair and the IP have a per-minute limit; the account gets exponential backoff
after a few free failures. Keys are SHA-256 digests; no email or IP is stored in clear.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kefu.accounts.exceptions import TooManyAttempts
from kefu.accounts.models import LoginFailure
from kefu.accounts.schemas import LoginLimits
from kefu.core import clock

WINDOW = timedelta(minutes=1)
"""Window of the per-minute limits (pair and IP)."""
ACCOUNT_WINDOW = timedelta(hours=1)
"""An account's failures are remembered this long (the backoff restarts after an hour of quiet)."""


@dataclass(frozen=True)
class AttemptKeys:
    """The three digests one login attempt is counted under."""

    address: str
    account: str
    ip: str

    @classmethod
    def of(cls, email: str, client_ip: str) -> AttemptKeys:
        """Keys of an attempt for this email from this client IP."""
        email = email.strip().lower()
        return cls(
            address=_digest(f"{email}\x00{client_ip}"),
            account=_digest(f"account\x00{email}"),
            ip=_digest(f"ip\x00{client_ip}"),
        )


def backoff_seconds(failures: int, limits: LoginLimits) -> float:
    """The wait after an account's latest failure: none for the free ones, then 1 s, 2 s, 4 s … capped."""
    over = failures - max(limits.account_free_failures, 1)
    if over < 0:
        return 0.0
    return float(min(2 ** min(over, 30), limits.account_max_backoff_seconds))


def check_attempts(session: Session, *, keys: AttemptKeys, limits: LoginLimits) -> None:
    """Raise TooManyAttempts when any of the three limits holds the attempt back."""
    now = clock.now()
    for key, limit, scope in (
        (keys.address, limits.per_address_per_minute, "address"),
        (keys.ip, limits.per_ip_per_minute, "ip"),
    ):
        recent = _recent(session, key, since=now - WINDOW, limit=max(limit, 1))
        if len(recent) >= max(limit, 1):
            raise TooManyAttempts((recent[-1] + WINDOW - now).total_seconds(), scope=scope)
    count, latest = account_failures(session, keys=keys)
    wait = backoff_seconds(count, limits)
    if latest is not None and wait and latest + timedelta(seconds=wait) > now:
        raise TooManyAttempts((latest + timedelta(seconds=wait) - now).total_seconds(), scope="account")


def account_failures(session: Session, *, keys: AttemptKeys) -> tuple[int, datetime | None]:
    """How many failures the account has in its window, and when the latest was."""
    count, latest = session.execute(
        select(func.count(), func.max(LoginFailure.attempted_at)).where(
            LoginFailure.key_hash == keys.account,
            LoginFailure.attempted_at > clock.now() - ACCOUNT_WINDOW,
        )
    ).one()
    return int(count), None if latest is None else clock.as_utc(latest)


def record_failure(session: Session, *, keys: AttemptKeys, limits: LoginLimits) -> bool:
    """Count one failed attempt under each key; True when it starts the account's backoff."""
    now = clock.now()
    session.add_all([
        LoginFailure(key_hash=key, attempted_at=now) for key in (keys.address, keys.account, keys.ip)
    ])
    session.flush()
    count, _ = account_failures(session, keys=keys)
    return count == max(limits.account_free_failures, 1)


def clear_failures(session: Session, *, keys: AttemptKeys) -> None:
    """Forget the pair's and the account's failures after a successful login (the IP's stay)."""
    session.execute(delete(LoginFailure).where(LoginFailure.key_hash.in_([keys.address, keys.account])))


def purge_failures(session: Session) -> int:
    """Delete every failure older than the longest window; returns how many."""
    result = session.execute(
        delete(LoginFailure).where(LoginFailure.attempted_at <= clock.now() - ACCOUNT_WINDOW)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _recent(session: Session, key: str, *, since: datetime, limit: int) -> list[datetime]:
    rows = session.scalars(
        select(LoginFailure.attempted_at)
        .where(LoginFailure.key_hash == key, LoginFailure.attempted_at > since)
        .order_by(LoginFailure.attempted_at.desc())
        .limit(limit)
    )
    return [clock.as_utc(row) for row in rows]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
