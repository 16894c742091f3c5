"""Write path and reads of webhook endpoints and deliveries, and the steps the delivery job takes."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kefu.core import clock
from kefu.core.errors import ValidationFailed
from kefu.core.events import EventEnvelope
from kefu.core.ids import new_id
from kefu.core.paging import Page
from kefu.core.secretbox import SEALED_PREFIX, SecretBox
from kefu.db.backend import claiming
from kefu.db.outbox import publish
from kefu.db.paging import keyset_page
from kefu.db.scoped import get_scoped
from kefu.outbound.client import OutboundPolicy, OutboundRefused
from kefu.webhooks.enums import DeliveryStatus
from kefu.webhooks.events import WebhookEndpointDisabled
from kefu.webhooks.exceptions import DeliveryPending, EndpointInactive, TooManyEndpoints
from kefu.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from kefu.webhooks.schemas import (
    ALL_EVENTS,
    AttemptOut,
    DeliveryDetail,
    DeliveryOut,
    EndpointCreated,
    EndpointIn,
    EndpointOut,
    EndpointUpdate,
    SecretRotated,
)
from kefu.webhooks.sending import AttemptOutcome, DeliveryRequest
from kefu.webhooks.signing import new_secret

MAX_ENDPOINTS_PER_WORKSPACE = 50
RETRY_DELAYS_SECONDS = (10, 60, 300, 1800, 7200, 21600, 43200)
EVENT_MAX_ATTEMPTS = len(RETRY_DELAYS_SECONDS) + 1
DISABLE_AFTER_FAILURES = 20
DISABLE_AFTER_FAILING_FOR = timedelta(hours=24)
PING_EVENT_TYPE = "webhook.ping"
ATTEMPTS_SHOWN = 100


def _open_secret(box: SecretBox, stored: str) -> str:
    """A stored signing secret in clear (a value from before sealing is still plain)."""
    return box.open_text(stored) if stored.startswith(SEALED_PREFIX) else stored


def _endpoint_out(endpoint: WebhookEndpoint, box: SecretBox) -> EndpointOut:
    return EndpointOut(
        id=endpoint.id,
        url=endpoint.url,
        description=endpoint.description,
        event_types=list(endpoint.event_types),
        is_active=endpoint.is_active,
        secret_hint="…" + _open_secret(box, endpoint.secret)[-4:],
        consecutive_failures=endpoint.consecutive_failures,
        failing_since=endpoint.failing_since,
        disabled_at=endpoint.disabled_at,
        disabled_reason=endpoint.disabled_reason,
        created_at=endpoint.created_at,
        updated_at=endpoint.updated_at,
    )


def _load_endpoint(session: Session, workspace_id: uuid.UUID, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    return get_scoped(
        session, WebhookEndpoint, endpoint_id, workspace_id=workspace_id, what="webhook endpoint"
    )


def _load_delivery(session: Session, workspace_id: uuid.UUID, delivery_id: uuid.UUID) -> WebhookDelivery:
    return get_scoped(
        session, WebhookDelivery, delivery_id, workspace_id=workspace_id, what="webhook delivery"
    )


def check_endpoint_url(url: str, *, policy: OutboundPolicy) -> None:
    """Refuse (422 `url_not_allowed`) a URL the server's outbound guard would never call."""
    try:
        policy.check_url(url)
    except OutboundRefused as exc:
        raise ValidationFailed(
            f"this URL may not receive webhooks: {exc.reason}", code="url_not_allowed",
            details={"field": "url", "reason": exc.reason},
        ) from None


def create_endpoint(
    session: Session, *, workspace_id: uuid.UUID, data: EndpointIn, policy: OutboundPolicy, box: SecretBox
) -> EndpointCreated:
    """Create an endpoint with a fresh signing secret (stored sealed), returned here once."""
    check_endpoint_url(data.url, policy=policy)
    secret = new_secret()
    count = session.scalar(
        select(func.count()).select_from(WebhookEndpoint).where(WebhookEndpoint.workspace_id == workspace_id)
    )
    if (count or 0) >= MAX_ENDPOINTS_PER_WORKSPACE:
        raise TooManyEndpoints(
            f"a workspace may have at most {MAX_ENDPOINTS_PER_WORKSPACE} webhook endpoints"
        )
    endpoint = WebhookEndpoint(
        workspace_id=workspace_id,
        url=data.url,
        description=data.description,
        event_types=list(data.event_types),
        is_active=data.is_active,
        secret=box.seal_text(secret),
        consecutive_failures=0,
    )
    session.add(endpoint)
    session.flush()
    return EndpointCreated(**_endpoint_out(endpoint, box).model_dump(), secret=secret)


