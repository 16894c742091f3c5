"""Write path and reads of customers: identities, resolution of contacts, updates and merges."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic_core import PydanticCustomError
from sqlalchemy import Select, Table, and_, bindparam, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from kefu.audit.service import record
from kefu.core import clock
from kefu.core.errors import ValidationFailed
from kefu.core.ids import new_id
from kefu.core.paging import Page
from kefu.customers import values
from kefu.customers.bulk import resolve_customers as resolve_customers
from kefu.customers.enums import IdentityKind, VipTier
from kefu.customers.events import (
    CustomerCreated,
    CustomerDeleted,
    CustomerIdentityAdded,
    CustomerIdentityConflicted,
    CustomerIdentityRemoved,
    CustomersMerged,
    CustomerUpdated,
)
from kefu.customers.exceptions import (
    CustomerInUse,
    CustomerMerged,
    CustomerNotFound,
    IdentityNotFound,
    IdentityTaken,
    MergeIntoSelf,
    ResolveContention,
)
from kefu.customers.identities import phone_region
from kefu.customers.matching import (
    MAX_MERGE_HOPS,
    WantedIdentity,
    lenient,
    match_owner,
    normalise_identities,
    normalise_one,
)
from kefu.customers.models import (
    CUSTOMER_ROW,
    IDENTITY_ROW,
    Customer,
    CustomerIdentity,
    CustomerMerge,
    CustomerTag,
)
from kefu.customers.schemas import (
    CustomerIn,
    CustomerMergeOut,
    CustomerOut,
    CustomerUpdate,
    IdentityConflict,
    IdentityIn,
    IdentityOut,
    ResolvedCustomer,
)
from kefu.db.backend import retry_on_race
from kefu.db.outbox import publish, publish_many
from kefu.db.paging import keyset_page
from kefu.db.rows import first_row, insert_rows

RESOLVE_EXTRA_ATTEMPTS = 2
"""Each lost race reveals at least one identity committed by another writer, so len(identities)
retries always suffice; a few more absorb deadlock retries."""

_CUSTOMERS: Table = Customer.__table__  # type: ignore[assignment]
_IDENTITIES: Table = CustomerIdentity.__table__  # type: ignore[assignment]


@functools.lru_cache(maxsize=16)
def _any_identity(count: int) -> Select[tuple[uuid.UUID]]:
    """Whether any of `count` identities is known: pairs OR-ed, so each probes the unique index."""
    kind, value = CustomerIdentity.kind, CustomerIdentity.value
    pairs = (and_(kind == bindparam(f"kind_{n}"), value == bindparam(f"value_{n}")) for n in range(count))
    return select(CustomerIdentity.id).where(
        CustomerIdentity.workspace_id == bindparam("workspace_id"), or_(*pairs)
    ).limit(1)


# --- reads ---------------------------------------------------------------------------------------


def get_customer(
    session: Session, *, workspace_id: uuid.UUID, customer_id: uuid.UUID, follow_merges: bool = True
) -> CustomerOut:
    """A customer of the workspace; a merged customer's id leads to the customer it was merged into."""
    if follow_merges:
        return _to_out(_live_customer(session, workspace_id, customer_id))
    return _to_out(_customer_row(session, workspace_id, customer_id))


def find_customer_by_identity(
    session: Session, *, workspace_id: uuid.UUID, kind: IdentityKind, value: str,
    market: str | None = None,
) -> CustomerOut | None:
    """The customer owning an identity, or None; national phone numbers are read in `market`."""
    wanted = normalise_one(kind, value, verified=False, region=phone_region(market), loc=["value"])
    row = _identity_row(session, workspace_id, wanted.key)
    if row is None:
        return None
    return _to_out(_live_customer(session, workspace_id, row.customer_id))


