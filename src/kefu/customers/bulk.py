"""Bulk resolution of contacts to customers (imports): the rules of `resolve_customer`, a few statements.

Every identity of a batch is looked up with one SELECT per identity kind, the owners with one
locked SELECT, and new customers and identities are written with executemany; on PostgreSQL all
in one savepoint that is retried when a concurrent writer wins a unique-key race (SQLite writers
are serial). Contacts of the same batch that share an identity resolve to the same customer,
created once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from kefu.core import clock
from kefu.core.errors import ValidationFailed
from kefu.core.events import DomainEvent
from kefu.core.ids import new_id
from kefu.customers import values
from kefu.customers.enums import IdentityKind, VipTier
from kefu.customers.events import (
    CustomerCreated,
    CustomerIdentityAdded,
    CustomerIdentityConflicted,
    CustomerUpdated,
)
from kefu.customers.exceptions import CustomerNotFound, ResolveContention
from kefu.customers.identities import phone_region
from kefu.customers.matching import (
    MAX_MERGE_HOPS,
    WantedIdentity,
    lenient,
    match_owner,
    normalise_identities,
)
from kefu.customers.models import CUSTOMER_ROW, IDENTITY_ROW, Customer, CustomerIdentity
from kefu.customers.schemas import ResolveIn
from kefu.db.backend import retry_on_race
from kefu.db.outbox import publish_many
from kefu.db.plans import custom_plans, in_chunks
from kefu.db.rows import insert_rows

BULK_RESOLVE_ATTEMPTS = 4
"""Savepoint attempts of one batch; each lost race shows rows another writer committed."""
_ATTRIBUTES = ("name", "language", "market")
_CUSTOMERS: Table = Customer.__table__  # type: ignore[assignment]
_IDENTITIES: Table = CustomerIdentity.__table__  # type: ignore[assignment]

Locate = Callable[[int], list[str | int]]
"""Field path of the contact at an index, for validation errors."""


@dataclass(frozen=True)
class ResolvedContact:
    """The live customer a contact (or a customer id) of a bulk call stands for."""

    id: uuid.UUID
    language: str | None
    created: bool


@dataclass
class _Owned:
    """An identity row, stored or written by this batch."""

    id: uuid.UUID
    customer_id: uuid.UUID
    verified: bool
    new: bool = False


@dataclass
class _CustomerRow:
    """The attributes of a customer the batch reads or fills."""

    id: uuid.UUID
    name: str | None
    language: str | None
    market: str | None
    merged_into_id: uuid.UUID | None
    new: bool = False
    filled: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Contact:
    """A contact prepared for matching: its identities and the attributes it may fill."""

    wanted: list[WantedIdentity]
    attributes: dict[str, str | None]


def resolve_customers(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    contacts: Sequence[ResolveIn | uuid.UUID],
    locate: Locate = lambda index: [index],
) -> list[ResolvedContact | None]:
    """The customer of each contact, found or created as `resolve_customer` does; None for unknown ids.

    A contact is either identities (`ResolveIn`: matched by channel handle, then by a verified
    email/phone or any when it carries no handle; otherwise a new customer) or the id of an
    existing customer (a merged one leads to its target). Name, language and market fill blanks;
    identities owned by another customer stay there (`customer.identity_conflicted`). Events are
    those one call per contact would publish, except that a customer created by an earlier contact
    of the batch takes a later one's attributes without a `customer.updated`.
    """
    prepared: list[_Contact | uuid.UUID] = [
        contact if isinstance(contact, uuid.UUID) else _prepare(contact, locate(index))
        for index, contact in enumerate(contacts)
    ]
    return retry_on_race(
        session,
        lambda: _resolve_batch(session, workspace_id, prepared),
        attempts=BULK_RESOLVE_ATTEMPTS,
        exhausted=lambda: ResolveContention("identities are being written concurrently; retry"),
    )


def _prepare(contact: ResolveIn, loc: list[str | int]) -> _Contact:
    market = lenient(values.normalise_market, contact.market)
    wanted = normalise_identities(contact.identities, region=phone_region(market), loc=[*loc, "identities"])
    if not wanted:
        raise ValidationFailed(
            "at least one identity is needed",
            details=[{"loc": [*loc, "identities"], "msg": "at least one identity", "type": "too_short"}],
        )
    attributes = {
        "name": values.sanitise_name(contact.name),
        "language": lenient(values.normalise_language, contact.language),
        "market": market,
    }
    return _Contact(wanted, attributes)


def _resolve_batch(
    session: Session, workspace_id: uuid.UUID, prepared: list[_Contact | uuid.UUID]
) -> list[ResolvedContact | None]:
    now = clock.now()
    keys = {w.key for p in prepared if isinstance(p, _Contact) for w in p.wanted}
    given_ids = {p for p in prepared if isinstance(p, uuid.UUID)}
    with custom_plans(session):
        owners = _identity_rows(session, workspace_id, keys)
        owner_ids = {o.customer_id for o in owners.values()}
        customers = _customer_rows(session, workspace_id, owner_ids | given_ids)
    new_customers: list[_CustomerRow] = []
    new_identities: list[dict[str, Any]] = []
    verified_now: list[uuid.UUID] = []
    events: list[DomainEvent] = []
    results: list[ResolvedContact | None] = []
    for contact in prepared:
        if isinstance(contact, uuid.UUID):
            live = _live(customers, contact) if contact in customers else None
            results.append(None if live is None else ResolvedContact(live.id, live.language, created=False))
            continue
        owner_id = match_owner(contact.wanted, owners)
        created = owner_id is None
        if owner_id is None:
            attributes = contact.attributes
            row = _CustomerRow(
                new_id(),
                attributes["name"],
                attributes["language"],
                attributes["market"],
                merged_into_id=None,
                new=True,
            )
            customers[row.id] = row
            new_customers.append(row)
            events.append(CustomerCreated(workspace_id=workspace_id, customer_id=row.id))
        else:
            row = _live(customers, owner_id)
            _fill_blanks(row, contact.attributes)
        ids = {item.key: new_id() for item in contact.wanted}
        attached = False
        conflicts: list[tuple[WantedIdentity, uuid.UUID]] = []
        for item in sorted(contact.wanted, key=lambda w: w.key):
            owned = owners.get(item.key)
            if owned is None:
                identity_id = ids[item.key]
                owners[item.key] = _Owned(identity_id, row.id, item.verified, new=True)
                new_identities.append(IDENTITY_ROW(
                    id=identity_id, workspace_id=workspace_id, customer_id=row.id, kind=item.kind.value,
                    value=item.value, verified=item.verified, verified_at=now if item.verified else None,
                    created_at=now,
                ))
                events.append(CustomerIdentityAdded(
                    workspace_id=workspace_id, customer_id=row.id, identity_id=identity_id,
                    kind=item.kind, value=item.value, verified=item.verified,
                ))  # fmt: skip
                attached = True
            elif owned.customer_id == row.id:
                if item.verified and not owned.verified:
                    owned.verified = True
                    if owned.new:
                        _mark_verified(new_identities, owned.id, now)
                    else:
                        verified_now.append(owned.id)
            else:
                conflicts.append((item, owned.customer_id))
        if created or attached:
            events.extend(
                CustomerIdentityConflicted(
                    workspace_id=workspace_id,
                    customer_id=row.id,
                    owner_customer_id=owner,
                    kind=item.kind,
                    value=item.value,
                )
                for item, owner in conflicts
            )
        results.append(ResolvedContact(row.id, row.language, created=created))
    filled = [row for row in customers.values() if row.filled]
    events.extend(
        CustomerUpdated(workspace_id=workspace_id, customer_id=row.id, fields=row.filled) for row in filled
    )
    _write(session, workspace_id, now, new_customers, new_identities, filled, verified_now)
    publish_many(session, events)
    return results


def _fill_blanks(row: _CustomerRow, attributes: dict[str, str | None]) -> None:
    """Attributes a contact brings fill the customer's blanks (never overwrite)."""
    for key in _ATTRIBUTES:
        value = attributes[key]
        if value is not None and getattr(row, key) is None:
            setattr(row, key, value)
            if not row.new:
                row.filled.append(key)


