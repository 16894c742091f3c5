"""Data protection: export everything about a customer, erase it on request, apply retention."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.audit.service import record
from kefu.channels import service as channels
from kefu.conversations import service as conversations
from kefu.core import clock
from kefu.customers import service as customers
from kefu.db.outbox import publish
from kefu.privacy.enums import RetentionAction
from kefu.privacy.events import CustomerDataExported, CustomerErased, PrivacySettingsChanged, RetentionApplied
from kefu.privacy.exceptions import CustomerWasMerged
from kefu.privacy.models import CustomerErasure, PrivacySettings
from kefu.privacy.schemas import (
    CustomerExport,
    ErasureIn,
    ErasureOut,
    PrivacySettingsOut,
    PrivacySettingsUpdate,
    RetentionRunOut,
)

RETENTION_BATCH = 200
"""Conversations one retention unit of work redacts or deletes (short transactions)."""


def get_privacy_settings(session: Session, *, workspace_id: uuid.UUID) -> PrivacySettingsOut:
    """The workspace's retention policy (none set: keep data until erased)."""
    row = session.get(PrivacySettings, workspace_id)
    if row is None:
        return PrivacySettingsOut(retention_days=None, retention_action=RetentionAction.REDACT)
    return PrivacySettingsOut(retention_days=row.retention_days, retention_action=row.retention_action)


def update_privacy_settings(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    data: PrivacySettingsUpdate,
    actor_agent_id: uuid.UUID | None,
) -> PrivacySettingsOut:
    """Change the retention policy; `retention_days: null` switches retention off."""
    row = session.get(PrivacySettings, workspace_id)
    if row is None:
        row = PrivacySettings(workspace_id=workspace_id, retention_action=RetentionAction.REDACT)
        session.add(row)
    given = data.model_fields_set
    if "retention_days" in given:
        row.retention_days = data.retention_days
    if "retention_action" in given and data.retention_action is not None:
        row.retention_action = data.retention_action
    row.updated_at = clock.now()
    session.flush()
    publish(
        session,
        PrivacySettingsChanged(
            workspace_id=workspace_id,
            actor_agent_id=actor_agent_id,
            retention_days=row.retention_days,
            retention_action=row.retention_action,
        ),
    )
    record(session, workspace_id=workspace_id, action="retention.settings_changed",
           actor_kind=_actor_kind(actor_agent_id), actor_id=actor_agent_id, target_kind="workspace",
           target_id=workspace_id,
           details={"retention_days": row.retention_days, "retention_action": str(row.retention_action)})
    return get_privacy_settings(session, workspace_id=workspace_id)


def _actor_kind(actor_agent_id: uuid.UUID | None) -> str:
    return "agent" if actor_agent_id else "system"


def _own_customer_id(session: Session, workspace_id: uuid.UUID, customer_id: uuid.UUID) -> uuid.UUID:
    """The customer's id, refusing a merged customer's (its data lives with the target)."""
    found = customers.get_customer(
        session, workspace_id=workspace_id, customer_id=customer_id, follow_merges=False
    )
    if found.merged_into_id is not None:
        raise CustomerWasMerged(
            "this customer was merged; use the customer it was merged into",
            details={"merged_into_id": str(found.merged_into_id)},
        )
    return found.id


def _erasures(session: Session, workspace_id: uuid.UUID, customer_id: uuid.UUID) -> list[CustomerErasure]:
    return list(
        session.scalars(
            select(CustomerErasure)
            .where(CustomerErasure.workspace_id == workspace_id, CustomerErasure.customer_id == customer_id)
            .order_by(CustomerErasure.created_at, CustomerErasure.id)
        )
    )


def export_customer(
    session: Session, *, workspace_id: uuid.UUID, customer_id: uuid.UUID, actor_agent_id: uuid.UUID | None
) -> CustomerExport:
    """Everything stored about one customer (identities, conversations, messages, timeline), as JSON."""
    own_id = _own_customer_id(session, workspace_id, customer_id)
    customer = customers.get_customer(session, workspace_id=workspace_id, customer_id=own_id)
    ids = conversations.list_customer_conversation_ids(session, workspace_id=workspace_id, customer_id=own_id)
    exported = conversations.export_conversations(session, workspace_id=workspace_id, conversation_ids=ids)
    publish(
        session,
        CustomerDataExported(
            workspace_id=workspace_id,
            customer_id=own_id,
            actor_agent_id=actor_agent_id,
            conversations=len(ids),
        ),
    )
    record(session, workspace_id=workspace_id, action="customer.exported",
           actor_kind=_actor_kind(actor_agent_id), actor_id=actor_agent_id, target_kind="customer",
           target_id=own_id, details={"conversations": len(ids)})
    return CustomerExport(
        exported_at=clock.now(),
        customer=customer.model_dump(mode="json"),
        conversations=exported,
        erasures=[ErasureOut.model_validate(e) for e in _erasures(session, workspace_id, own_id)],
    )


