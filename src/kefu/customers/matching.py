"""Rules shared by single and bulk customer resolution: normalised identities, owners, races."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic_core import PydanticCustomError

from kefu.customers.enums import IdentityKind
from kefu.customers.exceptions import InvalidIdentity
from kefu.customers.identities import CHANNEL_KINDS, IdentityValueError, normalise_identity
from kefu.customers.schemas import IdentityIn

MAX_MERGE_HOPS = 32
"""Longest chain of merged customers followed to the live one."""


@dataclass(frozen=True)
class WantedIdentity:
    """A normalised identity asked for by a caller."""

    kind: IdentityKind
    value: str
    verified: bool

    @property
    def key(self) -> tuple[IdentityKind, str]:
        """The unique key of the identity in a workspace."""
        return self.kind, self.value


def normalise_one(
    kind: IdentityKind, value: str, *, verified: bool, region: str | None, loc: list[str | int]
) -> WantedIdentity:
    """One identity in its stored form; InvalidIdentity (422 at `loc`) when it cannot be."""
    try:
        normalised = normalise_identity(IdentityKind(kind), value, region=region)
    except IdentityValueError as exc:
        raise InvalidIdentity(loc=loc, reason=exc.code, message=exc.message) from exc
    return WantedIdentity(IdentityKind(kind), normalised, verified)


def normalise_identities(
    identities: Sequence[IdentityIn], *, region: str | None, loc: list[str | int]
) -> list[WantedIdentity]:
    """Normalised identities in the caller's order, duplicates folded (verified if any copy is)."""
    folded: dict[tuple[IdentityKind, str], WantedIdentity] = {}
    for index, identity in enumerate(identities):
        item = normalise_one(identity.kind, identity.value, verified=identity.verified, region=region,
                             loc=[*loc, index, "value"])  # fmt: skip
        previous = folded.get(item.key)
        verified = item.verified or (previous is not None and previous.verified)
        folded[item.key] = WantedIdentity(item.kind, item.value, verified)
    return list(folded.values())


def match_owner(
    wanted: Sequence[WantedIdentity], owners: dict[tuple[IdentityKind, str], Any]
) -> uuid.UUID | None:
    """The customer id the identities point at: a channel handle, else a verified (or lone) contact address.

    `owners` maps identity keys to rows with `customer_id` and `verified`. A contact address
    counts when it is verified (stored or given), or when the call brings no channel handle
    (the address is then the channel).
    """
    for item in wanted:
        if item.kind in CHANNEL_KINDS and (row := owners.get(item.key)) is not None:
            return uuid.UUID(str(row.customer_id))
    has_channel = any(item.kind in CHANNEL_KINDS for item in wanted)
    contacts = [(item, owners[item.key]) for item in wanted
                if item.kind not in CHANNEL_KINDS and item.key in owners]  # fmt: skip
    for item, row in sorted(contacts, key=lambda pair: not pair[1].verified):
        if row.verified or item.verified or not has_channel:
            return uuid.UUID(str(row.customer_id))
    return None


def lenient(rule: Callable[[str | None], str | None], value: str | None) -> str | None:
    """Apply a value rule to data learned from a channel; an invalid value is dropped."""
    try:
        return rule(value)
    except PydanticCustomError:
        return None