def _mark_verified(rows: list[dict[str, Any]], identity_id: uuid.UUID, now: datetime) -> None:
    for row in rows:
        if row["id"] == identity_id:
            row["verified"], row["verified_at"] = True, now


def _write(
    session: Session,
    workspace_id: uuid.UUID,
    now: datetime,
    new_customers: list[_CustomerRow],
    new_identities: list[dict[str, Any]],
    filled: list[_CustomerRow],
    verified_now: list[uuid.UUID],
) -> None:
    """Insert customers, then identities in key order (writers lock the unique index alike), then update."""
    insert_rows(session, _CUSTOMERS, (
        CUSTOMER_ROW(
            id=row.id, workspace_id=workspace_id, name=row.name, language=row.language, market=row.market,
            vip_tier=VipTier.NONE.value, created_at=now, updated_at=now,
        )
        for row in new_customers
    ))
    if new_identities:
        new_identities.sort(key=lambda row: (row["kind"], row["value"]))
        insert_rows(session, _IDENTITIES, new_identities)
    if filled:
        session.execute(
            update(_CUSTOMERS)
            .where(_CUSTOMERS.c.id == bindparam("b_id"))
            .values(name=bindparam("b_name"), language=bindparam("b_language"),
                    market=bindparam("b_market"), updated_at=bindparam("b_updated_at")),
            [{"b_id": row.id, "b_name": row.name, "b_language": row.language, "b_market": row.market,
              "b_updated_at": now} for row in filled],
        )  # fmt: skip
        _expire(session, Customer, (row.id for row in filled))
    if verified_now:
        session.execute(
            update(_IDENTITIES)
            .where(_IDENTITIES.c.id == bindparam("b_id"))
            .values(verified=True, verified_at=bindparam("b_verified_at")),
            [{"b_id": identity_id, "b_verified_at": now} for identity_id in verified_now],
        )
        _expire(session, CustomerIdentity, verified_now)