def list_customers(
    session: Session, *, workspace_id: uuid.UUID, limit: int = 50, cursor: str | None = None,
    tag: str | None = None, vip_tier: VipTier | None = None, market: str | None = None,
    language: str | None = None, q: str | None = None,
) -> Page[CustomerOut]:
    """Customers newest first, merged ones hidden; filters combine, `q` searches names and identities."""
    query = select(Customer).where(
        Customer.workspace_id == workspace_id, Customer.merged_into_id.is_(None)
    )
    if tag is not None:
        tag_value = _checked(values.normalise_tag, tag, loc=["tag"])
        query = query.where(
            exists().where(CustomerTag.customer_id == Customer.id, CustomerTag.tag == tag_value)
        )
    if vip_tier is not None:
        query = query.where(Customer.vip_tier == vip_tier)
    if market is not None:
        query = query.where(Customer.market == _checked(values.normalise_market, market, loc=["market"]))
    if language is not None:
        query = query.where(
            Customer.language == _checked(values.normalise_language, language, loc=["language"])
        )
    if q is not None and (needle := _search_text(q)):
        query = query.where(
            or_(
                Customer.name.icontains(needle, autoescape=True),
                exists().where(
                    CustomerIdentity.customer_id == Customer.id,
                    CustomerIdentity.value.icontains(needle, autoescape=True),
                ),
            )
        )
    return keyset_page(session, query, [Customer.id], limit=limit, cursor=cursor, out=_to_out)


def list_customers_by_id(
    session: Session, *, workspace_id: uuid.UUID, customer_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, CustomerOut]:
    """The given customers of the workspace, by id, in one query per table (missing ids left out)."""
    wanted = list(set(customer_ids))
    if not wanted:
        return {}
    rows = session.scalars(
        select(Customer)
        .where(Customer.workspace_id == workspace_id, Customer.id.in_(wanted))
        .options(selectinload(Customer.identities), selectinload(Customer.tag_rows))
    )
    return {row.id: _to_out(row) for row in rows}


def list_merges(
    session: Session, *, workspace_id: uuid.UUID, customer_id: uuid.UUID, limit: int = 50,
    cursor: str | None = None,
) -> Page[CustomerMergeOut]:
    """Merge audit records in which a customer was the source or the target, newest first."""
    _customer_row(session, workspace_id, customer_id)
    query = select(CustomerMerge).where(
        CustomerMerge.workspace_id == workspace_id,
        or_(
            CustomerMerge.source_customer_id == customer_id,
            CustomerMerge.target_customer_id == customer_id,
        ),
    )
    return keyset_page(
        session, query, [CustomerMerge.id], limit=limit, cursor=cursor, out=CustomerMergeOut.model_validate
    )


# --- resolution ----------------------------------------------------------------------------------


def resolve_customer(
    session: Session, *, workspace_id: uuid.UUID, identities: Sequence[IdentityIn],
    name: str | None = None, language: str | None = None, market: str | None = None,
) -> ResolvedCustomer:
    """Find the one customer behind a contact's identities, or create it; attach what was learned.

    Matching order: a channel handle; then an email or phone that is verified (stored or given),
    or any email or phone when the call carries no channel handle (the address is the channel).
    Identities owned by another customer are left there and reported in `conflicts` (and, when
    this contact brought something new, as `customer.identity_conflicted`). Safe under
    concurrency: the work runs in a savepoint and a unique-key race is retried, so concurrent
    calls for the same new identity yield one customer. Name, language and market only fill
    blanks; invalid ones from a channel are dropped rather than failing the contact.
    """
    market = lenient(values.normalise_market, market)
    wanted = normalise_identities(identities, region=phone_region(market), loc=["identities"])
    if not wanted:
        raise ValidationFailed(
            "at least one identity is needed",
            details=[{"loc": ["identities"], "msg": "at least one identity", "type": "too_short"}],
        )
    attributes = {
        "name": values.sanitise_name(name),
        "language": lenient(values.normalise_language, language),
        "market": market,
    }
    return retry_on_race(
        session,
        lambda: _resolve_once(session, workspace_id, wanted, attributes),
        attempts=len(wanted) + RESOLVE_EXTRA_ATTEMPTS,
        exhausted=lambda: ResolveContention("identities are being written concurrently; retry"),
    )


