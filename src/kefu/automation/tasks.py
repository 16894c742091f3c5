"""Background jobs of automation: time rules, overdue hand-offs, and the webhook action's POST."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from kefu.automation import handoffs, service
from kefu.jobs.unit_of_work import unit_of_work
from kefu.outbound.client import OutboundPolicy, guarded_client

log = logging.getLogger(__name__)

TIME_RULES_JOB = "automation.time_rules"
HANDOFFS_OVERDUE_JOB = "automation.handoffs_overdue"
WEBHOOK_JOB = "automation.call_webhook"
WEBHOOK_TIMEOUT_SECONDS = 10.0


def time_rules_job(session_factory: sessionmaker[Session]) -> Callable[[], int]:
    """A periodic job evaluating time rules in one transaction."""

    def run() -> int:
        """Evaluate time rules on idle active conversations."""
        with unit_of_work(session_factory) as session:
            fired = service.run_time_rules(session)
        return fired

    return run


def handoffs_overdue_job(session_factory: sessionmaker[Session]) -> Callable[[], int]:
    """A periodic job escalating overdue hand-offs, one transaction per batch."""

    def run() -> int:
        """Escalate until no overdue hand-off is left."""
        total = 0
        while True:
            with unit_of_work(session_factory) as session:
                count = handoffs.escalate_overdue(session)
            total += count
            if count < handoffs.OVERDUE_BATCH:
                return total

    return run


class RuleWebhooks:
    """The webhook action: POST a conversation's facts through the guarded outbound client."""

    def __init__(self, policy: OutboundPolicy, transport: httpx.BaseTransport | None = None) -> None:
        self._policy = policy
        self._transport = transport

    def call(self, payload: dict[str, Any]) -> int | None:
        """Job: one POST (with the client's connect retries); returns the status, None when it failed."""
        body = {
            "rule_id": payload["rule_id"],
            "conversation_id": payload["conversation_id"],
            "workspace_id": payload["workspace_id"],
            "facts": payload["facts"],
        }
        try:
            with guarded_client(
                self._policy, timeout_seconds=WEBHOOK_TIMEOUT_SECONDS, retries=2, transport=self._transport
            ) as client:
                status = client.post(payload["url"], json=body).status_code
        except httpx.HTTPError as exc:
            log.warning("rule webhook for rule %s failed: %s", payload["rule_id"], type(exc).__name__)
            return None
        if status >= 400:
            log.warning("rule webhook for rule %s answered %s", payload["rule_id"], status)
        return status
