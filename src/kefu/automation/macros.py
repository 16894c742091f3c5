"""Macros (canned responses): per-language variants with placeholders, rendered for a conversation."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.automation import placeholders
from kefu.automation.exceptions import MacroNotFound
from kefu.automation.models import Macro
from kefu.automation.schemas import AppliedMacro, MacroIn, MacroOut, MacroUpdate, RenderedMacro
from kefu.conversations import service as conversations
from kefu.conversations.enums import ActorKind
from kefu.conversations.schemas import Actor, ConversationOut
from kefu.core.errors import ValidationFailed
from kefu.customers import service as customers


def _check_placeholders(variants: dict[str, str]) -> None:
    problems = [
        {"loc": ["body", "variants", language], "msg": f"unknown placeholder {name}"}
        for language, text in variants.items()
        for name in placeholders.unknown_placeholders(text)
    ]
    if problems:
        raise ValidationFailed("a macro uses unknown placeholders", details=problems)


def create_macro(session: Session, *, workspace_id: uuid.UUID, data: MacroIn) -> MacroOut:
    """Create a macro (its placeholders must be known names)."""
    _check_placeholders(data.variants)
    row = Macro(
        workspace_id=workspace_id,
        name=data.name,
        variants=dict(data.variants),
        default_language=data.default_language,
        tags=list(data.tags),
    )
    session.add(row)
    session.flush()
    return MacroOut.model_validate(row)


def list_macros(session: Session, *, workspace_id: uuid.UUID) -> list[MacroOut]:
    """Macros of the workspace by name."""
    rows = session.scalars(
        select(Macro).where(Macro.workspace_id == workspace_id).order_by(Macro.name, Macro.id)
    )
    return [MacroOut.model_validate(r) for r in rows]


def _row(session: Session, workspace_id: uuid.UUID, macro_id: uuid.UUID) -> Macro:
    row = session.get(Macro, macro_id)
    if row is None or row.workspace_id != workspace_id:
        raise MacroNotFound("macro not found")
    return row


def get_macro(session: Session, *, workspace_id: uuid.UUID, macro_id: uuid.UUID) -> MacroOut:
    """One macro."""
    return MacroOut.model_validate(_row(session, workspace_id, macro_id))


def update_macro(
    session: Session, *, workspace_id: uuid.UUID, macro_id: uuid.UUID, data: MacroUpdate
) -> MacroOut:
    """Change a macro; the default language must keep a variant."""
    row = _row(session, workspace_id, macro_id)
    variants = dict(data.variants) if data.variants is not None else dict(row.variants)
    default = data.default_language or row.default_language
    if default not in variants:
        raise ValidationFailed(
            "default_language needs a variant",
            details=[{"loc": ["body", "default_language"], "msg": "no variant"}],
        )
    _check_placeholders(variants)
    row.variants, row.default_language = variants, default
    if data.name is not None:
        row.name = data.name
    if data.tags is not None:
        row.tags = list(data.tags)
    session.flush()
    return MacroOut.model_validate(row)


def delete_macro(session: Session, *, workspace_id: uuid.UUID, macro_id: uuid.UUID) -> None:
    """Delete a macro (rules that send it skip it from then on and say so on the timeline)."""
    session.delete(_row(session, workspace_id, macro_id))
    session.flush()


def render_macro(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    macro_id: uuid.UUID,
    conversation_id: uuid.UUID,
    agent_id: uuid.UUID | None,
) -> RenderedMacro:
    """The macro's text for a conversation, in its detected language (else the customer's, else defaults)."""
    macro = _row(session, workspace_id, macro_id)
    conversation = conversations.get_conversation(
        session, workspace_id=workspace_id, conversation_id=conversation_id
    )
    return _render(session, macro, conversation, agent_id)


def _render(
    session: Session, macro: Macro, conversation: ConversationOut, agent_id: uuid.UUID | None
) -> RenderedMacro:
    workspace = accounts.get_workspace(session, workspace_id=conversation.workspace_id)
    customer = customers.get_customer(
        session, workspace_id=conversation.workspace_id, customer_id=conversation.customer_id
    )
    language, source = placeholders.pick_variant(
        macro.variants,
        [
            ("conversation", conversation.language),
            ("customer", customer.language),
            ("workspace", workspace.default_language),
            ("macro_default", macro.default_language),
        ],
    )
    agent_name = None
    if agent_id is not None:
        agent_name = accounts.get_agent(
            session, workspace_id=conversation.workspace_id, agent_id=agent_id
        ).display_name
    name = (customer.name or "").strip()
    values = {
        "customer.name": name or None,
        "customer.first_name": name.split()[0] if name else None,
        "agent.name": agent_name,
        "conversation.id": str(conversation.id),
        "conversation.subject": conversation.subject or None,
        "workspace.name": workspace.name,
    }
    text, missing = placeholders.render(macro.variants[language], values)
    return RenderedMacro(
        macro_id=macro.id, language=language, language_source=source, text=text, missing=missing
    )


def apply_macro(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    macro_id: uuid.UUID,
    conversation_id: uuid.UUID,
    actor: Actor,
) -> AppliedMacro:
    """Send the rendered macro as a reply in the conversation's language and add its tags."""
    macro = _row(session, workspace_id, macro_id)
    conversation = conversations.get_conversation(
        session, workspace_id=workspace_id, conversation_id=conversation_id
    )
    agent_id = actor.id if actor.kind == ActorKind.AGENT else conversation.assignee_id
    rendered = _render(session, macro, conversation, agent_id)
    message = conversations.send_reply(
        session,
        workspace_id=workspace_id,
        conversation_id=conversation_id,
        text=rendered.text,
        actor=actor,
        language=rendered.language,
    )
    if macro.tags:
        conversations.change_tags(
            session,
            workspace_id=workspace_id,
            conversation_id=conversation_id,
            add=macro.tags,
            remove=[],
            actor=actor,
        )
    return AppliedMacro(**rendered.model_dump(), message_id=message.id)
