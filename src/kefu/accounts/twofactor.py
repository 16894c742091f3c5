"""Two-factor authentication: TOTP (RFC 6238, 30 s steps, 6 digits, SHA-1 as authenticator apps use) and
one-time recovery codes.

The TOTP secret is sealed by the server key (`core.secretbox`); recovery codes are stored as
SHA-256 digests. A code is accepted for the current step and one step either side (clock drift),
and each step only once: the last accepted step is kept, so an observed code cannot be replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

import pyotp
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kefu.accounts.models import Agent, RecoveryCode, TwoFactor
from kefu.core import clock
from kefu.core.secretbox import SecretBox

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
RECOVERY_CODES = 10
ISSUER = "Kefu"


def new_secret() -> str:
    """A random base32 TOTP secret (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, *, email: str) -> str:
    """The otpauth:// URI an authenticator app reads (as a QR code or pasted)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=email, issuer_name=ISSUER
    )


def code_at(secret: str, step: int) -> str:
    """The TOTP code of a time step."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def current_step() -> int:
    """The TOTP time step of the injected clock."""
    return int(clock.now().timestamp()) // STEP_SECONDS


def matching_step(secret: str, code: str, *, after: int | None) -> int | None:
    """The step (now ± drift) whose code this is, if later than `after`; None otherwise."""
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = current_step()
    found = None
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(code_at(secret, step), code) and (after is None or step > after):
            found = step
    return found


def get_factor(session: Session, agent: Agent) -> TwoFactor | None:
    """The agent's TOTP row (enabled or pending), if any."""
    factor = session.get(TwoFactor, agent.id)
    return factor if factor is not None and factor.workspace_id == agent.workspace_id else None


def enabled_factor(session: Session, agent: Agent) -> TwoFactor | None:
    """The agent's TOTP row when 2FA is on."""
    factor = get_factor(session, agent)
    return factor if factor is not None and factor.enabled_at is not None else None


def secret_of(factor: TwoFactor, box: SecretBox) -> str:
    """The plain TOTP secret of a row."""
    return str(box.open(factor.sealed_secret)["totp"])


def accept_code(factor: TwoFactor, code: str, box: SecretBox) -> bool:
    """Check a TOTP code and consume its step; False for a wrong or replayed code."""
    step = matching_step(secret_of(factor, box), code, after=factor.last_step)
    if step is None:
        return False
    factor.last_step = step
    return True


def accept_recovery_code(session: Session, agent: Agent, code: str) -> bool:
    """Use up one recovery code of the agent; False when none matches."""
    row = session.scalar(
        select(RecoveryCode)
        .where(RecoveryCode.agent_id == agent.id, RecoveryCode.workspace_id == agent.workspace_id,
               RecoveryCode.code_hash == _code_digest(code), RecoveryCode.used_at.is_(None))
        .with_for_update()
    )
    if row is None:
        return False
    row.used_at = clock.now()
    return True


def issue_recovery_codes(session: Session, agent: Agent) -> list[str]:
    """Replace the agent's recovery codes by ten new ones, returned once in clear."""
    session.execute(delete(RecoveryCode).where(
        RecoveryCode.agent_id == agent.id, RecoveryCode.workspace_id == agent.workspace_id
    ))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    session.add_all([
        RecoveryCode(workspace_id=agent.workspace_id, agent_id=agent.id, code_hash=_code_digest(code))
        for code in codes
    ])
    session.flush()
    return codes


def recovery_codes_left(session: Session, agent_id: uuid.UUID) -> int:
    """How many unused recovery codes the agent has."""
    return int(session.scalar(
        select(func.count()).select_from(RecoveryCode)
        .where(RecoveryCode.agent_id == agent_id, RecoveryCode.used_at.is_(None))
    ) or 0)


def remove(session: Session, agent: Agent) -> None:
    """Switch 2FA off for an agent: the secret and the recovery codes go."""
    session.execute(delete(RecoveryCode).where(
        RecoveryCode.agent_id == agent.id, RecoveryCode.workspace_id == agent.workspace_id
    ))
    session.execute(delete(TwoFactor).where(
        TwoFactor.agent_id == agent.id, TwoFactor.workspace_id == agent.workspace_id
    ))


def _new_recovery_code() -> str:
    """Ten random characters of an unambiguous 31-letter alphabet as `xxxxx-xxxxx` (49 bits)."""
    raw = "".join(secrets.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _code_digest(code: str) -> str:
    normal = "".join(ch for ch in code.strip().lower() if ch.isalnum())
    return hashlib.sha256(f"kefu-recovery\x00{normal}".encode()).hexdigest()