def _resolve_once(
    session: Session, workspace_id: uuid.UUID, wanted: list[WantedIdentity], attributes: dict[str, str | None]
) -> ResolvedCustomer:
    keys = [w.key for w in wanted]
    probe: dict[str, Any] = {"workspace_id": workspace_id}
    for n, (kind, value) in enumerate(keys):
        probe[f"kind_{n}"], probe[f"value_{n}"] = kind, value
    if not first_row(session.connection(), _any_identity(len(keys)), probe):
        return _create_resolved(session, workspace_id, wanted, attributes)
    owners = _identity_rows(session, workspace_id, keys)
    owner_id = match_owner(wanted, owners)
    created = owner_id is None
    now = clock.now()
    if owner_id is None:
        customer = Customer(
            id=new_id(), workspace_id=workspace_id, vip_tier=VipTier.NONE, custom_fields={}, identities=[],
            tag_rows=[], created_at=now, updated_at=now, **attributes,
        )
        session.add(customer)
        publish(session, CustomerCreated(workspace_id=workspace_id, customer_id=customer.id))
    else:
        customer = _live_customer(session, workspace_id, owner_id, lock=True)
        filled = [key for key, value in attributes.items()
                  if value is not None and getattr(customer, key) is None]
        for key in filled:
            setattr(customer, key, attributes[key])
        if filled:
            customer.updated_at = now
            publish(session, CustomerUpdated(workspace_id=workspace_id, customer_id=customer.id,
                                             fields=filled))
    conflicts: list[IdentityConflict] = []
    ids = _ids_in_given_order(wanted)
    attached = False
    for item in sorted(wanted, key=lambda w: w.key):
        row = owners.get(item.key)
        if row is None:
            _attach(session, customer, item, identity_id=ids[item.key])
            attached = True
        elif row.customer_id == customer.id:
            if item.verified and not row.verified:
                row.verified, row.verified_at = True, now
        else:
            conflicts.append(IdentityConflict(kind=item.kind, value=item.value,
                                              owner_customer_id=row.customer_id))
    if created or attached:
        for conflict in conflicts:
            publish(session, CustomerIdentityConflicted(
                workspace_id=workspace_id, customer_id=customer.id,
                owner_customer_id=conflict.owner_customer_id, kind=conflict.kind, value=conflict.value,
            ))
    out = _to_out(customer)
    return ResolvedCustomer(**out.model_dump(), created=created, conflicts=conflicts)


def _create_resolved(
    session: Session, workspace_id: uuid.UUID, wanted: list[WantedIdentity], attributes: dict[str, str | None]
) -> ResolvedCustomer:
    """A contact none of whose identities is known: a new customer with all of them, in two inserts."""
    now = clock.now()
    customer_id = new_id()
    customer = CUSTOMER_ROW(
        id=customer_id, workspace_id=workspace_id, vip_tier=VipTier.NONE, created_at=now, updated_at=now,
        **attributes,
    )
    ids = _ids_in_given_order(wanted)
    in_key_order = sorted(wanted, key=lambda w: w.key)
    identities = [
        IDENTITY_ROW(
            id=ids[item.key], workspace_id=workspace_id, customer_id=customer_id, kind=item.kind,
            value=item.value, verified=item.verified, verified_at=now if item.verified else None,
            created_at=now,
        )
        for item in in_key_order
    ]
    insert_rows(session, _CUSTOMERS, [customer])
    insert_rows(session, _IDENTITIES, identities)
    publish_many(session, [
        CustomerCreated(workspace_id=workspace_id, customer_id=customer_id),
        *(CustomerIdentityAdded(workspace_id=workspace_id, customer_id=customer_id, identity_id=ids[item.key],
                                kind=item.kind, value=item.value, verified=item.verified)
          for item in in_key_order),
    ])
    return ResolvedCustomer.model_validate({
        **customer, "tags": [], "created": True, "conflicts": [],
        "identities": sorted(identities, key=lambda row: row["id"]),
    })