def _expire(
    session: Session, model: type[Customer] | type[CustomerIdentity], ids: Iterable[uuid.UUID]
) -> None:
    """Rows changed behind the unit of work are reloaded if this session holds them."""
    for row_id in ids:
        held = session.identity_map.get(session.identity_key(model, row_id))
        if held is not None:
            session.expire(held)


def _identity_rows(
    session: Session, workspace_id: uuid.UUID, keys: set[tuple[IdentityKind, str]]
) -> dict[tuple[IdentityKind, str], _Owned]:
    """Stored identities among `keys`: one SELECT per kind (and per IN list of `db.plans.IN_CHUNK` values)."""
    by_kind: dict[IdentityKind, list[str]] = {}
    for kind, value in sorted(keys):
        by_kind.setdefault(kind, []).append(value)
    found: dict[tuple[IdentityKind, str], _Owned] = {}
    t = _IDENTITIES
    for kind, wanted in by_kind.items():
        for chunk in in_chunks(wanted):
            rows = session.execute(
                select(t.c.id, t.c.customer_id, t.c.value, t.c.verified).where(
                    t.c.workspace_id == workspace_id,
                    t.c.kind == kind.value,
                    t.c.value.in_(chunk),
                )
            )
            for row in rows:
                found[(kind, row.value)] = _Owned(row.id, row.customer_id, bool(row.verified))
    return found


def _customer_rows(
    session: Session, workspace_id: uuid.UUID, ids: set[uuid.UUID]
) -> dict[uuid.UUID, _CustomerRow]:
    """The customers with these ids and the ones they were merged into, row-locked in id order."""
    loaded: dict[uuid.UUID, _CustomerRow] = {}
    wanted = set(ids)
    t = _CUSTOMERS
    for _ in range(MAX_MERGE_HOPS):
        if not wanted:
            return loaded
        for chunk in in_chunks(sorted(wanted)):
            rows = session.execute(
                select(t.c.id, t.c.name, t.c.language, t.c.market, t.c.merged_into_id)
                .where(t.c.workspace_id == workspace_id, t.c.id.in_(chunk))
                .order_by(t.c.id)
                .with_for_update()
            )
            for row in rows:
                loaded[row.id] = _CustomerRow(row.id, row.name, row.language, row.market, row.merged_into_id)
        wanted = {
            row.merged_into_id for row in loaded.values()
            if row.merged_into_id is not None and row.merged_into_id not in loaded
        }  # fmt: skip
    raise CustomerNotFound("customer not found: merge chain too long")




def _live(customers: dict[uuid.UUID, _CustomerRow], customer_id: uuid.UUID) -> _CustomerRow:
    """The customer, or the one it was (transitively) merged into."""
    row = customers[customer_id]
    for _ in range(MAX_MERGE_HOPS):
        if row.merged_into_id is None:
            return row
        row = customers[row.merged_into_id]
    raise CustomerNotFound("customer not found: merge chain too long")