def get_endpoint(
    session: Session, *, workspace_id: uuid.UUID, endpoint_id: uuid.UUID, box: SecretBox
) -> EndpointOut:
    """An endpoint of the workspace, or NotFound."""
    return _endpoint_out(_load_endpoint(session, workspace_id, endpoint_id), box)


def list_endpoints(
    session: Session, *, workspace_id: uuid.UUID, box: SecretBox, cursor: str | None = None, limit: int = 50
) -> Page[EndpointOut]:
    """Endpoints of the workspace, newest first."""
    query = select(WebhookEndpoint).where(WebhookEndpoint.workspace_id == workspace_id)
    return keyset_page(
        session, query, [WebhookEndpoint.id], limit=limit, cursor=cursor,
        out=lambda row: _endpoint_out(row, box),
    )


def update_endpoint(
    session: Session, *, workspace_id: uuid.UUID, endpoint_id: uuid.UUID, data: EndpointUpdate,
    policy: OutboundPolicy, box: SecretBox,
) -> EndpointOut:
    """Change an endpoint; deactivating fails its pending deliveries, re-activating clears its streak."""
    endpoint = _load_endpoint(session, workspace_id, endpoint_id)
    fields = data.model_fields_set
    if "url" in fields and data.url is not None:
        check_endpoint_url(data.url, policy=policy)
        endpoint.url = data.url
    if "description" in fields and data.description is not None:
        endpoint.description = data.description
    if "event_types" in fields and data.event_types is not None:
        endpoint.event_types = list(data.event_types)
    if "is_active" in fields and data.is_active is not None and data.is_active != endpoint.is_active:
        if data.is_active:
            endpoint.is_active = True
            endpoint.consecutive_failures = 0
            endpoint.failing_since = None
            endpoint.disabled_at = None
            endpoint.disabled_reason = None
        else:
            _deactivate(session, endpoint, reason="deactivated by an admin")
    session.flush()
    return _endpoint_out(endpoint, box)


def delete_endpoint(session: Session, *, workspace_id: uuid.UUID, endpoint_id: uuid.UUID) -> None:
    """Delete an endpoint with its deliveries and their log."""
    endpoint = _load_endpoint(session, workspace_id, endpoint_id)
    session.delete(endpoint)
    session.flush()


def rotate_endpoint_secret(
    session: Session, *, workspace_id: uuid.UUID, endpoint_id: uuid.UUID, grace_seconds: int, box: SecretBox
) -> SecretRotated:
    """Issue a new signing secret; the old one keeps signing beside it for `grace_seconds`."""
    endpoint = _load_endpoint(session, workspace_id, endpoint_id)
    if grace_seconds > 0:
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_expires_at = clock.now() + timedelta(seconds=grace_seconds)
    else:
        endpoint.previous_secret = None
        endpoint.previous_secret_expires_at = None
    secret = new_secret()
    endpoint.secret = box.seal_text(secret)
    session.flush()
    return SecretRotated(
        endpoint_id=endpoint.id,
        secret=secret,
        previous_secret_expires_at=endpoint.previous_secret_expires_at,
    )


def create_ping_delivery(
    session: Session, *, workspace_id: uuid.UUID, endpoint_id: uuid.UUID
) -> DeliveryOut:
    """Queue one `webhook.ping` to an active endpoint (a single attempt, no retries)."""
    endpoint = _load_endpoint(session, workspace_id, endpoint_id)
    if not endpoint.is_active:
        raise EndpointInactive("the endpoint is not active")
    delivery_id = new_id()
    now = clock.now()
    payload = {
        "id": f"ping_{delivery_id.hex}",
        "type": PING_EVENT_TYPE,
        "occurred_at": iso_utc(now),
        "workspace_id": str(workspace_id),
        "data": {"endpoint_id": str(endpoint.id)},
    }
    delivery = WebhookDelivery(
        id=delivery_id,
        workspace_id=workspace_id,
        endpoint_id=endpoint.id,
        event_id=None,
        event_type=PING_EVENT_TYPE,
        payload=payload,
        status=DeliveryStatus.PENDING,
        attempt_count=0,
        max_attempts=1,
        next_attempt_at=now,
    )
    session.add(delivery)
    session.flush()
    return DeliveryOut.model_validate(delivery)