# --- writes --------------------------------------------------------------------------------------


def create_customer(session: Session, *, workspace_id: uuid.UUID, data: CustomerIn) -> CustomerOut:
    """Create a customer with its identities; an identity owned by another customer is a conflict."""
    wanted = normalise_identities(data.identities, region=phone_region(data.market), loc=["identities"])
    _refuse_taken(session, workspace_id, wanted)
    customer = Customer(
        id=new_id(), workspace_id=workspace_id, name=data.name, language=data.language,
        market=data.market, vip_tier=data.vip_tier, custom_fields=dict(data.custom_fields),
        tag_rows=[CustomerTag(workspace_id=workspace_id, tag=tag) for tag in data.tags],
    )
    try:
        with session.begin_nested():
            session.add(customer)
            session.flush()
            publish(session, CustomerCreated(workspace_id=workspace_id, customer_id=customer.id))
            ids = _ids_in_given_order(wanted)
            for item in sorted(wanted, key=lambda w: w.key):
                _attach(session, customer, item, identity_id=ids[item.key])
            session.flush()
    except IntegrityError as exc:
        raise _taken(session, workspace_id, wanted) from exc
    return _to_out(customer)


def update_customer(
    session: Session, *, workspace_id: uuid.UUID, customer_id: uuid.UUID, data: CustomerUpdate
) -> CustomerOut:
    """Change attributes of a customer (see CustomerUpdate for tags and custom fields)."""
    customer = _live_customer(session, workspace_id, customer_id, lock=True)
    given = data.model_fields_set
    changed: list[str] = []
    for key in ("name", "language", "market"):
        if key in given and getattr(data, key) != getattr(customer, key):
            setattr(customer, key, getattr(data, key))
            changed.append(key)
    if data.vip_tier is not None and data.vip_tier != customer.vip_tier:
        customer.vip_tier = data.vip_tier
        changed.append("vip_tier")
    if data.tags is not None and set(data.tags) != {row.tag for row in customer.tag_rows}:
        _set_tags(session, customer, data.tags)
        changed.append("tags")
    if data.custom_fields is not None:
        merged = dict(customer.custom_fields)
        for key, value in data.custom_fields.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        if merged != customer.custom_fields:
            customer.custom_fields = _checked(values.check_custom_fields, merged, loc=["custom_fields"])
            changed.append("custom_fields")
    if changed:
        customer.updated_at = clock.now()
        publish(session, CustomerUpdated(workspace_id=workspace_id, customer_id=customer.id,
                                         fields=changed))
    session.flush()
    return _to_out(customer)


def add_identity(
    session: Session, *, workspace_id: uuid.UUID, customer_id: uuid.UUID, identity: IdentityIn
) -> CustomerOut:
    """Give a customer one more identity (national phone numbers read in the customer's market).

    Adding an identity the customer already has is a no-op, except that `verified` can turn on.
    """
    customer = _live_customer(session, workspace_id, customer_id, lock=True)
    item = normalise_one(identity.kind, identity.value, verified=identity.verified,
                      region=phone_region(customer.market), loc=["value"])
    row = _identity_row(session, workspace_id, item.key)
    if row is not None and row.customer_id != customer.id:
        raise _taken(session, workspace_id, [item])
    if row is not None:
        if item.verified and not row.verified:
            row.verified, row.verified_at = True, clock.now()
            session.flush()
        return _to_out(customer)
    try:
        with session.begin_nested():
            _attach(session, customer, item, identity_id=new_id())
            session.flush()
    except IntegrityError as exc:
        raise _taken(session, workspace_id, [item]) from exc
    return _to_out(customer)


