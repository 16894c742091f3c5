"""HTTP API of the customers domain (thin: parse, call the service, shape the answer)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from kefu.accounts.dependencies import CurrentPrincipal, require_role
from kefu.accounts.enums import Role
from kefu.accounts.schemas import Principal
from kefu.core.paging import Cursor, Limit, Page
from kefu.customers import service
from kefu.customers.enums import IdentityKind, VipTier
from kefu.customers.exceptions import CustomerNotFound
from kefu.customers.identities import MAX_VALUE_LENGTH
from kefu.customers.schemas import (
    CustomerIn,
    CustomerMergeOut,
    CustomerOut,
    CustomerUpdate,
    IdentityIn,
    IdentityVerifiedIn,
    MergeIn,
    ResolvedCustomer,
    ResolveIn,
)
from kefu.db.session import DbSession, UnitOfWorkRoute

router = APIRouter(prefix="/customers", tags=["customers"], route_class=UnitOfWorkRoute)

Writer = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.SUPERVISOR, Role.AGENT))]
Manager = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.SUPERVISOR))]


@router.post("", response_model=CustomerOut, status_code=201)
def create_customer(data: CustomerIn, principal: Writer, session: DbSession) -> CustomerOut:
    """Create a customer with its identities."""
    return service.create_customer(session, workspace_id=principal.workspace_id, data=data)


@router.get("", response_model=Page[CustomerOut])
def list_customers(
    principal: CurrentPrincipal,
    session: DbSession,
    limit: Limit = 50,
    cursor: Cursor = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    vip_tier: VipTier | None = None,
    market: Annotated[str | None, Query(max_length=2)] = None,
    language: Annotated[str | None, Query(max_length=35)] = None,
    q: Annotated[str | None, Query(max_length=100, description="Text in the name or an identity")] = None,
) -> Page[CustomerOut]:
    """Customers newest first, merged ones hidden, filtered by tag, VIP tier, market, language, text."""
    return service.list_customers(
        session, workspace_id=principal.workspace_id, limit=limit, cursor=cursor, tag=tag,
        vip_tier=vip_tier, market=market, language=language, q=q,
    )


@router.post("/resolve", response_model=ResolvedCustomer)
def resolve_customer(data: ResolveIn, principal: Writer, session: DbSession) -> ResolvedCustomer:
    """Find or create the one customer behind a contact's identities (as inbound channels do)."""
    return service.resolve_customer(
        session, workspace_id=principal.workspace_id, identities=data.identities, name=data.name,
        language=data.language, market=data.market,
    )


@router.get("/lookup", response_model=CustomerOut)
def lookup_customer(
    principal: CurrentPrincipal,
    session: DbSession,
    kind: IdentityKind,
    value: Annotated[str, Query(min_length=1, max_length=MAX_VALUE_LENGTH)],
    market: Annotated[
        str | None, Query(max_length=2, description="Reads a national phone number in this market")
    ] = None,
) -> CustomerOut:
    """The customer owning an identity (normalised like on input), or 404."""
    found = service.find_customer_by_identity(
        session, workspace_id=principal.workspace_id, kind=kind, value=value, market=market
    )
    if found is None:
        raise CustomerNotFound("no customer has this identity")
    return found


@router.get("/{customer_id}", response_model=CustomerOut)
def read_customer(
    customer_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    follow_merges: Annotated[
        bool, Query(description="False shows a merged customer itself instead of its target")
    ] = True,
) -> CustomerOut:
    """A customer; the id of a merged customer leads to the customer it was merged into."""
    return service.get_customer(
        session, workspace_id=principal.workspace_id, customer_id=customer_id,
        follow_merges=follow_merges,
    )


@router.patch("/{customer_id}", response_model=CustomerOut)
def update_customer(
    customer_id: uuid.UUID, data: CustomerUpdate, principal: Writer, session: DbSession
) -> CustomerOut:
    """Change attributes; custom fields merge key by key (null removes a key), tags replace."""
    return service.update_customer(
        session, workspace_id=principal.workspace_id, customer_id=customer_id, data=data
    )


@router.delete("/{customer_id}", status_code=204)
def delete_customer(customer_id: uuid.UUID, principal: Manager, session: DbSession) -> Response:
    """Delete a customer and its identities (409 while conversations still refer to it)."""
    service.delete_customer(
        session, workspace_id=principal.workspace_id, customer_id=customer_id,
        actor_agent_id=principal.agent_id,
    )
    return Response(status_code=204)


@router.post("/{customer_id}/identities", response_model=CustomerOut, status_code=201)
def add_identity(
    customer_id: uuid.UUID, data: IdentityIn, principal: Writer, session: DbSession
) -> CustomerOut:
    """Add an identity; national phone numbers are read in the customer's market."""
    return service.add_identity(
        session, workspace_id=principal.workspace_id, customer_id=customer_id, identity=data
    )


@router.patch("/{customer_id}/identities/{identity_id}", response_model=CustomerOut)
def verify_identity(
    customer_id: uuid.UUID, identity_id: uuid.UUID, data: IdentityVerifiedIn, principal: Writer,
    session: DbSession,
) -> CustomerOut:
    """Mark an identity verified (proven owned by the customer) or not."""
    return service.set_identity_verified(
        session, workspace_id=principal.workspace_id, customer_id=customer_id,
        identity_id=identity_id, verified=data.verified,
    )


@router.delete("/{customer_id}/identities/{identity_id}", response_model=CustomerOut)
def remove_identity(
    customer_id: uuid.UUID, identity_id: uuid.UUID, principal: Writer, session: DbSession
) -> CustomerOut:
    """Remove an identity from a customer."""
    return service.remove_identity(
        session, workspace_id=principal.workspace_id, customer_id=customer_id, identity_id=identity_id
    )


@router.post("/{customer_id}/merge", response_model=CustomerOut)
def merge_customer(
    customer_id: uuid.UUID, data: MergeIn, principal: Manager, session: DbSession
) -> CustomerOut:
    """Merge the customer `source_id` into this one (supervisors and admins: it cannot be undone)."""
    return service.merge_customers(
        session, workspace_id=principal.workspace_id, source_id=data.source_id,
        target_id=customer_id, actor_agent_id=principal.agent_id,
    )


@router.get("/{customer_id}/merges", response_model=Page[CustomerMergeOut])
def list_merges(
    customer_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession, limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[CustomerMergeOut]:
    """Merge audit: merges in which this customer was the source or the target, newest first."""
    return service.list_merges(
        session, workspace_id=principal.workspace_id, customer_id=customer_id, limit=limit,
        cursor=cursor,
    )