def list_deliveries(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    endpoint_id: uuid.UUID | None = None,
    status: DeliveryStatus | None = None,
    event_type: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[DeliveryOut]:
    """Deliveries of the workspace, newest first, optionally of one endpoint, status or event type."""
    query = select(WebhookDelivery).where(WebhookDelivery.workspace_id == workspace_id)
    if endpoint_id is not None:
        query = query.where(WebhookDelivery.endpoint_id == endpoint_id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    if event_type is not None:
        query = query.where(WebhookDelivery.event_type == event_type)
    return keyset_page(
        session, query, [WebhookDelivery.id], limit=limit, cursor=cursor, out=DeliveryOut.model_validate
    )


def get_delivery(session: Session, *, workspace_id: uuid.UUID, delivery_id: uuid.UUID) -> DeliveryDetail:
    """A delivery with its body and its newest attempts."""
    delivery = _load_delivery(session, workspace_id, delivery_id)
    attempts = session.scalars(
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id == delivery.id)
        .order_by(WebhookAttempt.number.desc())
        .limit(ATTEMPTS_SHOWN)
    )
    return DeliveryDetail(
        **DeliveryOut.model_validate(delivery).model_dump(),
        payload=delivery.payload,
        attempts=[AttemptOut.model_validate(a) for a in attempts],
    )


def redeliver(session: Session, *, workspace_id: uuid.UUID, delivery_id: uuid.UUID) -> DeliveryOut:
    """Send a finished delivery once more, now, with the same body (one attempt, no retries)."""
    delivery = _load_delivery(session, workspace_id, delivery_id)
    if delivery.status == DeliveryStatus.PENDING:
        raise DeliveryPending("the delivery is still pending")
    endpoint = _load_endpoint(session, workspace_id, delivery.endpoint_id)
    if not endpoint.is_active:
        raise EndpointInactive("the endpoint is not active")
    delivery.status = DeliveryStatus.PENDING
    delivery.max_attempts = delivery.attempt_count + 1
    delivery.next_attempt_at = clock.now()
    session.flush()
    return DeliveryOut.model_validate(delivery)


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, as the API writes times."""
    return clock.as_utc(moment).isoformat().replace("+00:00", "Z")


def event_body(envelope: EventEnvelope) -> dict[str, Any]:
    """The JSON body every endpoint receives for an event."""
    return {
        "id": f"evt_{envelope.id}",
        "type": envelope.event_type,
        "occurred_at": iso_utc(envelope.occurred_at),
        "workspace_id": str(envelope.event.workspace_id),
        "data": envelope.event.model_dump(mode="json", exclude={"workspace_id"}),
    }


def _subscribed(endpoint: WebhookEndpoint, event_type: str) -> bool:
    return ALL_EVENTS in endpoint.event_types or event_type in endpoint.event_types


def create_event_deliveries(session: Session, *, envelope: EventEnvelope) -> list[uuid.UUID]:
    """One pending delivery per active endpoint of the event's workspace that wants it; idempotent.

    An endpoint receives only events that occurred once it existed: history (older events still
    in the outbox, bulk-loaded data) is never replayed to a new endpoint.
    """
    workspace_id = envelope.event.workspace_id
    endpoints = [
        endpoint
        for endpoint in session.scalars(
            select(WebhookEndpoint).where(
                WebhookEndpoint.workspace_id == workspace_id,
                WebhookEndpoint.is_active.is_(True),
                WebhookEndpoint.created_at <= envelope.occurred_at,
            )
        )
        if _subscribed(endpoint, envelope.event_type)
    ]
    if not endpoints:
        return []
    done = set(
        session.scalars(select(WebhookDelivery.endpoint_id).where(WebhookDelivery.event_id == envelope.id))
    )
    body = event_body(envelope)
    now = clock.now()
    created = [
        WebhookDelivery(
            workspace_id=workspace_id,
            endpoint_id=endpoint.id,
            event_id=envelope.id,
            event_type=envelope.event_type,
            payload=body,
            status=DeliveryStatus.PENDING,
            attempt_count=0,
            max_attempts=EVENT_MAX_ATTEMPTS,
            next_attempt_at=now,
        )
        for endpoint in endpoints
        if endpoint.id not in done
    ]
    session.add_all(created)
    session.flush()
    return [delivery.id for delivery in created]


def list_due_delivery_ids(session: Session, *, limit: int = 500) -> list[uuid.UUID]:
    """Pending deliveries whose next attempt is due, round-robin over endpoints, oldest due first.

    Each endpoint's due deliveries are numbered by due time and the lowest numbers come first,
    so an endpoint with a large backlog cannot take the whole sweep from the others.
    """
    due = (
        select(
            WebhookDelivery.id,
            WebhookDelivery.next_attempt_at,
            func.row_number()
            .over(partition_by=WebhookDelivery.endpoint_id, order_by=WebhookDelivery.next_attempt_at)
            .label("turn"),
        )
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= clock.now(),
        )
        .subquery()
    )
    return list(session.scalars(select(due.c.id).order_by(due.c.turn, due.c.next_attempt_at).limit(limit)))


def claim_delivery(
    session: Session, *, delivery_id: uuid.UUID, lease_seconds: float, box: SecretBox
) -> DeliveryRequest | None:
    """Lease a due delivery for one attempt; None when it is not due, taken or its endpoint is off."""
    now = clock.now()
    query = select(WebhookDelivery).where(
        WebhookDelivery.id == delivery_id,
        WebhookDelivery.status == DeliveryStatus.PENDING,
        WebhookDelivery.next_attempt_at <= now,
    )
    delivery = session.scalar(claiming(session, query))
    if delivery is None:
        return None
    endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
    if endpoint is None or not endpoint.is_active:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        delivery.last_error = "endpoint disabled"
        session.flush()
        return None
    delivery.next_attempt_at = now + timedelta(seconds=lease_seconds)
    session.flush()
    secrets = [_open_secret(box, endpoint.secret)]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        secrets.append(_open_secret(box, endpoint.previous_secret))
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return DeliveryRequest(
        delivery_id=delivery.id,
        url=endpoint.url,
        event_type=delivery.event_type,
        body=body,
        signing_secrets=tuple(secrets),
    )


def record_attempt(
    session: Session, *, delivery_id: uuid.UUID, outcome: AttemptOutcome
) -> datetime | None:
    """Log an attempt and move the delivery on; returns when to retry, or None when it is finished."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return None
    delivery.attempt_count += 1
    session.add(
        WebhookAttempt(
            workspace_id=delivery.workspace_id,
            delivery_id=delivery.id,
            number=delivery.attempt_count,
            attempted_at=outcome.attempted_at,
            duration_ms=outcome.duration_ms,
            status_code=outcome.status_code,
            response_snippet=outcome.response_snippet,
            error=outcome.error,
            succeeded=outcome.succeeded,
        )
    )
    delivery.last_attempt_at = outcome.attempted_at
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error
    endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
    retry_at: datetime | None = None
    if outcome.succeeded:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.delivered_at = clock.now()
        delivery.next_attempt_at = None
        if endpoint is not None:
            endpoint.consecutive_failures = 0
            endpoint.failing_since = None
    else:
        if delivery.status == DeliveryStatus.PENDING:
            if delivery.attempt_count >= delivery.max_attempts:
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = None
            else:
                retry_at = clock.now() + timedelta(seconds=retry_delay_seconds(delivery.attempt_count))
                delivery.next_attempt_at = retry_at
        if endpoint is not None and endpoint.is_active:
            _count_failure(session, endpoint, outcome.attempted_at)
            if not endpoint.is_active:
                retry_at = None
    session.flush()
    return retry_at


def retry_delay_seconds(failed_attempts: int) -> int:
    """Back-off before the next attempt after `failed_attempts` failures: 10 s, 1 min, 5 min ... 12 h."""
    return RETRY_DELAYS_SECONDS[min(failed_attempts, len(RETRY_DELAYS_SECONDS)) - 1]


def _count_failure(session: Session, endpoint: WebhookEndpoint, at: datetime) -> None:
    """Extend the failure streak; switch the endpoint off when it is both long and old."""
    endpoint.consecutive_failures += 1
    if endpoint.failing_since is None:
        endpoint.failing_since = at
    if (
        endpoint.consecutive_failures >= DISABLE_AFTER_FAILURES
        and at - endpoint.failing_since >= DISABLE_AFTER_FAILING_FOR
    ):
        _deactivate(session, endpoint, reason="too many consecutive failures")
        publish(
            session,
            WebhookEndpointDisabled(
                workspace_id=endpoint.workspace_id,
                endpoint_id=endpoint.id,
                url=endpoint.url,
                consecutive_failures=endpoint.consecutive_failures,
                failing_since=endpoint.failing_since,
            ),
        )


def _deactivate(session: Session, endpoint: WebhookEndpoint, *, reason: str) -> None:
    """Switch an endpoint off and give up its pending deliveries (they can be redelivered later)."""
    endpoint.is_active = False
    endpoint.disabled_at = clock.now()
    endpoint.disabled_reason = reason
    session.flush()
    session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.endpoint_id == endpoint.id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
        )
        .values(status=DeliveryStatus.FAILED, next_attempt_at=None, last_error="endpoint disabled")
        .execution_options(synchronize_session="fetch")
    )


def reseal_secrets(session: Session, *, box: SecretBox) -> int:
    """Re-seal every endpoint's signing secrets under the current key (all workspaces); the count changed."""
    changed = 0
    for endpoint in session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)):
        for column in ("secret", "previous_secret"):
            stored: str | None = getattr(endpoint, column)
            if stored and (not stored.startswith(SEALED_PREFIX) or box.needs_resealing(stored)):
                setattr(endpoint, column, box.seal_text(_open_secret(box, stored)))
                changed += 1
    session.flush()
    return changed