def set_identity_verified(
    session: Session, *, workspace_id: uuid.UUID, customer_id: uuid.UUID, identity_id: uuid.UUID,
    verified: bool,
) -> CustomerOut:
    """Mark an identity of a customer verified (proven owned) or not."""
    customer = _live_customer(session, workspace_id, customer_id, lock=True)
    row = _own_identity(customer, identity_id)
    if row.verified != verified:
        row.verified, row.verified_at = verified, clock.now() if verified else None
        customer.updated_at = clock.now()
        publish(session, CustomerUpdated(workspace_id=workspace_id, customer_id=customer.id,
                                         fields=["identities"]))
        session.flush()
    return _to_out(customer)


def remove_identity(
    session: Session, *, workspace_id: uuid.UUID, customer_id: uuid.UUID, identity_id: uuid.UUID
) -> CustomerOut:
    """Remove an identity from a customer; the value becomes free for another customer."""
    customer = _live_customer(session, workspace_id, customer_id, lock=True)
    row = _own_identity(customer, identity_id)
    customer.identities.remove(row)
    session.delete(row)
    customer.updated_at = clock.now()
    publish(session, CustomerIdentityRemoved(
        workspace_id=workspace_id, customer_id=customer.id, identity_id=row.id, kind=row.kind,
        value=row.value,
    ))
    session.flush()
    return _to_out(customer)


def delete_customer(
    session: Session, *, workspace_id: uuid.UUID, customer_id: uuid.UUID,
    actor_agent_id: uuid.UUID | None = None,
) -> None:
    """Delete a customer, its identities, the customers merged into it and its merge audit.

    Refused with CustomerInUse while other domains' records (conversations...) still point at it.
    """
    customer = _customer_row(session, workspace_id, customer_id)
    if customer.merged_into_id is not None:
        raise CustomerMerged(
            "this customer was merged; delete the customer it was merged into",
            details={"merged_into_id": str(customer.merged_into_id)},
        )
    try:
        with session.begin_nested():
            session.delete(customer)
            session.flush()
    except IntegrityError as exc:
        raise CustomerInUse("other records still refer to this customer") from exc
    publish(session, CustomerDeleted(workspace_id=workspace_id, customer_id=customer_id))
    record(session, workspace_id=workspace_id, action="customer.deleted",
           actor_kind="agent" if actor_agent_id else "system", actor_id=actor_agent_id,
           target_kind="customer", target_id=customer_id)