def erase_customer(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    customer_id: uuid.UUID,
    data: ErasureIn,
    actor_agent_id: uuid.UUID | None,
) -> ErasureOut:
    """Remove a customer's personal data and what was written in their conversations; idempotent.

    The customer row, its conversations (status, times, counters, language, intent, sentiment)
    and so every report's numbers stay; name, identities, tags, custom fields, message texts,
    attachments and the raw provider requests go. A second request finds nothing left to remove
    and answers the first erasure record (`already_erased`).
    """
    own_id = _own_customer_id(session, workspace_id, customer_id)
    earlier = _erasures(session, workspace_id, own_id)
    identities = customers.anonymise_customer(session, workspace_id=workspace_id, customer_id=own_id)
    ids = conversations.list_customer_conversation_ids(session, workspace_id=workspace_id, customer_id=own_id)
    messages = conversations.redact_conversations(session, workspace_id=workspace_id, conversation_ids=ids)
    channels.redact_conversations(session, workspace_id=workspace_id, conversation_ids=ids)
    if earlier and identities == 0 and messages == 0:
        return ErasureOut.model_validate(earlier[0]).model_copy(update={"already_erased": True})
    erasure = CustomerErasure(
        workspace_id=workspace_id,
        customer_id=own_id,
        actor_agent_id=actor_agent_id,
        reason=data.reason,
        identities_removed=identities,
        conversations_redacted=len(ids),
        messages_redacted=messages,
        created_at=clock.now(),
    )
    session.add(erasure)
    session.flush()
    publish(
        session,
        CustomerErased(
            workspace_id=workspace_id,
            customer_id=own_id,
            erasure_id=erasure.id,
            actor_agent_id=actor_agent_id,
            identities_removed=identities,
            conversations_redacted=len(ids),
            messages_redacted=messages,
        ),
    )
    # Counts only: the reason is free text and may name the customer; it stays in the erasure record.
    record(session, workspace_id=workspace_id, action="customer.erased",
           actor_kind=_actor_kind(actor_agent_id), actor_id=actor_agent_id, target_kind="customer",
           target_id=own_id,
           details={"erasure_id": str(erasure.id), "identities_removed": identities,
                    "conversations_redacted": len(ids), "messages_redacted": messages})
    return ErasureOut.model_validate(erasure)


def list_retention_workspaces(session: Session) -> list[uuid.UUID]:
    """Workspaces with a retention policy (all workspaces; for the retention job)."""
    return list(
        session.scalars(
            select(PrivacySettings.workspace_id)
            .where(PrivacySettings.retention_days.is_not(None))
            .order_by(PrivacySettings.workspace_id)
        )
    )


def apply_retention(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    limit: int = RETENTION_BATCH,
    actor_agent_id: uuid.UUID | None = None,
) -> RetentionRunOut:
    """Redact or delete up to `limit` conversations idle for longer than the workspace keeps data.

    Idempotent: redacted conversations are not picked again, deleted ones are gone. The job
    calls this until it returns fewer than `limit`.
    """
    policy = session.get(PrivacySettings, workspace_id)
    if policy is None or policy.retention_days is None:
        return RetentionRunOut(action=None, cutoff=None, conversations=0)
    cutoff: datetime = clock.now() - timedelta(days=policy.retention_days)
    action = RetentionAction(policy.retention_action)
    ids = conversations.list_conversations_idle_since(
        session,
        workspace_id=workspace_id,
        before=cutoff,
        unredacted=action == RetentionAction.REDACT,
        limit=limit,
    )
    if ids:
        channels.redact_conversations(session, workspace_id=workspace_id, conversation_ids=ids)
        if action == RetentionAction.REDACT:
            conversations.redact_conversations(session, workspace_id=workspace_id, conversation_ids=ids)
        else:
            conversations.delete_conversations(session, workspace_id=workspace_id, conversation_ids=ids)
        publish(
            session,
            RetentionApplied(workspace_id=workspace_id, action=action, cutoff=cutoff, conversations=len(ids)),
        )
        record(session, workspace_id=workspace_id, action="retention.applied",
               actor_kind=_actor_kind(actor_agent_id), actor_id=actor_agent_id, target_kind="workspace",
               target_id=workspace_id,
               details={"action": str(action), "cutoff": cutoff.isoformat(), "conversations": len(ids)})
    return RetentionRunOut(action=action, cutoff=cutoff, conversations=len(ids))
