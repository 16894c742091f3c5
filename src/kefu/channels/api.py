"""HTTP API of channels: inboxes (admins), provider webhooks (signed by the provider), the ledger."""

from __future__ import annotations

import functools
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from kefu.accounts.dependencies import CurrentPrincipal, require_role
from kefu.accounts.enums import Role
from kefu.accounts.schemas import Principal
from kefu.channels import service
from kefu.channels.adapters.base import WebhookRequest
from kefu.channels.attachments import AttachmentStore
from kefu.channels.enums import DeliveryStatus, EntryStatus
from kefu.channels.schemas import (
    DeliveryOut,
    InboundEntryDetail,
    InboundEntryOut,
    InboxIn,
    InboxOut,
    InboxPatch,
    ReplayOut,
    StoredAttachmentOut,
)
from kefu.channels.tasks import PROCESS_JOB
from kefu.core.errors import NotFound
from kefu.core.paging import MAX_LIMIT, Page
from kefu.core.secretbox import SecretBox
from kefu.db.commit_hooks import after_commit
from kefu.db.session import DbSession, UnitOfWorkRoute

router = APIRouter(tags=["channels"], route_class=UnitOfWorkRoute)

AdminPrincipal = Annotated[Principal, Depends(require_role(Role.ADMIN))]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[str | None, Query(max_length=200)]


async def secret_box(request: Request) -> SecretBox:
    """The process's secret box (sealing inbox secrets)."""
    box: SecretBox = request.app.state.container.secret_box
    return box


async def raw_request(request: Request) -> WebhookRequest:
    """The provider's request as received, body unparsed."""
    return WebhookRequest(
        method=request.method,
        url=str(request.url),
        query=dict(request.query_params),
        headers={name.lower(): value for name, value in request.headers.items()},
        body=await request.body(),
    )


Box = Annotated[SecretBox, Depends(secret_box)]
Raw = Annotated[WebhookRequest, Depends(raw_request)]


