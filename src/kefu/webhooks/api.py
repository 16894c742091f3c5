"""HTTP API of webhooks (admins only): endpoints, secret rotation, test pings, the delivery log."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from kefu.accounts.dependencies import require_role
from kefu.accounts.enums import Role
from kefu.accounts.schemas import Principal
from kefu.core.events import event_types
from kefu.core.paging import Cursor, Limit, Page
from kefu.core.secretbox import SecretBox
from kefu.db.commit_hooks import after_commit
from kefu.db.session import DbSession, UnitOfWorkRoute
from kefu.webhooks import service
from kefu.webhooks.enums import DeliveryStatus
from kefu.webhooks.schemas import (
    ALL_EVENTS,
    DeliveryDetail,
    DeliveryOut,
    EndpointCreated,
    EndpointIn,
    EndpointOut,
    EndpointUpdate,
    EventTypesOut,
    RotateSecretIn,
    SecretRotated,
)
from kefu.webhooks.tasks import DELIVER_JOB

router = APIRouter(prefix="/webhooks", tags=["webhooks"], route_class=UnitOfWorkRoute)

AdminPrincipal = Annotated[Principal, Depends(require_role(Role.ADMIN))]


async def secret_box(request: Request) -> SecretBox:
    """The process's keyring (signing secrets are stored sealed)."""
    box: SecretBox = request.app.state.container.secret_box
    return box


Box = Annotated[SecretBox, Depends(secret_box)]


def _send_after_commit(request: Request, session: Session, delivery: DeliveryOut) -> None:
    """Queue the delivery job once the request's transaction has committed."""
    enqueue = request.app.state.container.runtime.enqueue
    after_commit(session, lambda: enqueue(DELIVER_JOB, str(delivery.id)))


@router.get("/event-types", response_model=EventTypesOut)
def read_event_types(_principal: AdminPrincipal) -> EventTypesOut:
    """Event types an endpoint may subscribe to; `*` subscribes to all."""
    return EventTypesOut(event_types=[ALL_EVENTS, *event_types()])


@router.post("/endpoints", response_model=EndpointCreated, status_code=201)
def create_endpoint(
    data: EndpointIn, principal: AdminPrincipal, session: DbSession, request: Request, box: Box
) -> EndpointCreated:
    """Create an endpoint; the answer carries its signing secret, shown only here."""
    return service.create_endpoint(
        session, workspace_id=principal.workspace_id, data=data,
        policy=request.app.state.container.outbound, box=box,
    )


@router.get("/endpoints", response_model=Page[EndpointOut])
def list_endpoints(
    principal: AdminPrincipal, session: DbSession, box: Box, cursor: Cursor = None, limit: Limit = 50
) -> Page[EndpointOut]:
    """Endpoints of the workspace, newest first."""
    return service.list_endpoints(
        session, workspace_id=principal.workspace_id, box=box, cursor=cursor, limit=limit
    )


@router.get("/endpoints/{endpoint_id}", response_model=EndpointOut)
def read_endpoint(
    endpoint_id: uuid.UUID, principal: AdminPrincipal, session: DbSession, box: Box
) -> EndpointOut:
    """One endpoint (without its secret)."""
    return service.get_endpoint(
        session, workspace_id=principal.workspace_id, endpoint_id=endpoint_id, box=box
    )


@router.patch("/endpoints/{endpoint_id}", response_model=EndpointOut)
def update_endpoint(
    endpoint_id: uuid.UUID, data: EndpointUpdate, principal: AdminPrincipal, session: DbSession,
    request: Request, box: Box,
) -> EndpointOut:
    """Change URL, description, event types or the active flag."""
    return service.update_endpoint(
        session, workspace_id=principal.workspace_id, endpoint_id=endpoint_id, data=data,
        policy=request.app.state.container.outbound, box=box,
    )


@router.delete("/endpoints/{endpoint_id}", status_code=204)
def delete_endpoint(endpoint_id: uuid.UUID, principal: AdminPrincipal, session: DbSession) -> Response:
    """Delete an endpoint and its delivery log."""
    service.delete_endpoint(session, workspace_id=principal.workspace_id, endpoint_id=endpoint_id)
    return Response(status_code=204)


@router.post("/endpoints/{endpoint_id}/rotate-secret", response_model=SecretRotated)
def rotate_secret(
    endpoint_id: uuid.UUID,
    principal: AdminPrincipal,
    session: DbSession,
    box: Box,
    data: RotateSecretIn | None = None,
) -> SecretRotated:
    """Issue a new signing secret (shown only here); the old one signs alongside during the grace."""
    grace = (data or RotateSecretIn()).grace_seconds
    return service.rotate_endpoint_secret(
        session, workspace_id=principal.workspace_id, endpoint_id=endpoint_id, grace_seconds=grace,
        box=box,
    )


@router.post("/endpoints/{endpoint_id}/ping", response_model=DeliveryOut, status_code=202)
def ping_endpoint(
    endpoint_id: uuid.UUID,
    principal: AdminPrincipal,
    session: DbSession,
    request: Request,
) -> DeliveryOut:
    """Send a signed `webhook.ping` to the endpoint; follow it in the delivery log."""
    delivery = service.create_ping_delivery(
        session, workspace_id=principal.workspace_id, endpoint_id=endpoint_id
    )
    _send_after_commit(request, session, delivery)
    return delivery


@router.get("/deliveries", response_model=Page[DeliveryOut])
def list_deliveries(
    principal: AdminPrincipal,
    session: DbSession,
    endpoint_id: uuid.UUID | None = None,
    status: DeliveryStatus | None = None,
    event_type: Annotated[str | None, Query(max_length=80, pattern=r"^[a-z0-9_.]+$")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[DeliveryOut]:
    """The delivery log, newest first, filtered by endpoint, status or event type."""
    return service.list_deliveries(
        session,
        workspace_id=principal.workspace_id,
        endpoint_id=endpoint_id,
        status=status,
        event_type=event_type,
        cursor=cursor,
        limit=limit,
    )


@router.get("/deliveries/{delivery_id}", response_model=DeliveryDetail)
def read_delivery(delivery_id: uuid.UUID, principal: AdminPrincipal, session: DbSession) -> DeliveryDetail:
    """One delivery with the body it sends and its attempts (status, answer snippet, duration)."""
    return service.get_delivery(session, workspace_id=principal.workspace_id, delivery_id=delivery_id)


@router.post("/deliveries/{delivery_id}/redeliver", response_model=DeliveryOut, status_code=202)
def redeliver(
    delivery_id: uuid.UUID,
    principal: AdminPrincipal,
    session: DbSession,
    request: Request,
) -> DeliveryOut:
    """Send a finished delivery once more with the same body."""
    delivery = service.redeliver(session, workspace_id=principal.workspace_id, delivery_id=delivery_id)
    _send_after_commit(request, session, delivery)
    return delivery