def anonymise_customer(session: Session, *, workspace_id: uuid.UUID, customer_id: uuid.UUID) -> int:
    """Remove a customer's personal data, and that of the customers merged into it; idempotent.

    Name, identities, tags and custom fields go; the row stays (with language, market and VIP
    tier, which are not personal on their own) so conversations and counts keep their customer.
    Returns the number of identities removed.
    """
    customer = _live_customer(session, workspace_id, customer_id, lock=True)
    rows = [customer, *session.scalars(
        select(Customer).where(Customer.workspace_id == workspace_id, Customer.merged_into_id == customer.id)
    )]
    removed = 0
    for row in rows:
        removed += len(row.identities)
        row.identities.clear()
        row.tag_rows.clear()
        row.name = None
        row.custom_fields = {}
    session.execute(
        update(CustomerMerge)
        .where(CustomerMerge.workspace_id == workspace_id, CustomerMerge.target_customer_id == customer.id)
        .values(moved_identities=[], added_custom_fields=[])
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return removed


def merge_customers(
    session: Session, *, workspace_id: uuid.UUID, source_id: uuid.UUID, target_id: uuid.UUID,
    actor_agent_id: uuid.UUID | None,
) -> CustomerOut:
    """Merge the source customer into the target and keep an audit record.

    All identities move to the target, tags are united, custom fields merged (the target wins),
    blank name/language/market filled from the source and the higher VIP tier kept. The source
    stays as a tombstone (`merged_into_id`), hidden from lists; its id leads to the target.
    """
    if source_id == target_id:
        raise MergeIntoSelf("a customer cannot be merged into itself")
    rows = {
        row.id: row
        for row in session.scalars(
            select(Customer)
            .where(Customer.workspace_id == workspace_id, Customer.id.in_([source_id, target_id]))
            .order_by(Customer.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    if source_id not in rows or target_id not in rows:
        raise CustomerNotFound("customer not found")
    source, target = rows[source_id], rows[target_id]
    for role, row in (("source", source), ("target", target)):
        if row.merged_into_id is not None:
            raise CustomerMerged(
                f"the {role} customer was already merged",
                details={"customer_id": str(row.id), "merged_into_id": str(row.merged_into_id)},
            )
    moved = list(source.identities)
    for identity in moved:
        identity.customer = target
    target_tags = {row.tag for row in target.tag_rows}
    added_tags = sorted({row.tag for row in source.tag_rows} - target_tags)
    target.tag_rows.extend(CustomerTag(workspace_id=workspace_id, tag=tag) for tag in added_tags)
    added_fields = sorted(set(source.custom_fields) - set(target.custom_fields))
    if added_fields:
        target.custom_fields = {**source.custom_fields, **target.custom_fields}
    for key in ("name", "language", "market"):
        if getattr(target, key) is None and getattr(source, key) is not None:
            setattr(target, key, getattr(source, key))
    if VipTier(source.vip_tier).rank > VipTier(target.vip_tier).rank:
        target.vip_tier = source.vip_tier
    now = clock.now()
    source.merged_into_id, source.merged_at, source.updated_at = target.id, now, now
    target.updated_at = now
    session.execute(
        update(Customer)
        .where(Customer.workspace_id == workspace_id, Customer.merged_into_id == source.id)
        .values(merged_into_id=target.id)
        .execution_options(synchronize_session="fetch")
    )
    session.add(CustomerMerge(
        workspace_id=workspace_id, source_customer_id=source.id, target_customer_id=target.id,
        actor_agent_id=actor_agent_id,
        moved_identities=[{"kind": i.kind, "value": i.value, "verified": i.verified} for i in moved],
        added_tags=added_tags, added_custom_fields=added_fields, created_at=now,
    ))
    publish(session, CustomersMerged(
        workspace_id=workspace_id, source_customer_id=source.id, target_customer_id=target.id,
        actor_agent_id=actor_agent_id,
    ))
    record(session, workspace_id=workspace_id, action="customer.merged",
           actor_kind="agent" if actor_agent_id else "system", actor_id=actor_agent_id,
           target_kind="customer", target_id=target.id, details={"source_customer_id": str(source.id)})
    session.flush()
    return _to_out(target)


# --- internals -----------------------------------------------------------------------------------


def _to_out(customer: Customer) -> CustomerOut:
    return CustomerOut(
        id=customer.id, workspace_id=customer.workspace_id, name=customer.name,
        language=customer.language, market=customer.market, vip_tier=customer.vip_tier,
        tags=sorted(row.tag for row in customer.tag_rows), custom_fields=customer.custom_fields,
        identities=[IdentityOut.model_validate(row) for row in sorted(customer.identities, key=_by_id)],
        merged_into_id=customer.merged_into_id, created_at=customer.created_at,
        updated_at=customer.updated_at,
    )


def _by_id(row: CustomerIdentity) -> uuid.UUID:
    return row.id


def _customer_row(
    session: Session, workspace_id: uuid.UUID, customer_id: uuid.UUID, *, lock: bool = False
) -> Customer:
    if lock:
        customer = session.scalar(
            select(Customer)
            .where(Customer.id == customer_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    else:
        customer = session.get(Customer, customer_id)
    if customer is None or customer.workspace_id != workspace_id:
        raise CustomerNotFound("customer not found")
    return customer


def _live_customer(
    session: Session, workspace_id: uuid.UUID, customer_id: uuid.UUID, *, lock: bool = False
) -> Customer:
    """The customer, or the one it was (transitively) merged into.

    Writers pass `lock=True`: the row is locked (PostgreSQL) and re-read, so a concurrent merge
    either waits for the write or is seen, and nothing is written to a merged-away customer.
    """
    customer = _customer_row(session, workspace_id, customer_id, lock=lock)
    for _ in range(MAX_MERGE_HOPS):
        if customer.merged_into_id is None:
            return customer
        customer = _customer_row(session, workspace_id, customer.merged_into_id, lock=lock)
    raise CustomerNotFound("customer not found: merge chain too long")


def _own_identity(customer: Customer, identity_id: uuid.UUID) -> CustomerIdentity:
    for row in customer.identities:
        if row.id == identity_id:
            return row
    raise IdentityNotFound("identity not found on this customer")


def _identity_row(
    session: Session, workspace_id: uuid.UUID, key: tuple[IdentityKind, str]
) -> CustomerIdentity | None:
    return _identity_rows(session, workspace_id, [key]).get(key)


def _identity_rows(
    session: Session, workspace_id: uuid.UUID, keys: list[tuple[IdentityKind, str]]
) -> dict[tuple[IdentityKind, str], CustomerIdentity]:
    """Existing identities among `keys`, fresh from the database (another writer may have won)."""
    if not keys:
        return {}
    query = (
        select(CustomerIdentity)
        .where(
            CustomerIdentity.workspace_id == workspace_id,
            or_(*(and_(CustomerIdentity.kind == kind, CustomerIdentity.value == value)
                  for kind, value in keys)),
        )
        .execution_options(populate_existing=True)
    )
    return {(IdentityKind(row.kind), row.value): row for row in session.scalars(query)}


def _ids_in_given_order(wanted: list[WantedIdentity]) -> dict[tuple[IdentityKind, str], uuid.UUID]:
    """Identity ids in the caller's order; rows are inserted in key order so that concurrent
    writers take unique-index locks in the same order (no deadlock) yet list in the given order."""
    return {item.key: new_id() for item in wanted}


def _attach(
    session: Session, customer: Customer, item: WantedIdentity, *, identity_id: uuid.UUID
) -> CustomerIdentity:
    now = clock.now()
    row = CustomerIdentity(
        id=identity_id, workspace_id=customer.workspace_id, kind=item.kind, value=item.value,
        verified=item.verified, verified_at=now if item.verified else None, created_at=now,
    )
    customer.identities.append(row)
    publish(session, CustomerIdentityAdded(
        workspace_id=customer.workspace_id, customer_id=customer.id, identity_id=row.id,
        kind=row.kind, value=row.value, verified=row.verified,
    ))
    return row


def _set_tags(session: Session, customer: Customer, tags: list[str]) -> None:
    keep = set(tags)
    for row in [row for row in customer.tag_rows if row.tag not in keep]:
        customer.tag_rows.remove(row)
    present = {row.tag for row in customer.tag_rows}
    customer.tag_rows.extend(
        CustomerTag(workspace_id=customer.workspace_id, tag=tag) for tag in tags if tag not in present
    )
    session.flush()


def _refuse_taken(session: Session, workspace_id: uuid.UUID, wanted: list[WantedIdentity]) -> None:
    if _identity_rows(session, workspace_id, [w.key for w in wanted]):
        raise _taken(session, workspace_id, wanted)


def _taken(session: Session, workspace_id: uuid.UUID, wanted: list[WantedIdentity]) -> IdentityTaken:
    owners = _identity_rows(session, workspace_id, [w.key for w in wanted])
    details = [
        {"kind": kind, "value": value, "owner_customer_id": str(row.customer_id)}
        for (kind, value), row in owners.items()
    ]
    return IdentityTaken("an identity already belongs to another customer", details=details)


def _checked(rule: Any, value: Any, *, loc: list[str | int]) -> Any:
    """Apply a value rule, turning its error into a 422 with the field path."""
    try:
        return rule(value)
    except PydanticCustomError as exc:
        raise ValidationFailed(
            exc.message(), details=[{"loc": loc, "msg": exc.message(), "type": exc.type}]
        ) from exc




def _search_text(q: str) -> str:
    return _checked(lambda text: values.clean_text(text, max_length=100, code="invalid_query"), q,
                    loc=["q"])

