"""Delivery jobs: send one delivery (claim, POST, record) and re-enqueue due retries every minute."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from kefu.core import clock
from kefu.core.secretbox import SecretBox
from kefu.jobs.unit_of_work import unit_of_work
from kefu.outbound.client import OutboundPolicy, guarded_client
from kefu.webhooks import service
from kefu.webhooks.sending import send

log = logging.getLogger(__name__)

DELIVER_JOB = "webhooks.deliver"
RETRY_DUE_JOB = "webhooks.retry_due"
LEASE_MARGIN_SECONDS = 60
DUE_BATCH = 500

Enqueue = Callable[..., Any]


class DeliveryJobs:
    """The webhook jobs of one process, bound to its sessions, job queue and HTTP transport."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        enqueue: Enqueue,
        *,
        timeout_seconds: float,
        policy: OutboundPolicy,
        box: SecretBox,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._box = box
        self._enqueue = enqueue
        self._timeout = timeout_seconds
        self._transport = transport
        self._policy = policy

    def deliver(self, delivery_id: str) -> None:
        """Job: attempt one delivery if it is due and not taken; schedule its retry when it fails."""
        key = uuid.UUID(delivery_id)
        with unit_of_work(self._session_factory) as session:
            request = service.claim_delivery(
                session, delivery_id=key, lease_seconds=self._timeout + LEASE_MARGIN_SECONDS, box=self._box
            )
        if request is None:
            return
        with guarded_client(self._policy, timeout_seconds=self._timeout, transport=self._transport) as client:
            outcome = send(client, request)
        with unit_of_work(self._session_factory) as session:
            retry_at = service.record_attempt(session, delivery_id=key, outcome=outcome)
        if retry_at is not None:
            delay = max((retry_at - clock.now()).total_seconds(), 0.0)
            try:
                self._enqueue(DELIVER_JOB, delivery_id, delay=delay)
            except Exception:
                log.warning("could not schedule the retry of delivery %s; the minute sweep will", key)

    def retry_due(self) -> None:
        """Periodic job: enqueue every pending delivery whose attempt is due (retries survive restarts)."""
        with unit_of_work(self._session_factory) as session:
            due = service.list_due_delivery_ids(session, limit=DUE_BATCH)
        for delivery_id in due:
            self._enqueue(DELIVER_JOB, str(delivery_id))