def _inbox_key(inbox_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(inbox_id)
    except ValueError as exc:
        raise NotFound("inbox not found") from exc


def _enqueue_after_commit(request: Request, session: Session, job: str, ids: list[uuid.UUID]) -> None:
    """Queue one job per id once the request's transaction has committed."""
    enqueue = request.app.state.container.runtime.enqueue
    for key in ids:
        after_commit(session, functools.partial(enqueue, job, str(key)))


def _public_base(request: Request) -> str:
    configured = request.app.state.container.settings.public_url
    return str(configured or str(request.base_url)).rstrip("/")


def _with_embed(inbox: InboxOut, request: Request) -> InboxOut:
    """A widget inbox's answer with its `<script>` tag (absolute: it goes on another site)."""
    if inbox.widget_url is None:
        return inbox
    base = _public_base(request)
    snippet = f'<script src="{base}/static/widget/embed.js" data-kefu-inbox="{inbox.id}" async></script>'
    return inbox.model_copy(update={"embed_snippet": snippet})


@router.post("/inboxes", response_model=InboxOut, status_code=201)
def create_inbox(
    data: InboxIn, principal: AdminPrincipal, session: DbSession, box: Box, request: Request
) -> object:
    """Create an inbox; the answer carries its `webhook_url` to paste into the provider's console."""
    return _with_embed(
        service.create_inbox(session, workspace_id=principal.workspace_id, data=data, box=box), request
    )


@router.get("/inboxes", response_model=Page[InboxOut])
def list_inboxes(
    principal: AdminPrincipal, session: DbSession, box: Box, cursor: Cursor = None, limit: Limit = 50
) -> object:
    """Inboxes of the workspace, newest first (secrets are never shown)."""
    return service.list_inboxes(
        session, workspace_id=principal.workspace_id, box=box, cursor=cursor, limit=limit
    )


@router.get("/inboxes/{inbox_id}", response_model=InboxOut)
def read_inbox(
    inbox_id: uuid.UUID, principal: AdminPrincipal, session: DbSession, box: Box, request: Request
) -> object:
    """One inbox (with its health, for IMAP mailboxes; with its embed snippet, for chat widgets)."""
    return _with_embed(
        service.get_inbox(session, workspace_id=principal.workspace_id, inbox_id=inbox_id, box=box), request
    )


@router.patch("/inboxes/{inbox_id}", response_model=InboxOut)
def update_inbox(
    inbox_id: uuid.UUID, data: InboxPatch, principal: AdminPrincipal, session: DbSession, box: Box
) -> object:
    """Change name, hints, settings (a secret given replaces the stored one) or the active flag."""
    return service.update_inbox(
        session, workspace_id=principal.workspace_id, inbox_id=inbox_id, data=data, box=box
    )


@router.post("/inboxes/{inbox_id}/disable", response_model=InboxOut)
def disable_inbox(inbox_id: uuid.UUID, principal: AdminPrincipal, session: DbSession, box: Box) -> object:
    """Switch an inbox off (its webhook then answers 404); PATCH `is_active` switches it back on."""
    return service.disable_inbox(session, workspace_id=principal.workspace_id, inbox_id=inbox_id, box=box)


@router.get("/channels/{channel}/{inbox_id}/webhook")
def verify_webhook(channel: str, inbox_id: str, raw: Raw, session: DbSession, box: Box) -> Response:
    """The provider's GET verification of the URL (Graph `hub.challenge`, WeChat `echostr`)."""
    answer = service.answer_handshake(
        session, channel=channel, inbox_id=_inbox_key(inbox_id), request=raw, box=box
    )
    return Response(answer.body, media_type=answer.content_type)


@router.post("/channels/{channel}/{inbox_id}/webhook")
def receive_webhook(
    channel: str,
    inbox_id: str,
    raw: Raw,
    session: DbSession,
    box: Box,
    request: Request,
) -> Response:
    """A provider's delivery: verified, stored raw and in the ledger, committed, then answered 200."""
    accepted = service.accept_webhook(
        session, channel=channel, inbox_id=_inbox_key(inbox_id), request=raw, box=box
    )
    if accepted.malformed is not None:
        return JSONResponse(
            status_code=400,
            content={"error": {"code": "malformed_payload", "message": accepted.malformed, "details": None}},
        )
    _enqueue_after_commit(request, session, PROCESS_JOB, accepted.entry_ids)
    if accepted.reply is not None:
        return Response(accepted.reply, media_type=accepted.reply_content_type)
    return JSONResponse({"accepted": len(accepted.entry_ids), "duplicates": accepted.duplicates})


@router.get("/channels/inbound", response_model=Page[InboundEntryOut])
def list_inbound(
    principal: AdminPrincipal,
    session: DbSession,
    status: EntryStatus | None = None,
    inbox_id: uuid.UUID | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> object:
    """The inbound ledger, newest first; `status=parked` lists what keeps failing."""
    return service.list_entries(
        session,
        workspace_id=principal.workspace_id,
        status=status,
        inbox_id=inbox_id,
        cursor=cursor,
        limit=limit,
    )


@router.get("/channels/inbound/{entry_id}", response_model=InboundEntryDetail)
def read_inbound(entry_id: uuid.UUID, principal: AdminPrincipal, session: DbSession) -> object:
    """One ledger entry with its raw request (body and audit headers)."""
    return service.get_entry(session, workspace_id=principal.workspace_id, entry_id=entry_id)


@router.post("/channels/replay", response_model=ReplayOut, status_code=202)
def replay_inbound(
    principal: AdminPrincipal,
    session: DbSession,
    request: Request,
    inbox_id: uuid.UUID | None = None,
    entry_id: uuid.UUID | None = None,
) -> object:
    """Process parked entries again (all of the workspace, of one inbox, or one entry)."""
    ids = service.replay_parked(
        session, workspace_id=principal.workspace_id, inbox_id=inbox_id, entry_id=entry_id
    )
    _enqueue_after_commit(request, session, PROCESS_JOB, ids)
    return ReplayOut(replayed=len(ids))


@router.get("/channels/deliveries", response_model=list[DeliveryOut])
def list_deliveries(
    principal: AdminPrincipal,
    session: DbSession,
    conversation_id: uuid.UUID | None = None,
    message_id: uuid.UUID | None = None,
    status: DeliveryStatus | None = None,
    limit: Limit = 50,
) -> object:
    """Outbound deliveries with their channel status (sent, delivered, read, failed and why)."""
    return service.list_deliveries(
        session,
        workspace_id=principal.workspace_id,
        conversation_id=conversation_id,
        message_id=message_id,
        status=status,
        limit=limit,
    )


@router.get("/attachments/{attachment_id}/meta", response_model=StoredAttachmentOut)
def read_attachment_meta(attachment_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession) -> object:
    """Size, sniffed content type and hash of a kept file."""
    return service.get_attachment(session, workspace_id=principal.workspace_id, attachment_id=attachment_id)


@router.get("/attachments/{attachment_id}", response_class=Response)
def download_attachment(
    attachment_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession, request: Request
) -> Response:
    """A kept file, as a download (never rendered inline: customer files are data, not pages)."""
    meta = service.get_attachment(session, workspace_id=principal.workspace_id, attachment_id=attachment_id)
    store: AttachmentStore = request.app.state.container.attachment_store
    try:
        content = store.read(meta.sha256)
    except FileNotFoundError as exc:
        raise NotFound("the file of this attachment is missing from the store") from exc
    return Response(
        content,
        media_type=meta.content_type,
        headers={"Content-Disposition": "attachment", "X-Content-Type-Options": "nosniff"},
    )
