"""Write path and reads of inboxes, the inbound ledger and outbound deliveries."""

from __future__ import annotations

import dataclasses
import email.utils
import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kefu.channels import items as ledger_items
from kefu.channels.adapters.base import (
    Adapter,
    DeliveryState,
    Handshake,
    InboundMessage,
    MalformedPayload,
    Media,
    OutboundMessage,
    StatusUpdate,
    VerificationFailed,
    WebhookRequest,
)
from kefu.channels.adapters.registry import API_BASE_URL, adapter_for, settings_of
from kefu.channels.adapters.widget.adapter import user_hash
from kefu.channels.attachments import AttachmentStore, sniff_content_type
from kefu.channels.enums import DeliveryStatus, EntryKind, EntryStatus, InboxChannel, RequestOutcome
from kefu.channels.models import (
    EmailThreadKey,
    InboundEntry,
    InboundRequest,
    Inbox,
    MailboxState,
    OutboundDelivery,
    StoredAttachment,
)
from kefu.channels.schemas import (
    DeliveryOut,
    InboundEntryDetail,
    InboundEntryOut,
    InboundRequestOut,
    InboxIn,
    InboxOut,
    InboxPatch,
    InboxRef,
    IntakeResult,
    MailboxHealth,
    StoredAttachmentOut,
    ThreadHint,
)
from kefu.core import clock
from kefu.core.errors import Forbidden, NotFound, Unauthorized, ValidationFailed
from kefu.core.ids import new_id
from kefu.core.paging import Page
from kefu.core.secretbox import SecretBox
from kefu.db.backend import claiming, insert_ignoring, serial_writers
from kefu.db.paging import keyset_page
from kefu.db.scoped import get_scoped

log = logging.getLogger(__name__)

ENTRY_RETRY_DELAYS_SECONDS = (5, 30, 120, 600, 1800)
"""Back-off between processing attempts of a ledger entry; it is parked after one more failure."""
ENTRY_MAX_ATTEMPTS = len(ENTRY_RETRY_DELAYS_SECONDS) + 1
SEND_RETRY_DELAYS_SECONDS = (10, 60, 300, 1800, 3600)
SEND_MAX_ATTEMPTS = len(SEND_RETRY_DELAYS_SECONDS) + 1
CREDENTIAL_HEADERS = frozenset(
    {"authorization", "cookie", "proxy-authorization", "x-telegram-bot-api-secret-token"}
)
"""Headers never stored with a raw request (they carry secrets, not evidence)."""
STATE_RANK = {
    DeliveryStatus.PENDING: 0,
    DeliveryStatus.SENT: 1,
    DeliveryStatus.DELIVERED: 2,
    DeliveryStatus.READ: 3,
    DeliveryStatus.FAILED: 4,
}


MAILBOX_STALLED_AFTER = timedelta(minutes=15)
"""An IMAP folder without a successful poll for this long is reported `stalled`."""
ATTACHMENT_PREFIX = "attachment:"
"""`Media.provider_media_id` of a file kept in the attachment store: this prefix and its id."""
TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


class IntakeSink(Protocol):
    """Hands an inbound message to the customers and conversations domains (wired in `wiring.py`)."""

    def __call__(
        self, session: Session, *, inbox: InboxRef, message: InboundMessage, thread: ThreadHint | None = None
    ) -> IntakeResult:
        """Resolve the customer and store the message once; return where it landed."""
        ...


# --- inboxes -------------------------------------------------------------------------------


def webhook_path(channel: str, inbox_id: uuid.UUID) -> str:
    """The absolute path a provider posts to."""
    return f"/api/v1/channels/{channel}/{inbox_id}/webhook"


def _adapter(channel: str) -> Adapter:
    adapter = adapter_for(channel)
    if adapter is None:
        raise ValidationFailed(
            f"no adapter serves channel {str(channel)!r} yet",
            code="channel_unavailable",
            details=[{"loc": ["channel"], "msg": "not available yet", "type": "channel_unavailable"}],
        )
    return adapter


def _split_settings(
    adapter: Adapter, given: Mapping[str, Any], plain: dict[str, Any], secrets: dict[str, Any]
) -> None:
    """Merge given settings into the plain and secret parts; unknown or missing names are 422s."""
    specs = {spec.name: spec for spec in settings_of(adapter)}
    unknown = sorted(set(given) - set(specs))
    if unknown:
        raise ValidationFailed(
            "unknown settings",
            code="unknown_setting",
            details=[
                {"loc": ["settings", name], "msg": "not a setting of this channel", "type": "unknown_setting"}
                for name in unknown
            ],
        )
    for name, value in given.items():
        target = secrets if specs[name].secret else plain
        if value is None or value == "":
            target.pop(name, None)
        else:
            target[name] = str(value) if not isinstance(value, bool) else value
    for spec in specs.values():
        if spec.default is not None and spec.name not in plain and not spec.secret:
            plain[spec.name] = spec.default
    missing = [
        spec.name
        for spec in specs.values()
        if spec.required and spec.name not in (secrets if spec.secret else plain)
    ]
    if missing:
        raise ValidationFailed(
            "required settings missing",
            code="missing_setting",
            details=[
                {"loc": ["settings", name], "msg": "required", "type": "missing_setting"} for name in missing
            ],
        )
    base = str(plain.get(API_BASE_URL, ""))
    if API_BASE_URL in specs and not base.startswith(("http://", "https://")):
        raise ValidationFailed(
            "api_base_url must be an http(s) URL",
            code="invalid_setting",
            details=[{"loc": ["settings", API_BASE_URL], "msg": "http(s) URL", "type": "invalid_setting"}],
        )


def _inbox_out(inbox: Inbox, box: SecretBox, session: Session | None = None) -> InboxOut:
    adapter = adapter_for(inbox.channel)
    health = None
    if session is not None and inbox.channel == InboxChannel.EMAIL and inbox.settings.get("imap_host"):
        health = mailbox_health(session, inbox)
    return InboxOut(
        id=inbox.id,
        channel=InboxChannel(inbox.channel),
        name=inbox.name,
        settings=dict(inbox.settings),
        secrets_set=sorted(box.open(inbox.sealed_secrets)),
        language=inbox.language,
        market=inbox.market,
        team_id=inbox.team_id,
        is_active=inbox.is_active,
        disabled_at=inbox.disabled_at,
        webhook_url=webhook_path(inbox.channel, inbox.id)
        if adapter is not None and adapter.has_webhook
        else None,
        widget_url=f"/widget/{inbox.id}" if inbox.channel == InboxChannel.WIDGET else None,
        created_at=inbox.created_at,
        updated_at=inbox.updated_at,
        health=health,
    )


def _ref(inbox: Inbox) -> InboxRef:
    adapter = _adapter(inbox.channel)
    return InboxRef(
        id=inbox.id,
        workspace_id=inbox.workspace_id,
        channel=InboxChannel(inbox.channel),
        conversation_channel=adapter.conversation_channel,
        identity_kind=adapter.identity_kind,
        language=inbox.language,
        market=inbox.market,
        team_id=inbox.team_id,
    )


def create_inbox(session: Session, *, workspace_id: uuid.UUID, data: InboxIn, box: SecretBox) -> InboxOut:
    """Create an inbox; secret settings are sealed and never shown again."""
    adapter = _adapter(data.channel)
    plain: dict[str, Any] = {}
    secrets: dict[str, Any] = {}
    _split_settings(adapter, data.settings, plain, secrets)
    inbox = Inbox(
        workspace_id=workspace_id,
        channel=str(data.channel),
        name=data.name,
        settings=plain,
        sealed_secrets=box.seal(secrets),
        language=data.language,
        market=data.market,
        team_id=data.team_id,
        is_active=True,
    )
    session.add(inbox)
    session.flush()
    return _inbox_out(inbox, box)


def _load_inbox(session: Session, workspace_id: uuid.UUID, inbox_id: uuid.UUID) -> Inbox:
    return get_scoped(session, Inbox, inbox_id, workspace_id=workspace_id, what="inbox")


def get_inbox(session: Session, *, workspace_id: uuid.UUID, inbox_id: uuid.UUID, box: SecretBox) -> InboxOut:
    """An inbox of the workspace, or NotFound."""
    return _inbox_out(_load_inbox(session, workspace_id, inbox_id), box, session)


def list_inboxes(
    session: Session, *, workspace_id: uuid.UUID, box: SecretBox, cursor: str | None = None, limit: int = 50
) -> Page[InboxOut]:
    """Inboxes of the workspace, newest first."""
    query = select(Inbox).where(Inbox.workspace_id == workspace_id)
    return keyset_page(
        session, query, [Inbox.id], limit=limit, cursor=cursor, out=lambda row: _inbox_out(row, box, session)
    )


def update_inbox(
    session: Session, *, workspace_id: uuid.UUID, inbox_id: uuid.UUID, data: InboxPatch, box: SecretBox
) -> InboxOut:
    """Change name, hints, settings (merged; a given secret replaces the stored one) or the active flag."""
    inbox = _load_inbox(session, workspace_id, inbox_id)
    fields = data.model_fields_set
    if data.name is not None:
        inbox.name = data.name
    for name in ("language", "market", "team_id"):
        if name in fields:
            setattr(inbox, name, getattr(data, name))
    if data.settings is not None:
        plain = dict(inbox.settings)
        secrets = box.open(inbox.sealed_secrets)
        _split_settings(_adapter(inbox.channel), data.settings, plain, secrets)
        inbox.settings = plain
        inbox.sealed_secrets = box.seal(secrets)
    if data.is_active is not None and data.is_active != inbox.is_active:
        inbox.is_active = data.is_active
        inbox.disabled_at = None if data.is_active else clock.now()
    session.flush()
    return _inbox_out(inbox, box)


def disable_inbox(
    session: Session, *, workspace_id: uuid.UUID, inbox_id: uuid.UUID, box: SecretBox
) -> InboxOut:
    """Switch an inbox off: its webhooks answer 404 and nothing more is sent through it."""
    return update_inbox(
        session, workspace_id=workspace_id, inbox_id=inbox_id, data=InboxPatch(is_active=False), box=box
    )


# --- inbound: the webhook boundary ---------------------------------------------------------


@dataclass
class Accepted:
    """What a webhook request became: new ledger entries, duplicates, or a malformed-payload reason."""

    entry_ids: list[uuid.UUID] = field(default_factory=list)
    duplicates: int = 0
    malformed: str | None = None
    reply: str | None = None
    reply_content_type: str = "text/plain"


def _webhook_inbox(session: Session, channel: str, inbox_id: uuid.UUID) -> tuple[Inbox, Adapter]:
    inbox = session.get(Inbox, inbox_id)
    adapter = adapter_for(channel)
    if (
        inbox is None
        or adapter is None
        or not adapter.has_webhook
        or inbox.channel != channel
        or not inbox.is_active
    ):
        raise NotFound("inbox not found")
    return inbox, adapter


def redact_conversations(
    session: Session, *, workspace_id: uuid.UUID, conversation_ids: list[uuid.UUID]
) -> int:
    """Forget what the provider delivered and what was sent for these conversations; idempotent.

    Ledger entries keep their dedupe key and status (a provider's re-delivery still stores
    nothing twice) but lose their item; the raw requests behind them lose body and headers;
    outbound deliveries lose their text and recipient. Returns the ledger entries redacted.
    """
    if not conversation_ids:
        return 0
    entries = list(session.scalars(
        select(InboundEntry).where(
            InboundEntry.workspace_id == workspace_id, InboundEntry.conversation_id.in_(conversation_ids)
        )
    ))
    request_ids = {entry.request_id for entry in entries}
    for entry in entries:
        entry.item = {"redacted": True}
    if request_ids:
        session.execute(
            update(InboundRequest)
            .where(InboundRequest.workspace_id == workspace_id, InboundRequest.id.in_(request_ids))
            .values(body=b"", headers={})
            .execution_options(synchronize_session=False)
        )
    session.execute(
        update(OutboundDelivery)
        .where(
            OutboundDelivery.workspace_id == workspace_id,
            OutboundDelivery.conversation_id.in_(conversation_ids),
        )
        .values(text="", recipient="", reply_token=None)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return len(entries)


def reseal_secrets(session: Session, *, box: SecretBox) -> int:
    """Re-seal every inbox's secret settings under the current key (all workspaces); the count changed."""
    changed = 0
    for inbox in session.scalars(select(Inbox).order_by(Inbox.id)):
        if box.needs_resealing(inbox.sealed_secrets):
            inbox.sealed_secrets = box.reseal(inbox.sealed_secrets)
            changed += 1
    session.flush()
    return changed


def _inbox_settings(inbox: Inbox, box: SecretBox) -> dict[str, Any]:
    return {**inbox.settings, **box.open(inbox.sealed_secrets)}


def _refuse(inbox: Inbox, exc: VerificationFailed) -> Exception:
    log.warning("refused %s webhook for inbox %s: %s", inbox.channel, inbox.id, exc.reason)
    error = Forbidden if exc.status_code == 403 else Unauthorized
    return error(exc.reason, code="invalid_signature")


def answer_handshake(
    session: Session, *, channel: str, inbox_id: uuid.UUID, request: WebhookRequest, box: SecretBox
) -> Handshake:
    """Answer a provider's GET verification of the webhook URL (401/403 when it is not genuine)."""
    inbox, adapter = _webhook_inbox(session, channel, inbox_id)
    try:
        return adapter.handshake(_inbox_settings(inbox, box), request)
    except VerificationFailed as exc:
        raise _refuse(inbox, exc) from exc


def audit_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The request headers kept for audit: all but those carrying credentials."""
    return {name.lower(): value for name, value in headers.items() if name.lower() not in CREDENTIAL_HEADERS}


def accept_webhook(
    session: Session,
    *,
    channel: str,
    inbox_id: uuid.UUID,
    request: WebhookRequest,
    box: SecretBox,
    store: AttachmentStore | None = None,
) -> Accepted:
    """Verify a provider request, store it raw, then its items in the ledger, each once.

    A forged request raises Unauthorized/Forbidden and stores nothing. A genuine but unreadable
    one is stored with its reason (`malformed` is set) so it can be looked at and replayed.
    The caller commits before answering the provider.
    """
    inbox, adapter = _webhook_inbox(session, channel, inbox_id)
    settings = _inbox_settings(inbox, box)
    try:
        adapter.verify(settings, request)
    except VerificationFailed as exc:
        raise _refuse(inbox, exc) from exc
    return _ledger(session, inbox, adapter, settings, request, store)


def accept_mail(
    session: Session,
    *,
    inbox_id: uuid.UUID,
    raw: bytes,
    source: str,
    url: str,
    box: SecretBox,
    store: AttachmentStore,
) -> Accepted:
    """Store one raw email of an email inbox (from the SMTP receiver or IMAP), then its message, once.

    `source` is `SMTP` or `IMAP`, `url` where it came from (the IMAP folder, UIDVALIDITY and UID).
    The caller commits before acknowledging the mail (SMTP 250, IMAP cursor).
    """
    inbox = session.get(Inbox, inbox_id)
    if inbox is None or inbox.channel != InboxChannel.EMAIL or not inbox.is_active:
        raise NotFound("inbox not found")
    request = WebhookRequest(method=source, url=url, query={}, headers={}, body=raw)
    return _ledger(session, inbox, _adapter(inbox.channel), _inbox_settings(inbox, box), request, store)


def accept_widget_message(
    session: Session,
    *,
    inbox_id: uuid.UUID,
    handle: str,
    identified: bool,
    message: Mapping[str, Any],
    url: str,
    box: SecretBox,
) -> Accepted:
    """Store a chat visitor's frame (with the visitor the socket established), once per client id.

    The caller commits before acknowledging the frame to the widget.
    """
    inbox = session.get(Inbox, inbox_id)
    if inbox is None or inbox.channel != InboxChannel.WIDGET or not inbox.is_active:
        raise NotFound("inbox not found")
    body = json.dumps({"visitor": {"handle": handle, "identified": identified}, "message": dict(message)},
                      ensure_ascii=False).encode()
    request = WebhookRequest(method="WS", url=url, query={}, headers={}, body=body)
    return _ledger(session, inbox, _adapter(inbox.channel), _inbox_settings(inbox, box), request, None)


def user_signature_ok(settings: Mapping[str, Any], user_id: str, given: str | None) -> bool:
    """Whether the host app signed this user id with the widget inbox's `identity_secret`."""
    secret = settings.get("identity_secret")
    return bool(secret and given) and hmac.compare_digest(user_hash(str(secret), user_id), str(given))


def widget_inbox(session: Session, *, inbox_id: uuid.UUID, box: SecretBox) -> tuple[InboxRef, dict[str, Any]]:
    """An active widget inbox (any workspace) and its settings, secrets opened; NotFound otherwise."""
    inbox = session.get(Inbox, inbox_id)
    if inbox is None or inbox.channel != InboxChannel.WIDGET or not inbox.is_active:
        raise NotFound("inbox not found")
    return _ref(inbox), _inbox_settings(inbox, box)


def email_inboxes_for(session: Session, *, address: str) -> list[uuid.UUID]:
    """Active email inboxes (of any workspace) whose `address` is this one, compared case-insensitively."""
    wanted = address.strip().strip("<>").lower()
    rows = session.execute(
        select(Inbox.id, Inbox.settings).where(Inbox.channel == InboxChannel.EMAIL, Inbox.is_active.is_(True))
    )
    return [row.id for row in rows if str(row.settings.get("address", "")).strip().lower() == wanted]


def _ledger(
    session: Session,
    inbox: Inbox,
    adapter: Adapter,
    settings: Mapping[str, Any],
    request: WebhookRequest,
    store: AttachmentStore | None,
) -> Accepted:
    """Store the raw request first, then parse it and insert its items, each once per dedupe key."""
    now = clock.now()
    raw = InboundRequest(
        id=new_id(),
        workspace_id=inbox.workspace_id,
        inbox_id=inbox.id,
        received_at=now,
        method=request.method[:8],
        url=request.url[:2048],
        headers=audit_headers(request.headers),
        body=request.body,
        outcome=RequestOutcome.ACCEPTED,
        item_count=0,
    )
    session.add(raw)
    session.flush()  # the raw request is in the transaction before anything is made of it
    try:
        parsed = adapter.parse(settings, request)
    except MalformedPayload as exc:
        raw.outcome = RequestOutcome.MALFORMED
        raw.error = exc.reason[:1000]
        session.flush()
        return Accepted(malformed=exc.reason)
    if parsed.ignored is not None:
        raw.outcome = RequestOutcome.IGNORED
        raw.error = parsed.ignored[:1000]
    raw.item_count = len(parsed.items)
    session.flush()
    accepted = Accepted(reply=parsed.reply, reply_content_type=parsed.reply_content_type)
    rows = []
    seen: set[str] = set()
    for item in parsed.items:
        key = ledger_items.dedupe_key(item)
        if key in seen:
            accepted.duplicates += 1
            continue
        seen.add(key)
        if isinstance(item, InboundMessage) and any(m.content is not None for m in item.media):
            item = _keep_media(session, inbox.workspace_id, item, store)
        rows.append(
            {
                "id": new_id(),
                "workspace_id": inbox.workspace_id,
                "inbox_id": inbox.id,
                "request_id": raw.id,
                "dedupe_key": key,
                "kind": str(ledger_items.kind_of(item)),
                "item": ledger_items.to_json(item),
                "received_at": now,
                "status": str(EntryStatus.PENDING),
                "attempt_count": 0,
                "next_attempt_at": now,
            }
        )
    if rows:
        statement = (
            insert_ignoring(session)(InboundEntry)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["inbox_id", "dedupe_key"])
            .returning(InboundEntry.id)
        )
        accepted.entry_ids = list(session.scalars(statement))
        accepted.duplicates += len(rows) - len(accepted.entry_ids)
    return accepted


# --- attachments ---------------------------------------------------------------------------


def _keep_media(
    session: Session, workspace_id: uuid.UUID, message: InboundMessage, store: AttachmentStore | None
) -> InboundMessage:
    """The message with the bytes it carries kept in the store and referenced by attachment id."""
    if store is None:
        raise RuntimeError("an attachment store is needed for messages that carry files")
    kept = []
    for media in message.media:
        if media.content is None:
            kept.append(media)
            continue
        stored = store_attachment(
            session, workspace_id=workspace_id, content=media.content, declared_type=media.content_type,
            store=store,
        )
        kept.append(
            dataclasses.replace(
                media, content=None, provider_media_id=f"{ATTACHMENT_PREFIX}{stored.id}",
                content_type=stored.content_type, size=stored.size,
            )
        )
    return dataclasses.replace(message, media=tuple(kept))


def store_attachment(
    session: Session, *, workspace_id: uuid.UUID, content: bytes, declared_type: str | None,
    store: AttachmentStore,
) -> StoredAttachmentOut:
    """Keep a file for the workspace, once per content hash; the existing row when already kept."""
    digest = store.put(content)
    values = {
        "id": new_id(),
        "workspace_id": workspace_id,
        "sha256": digest,
        "size": len(content),
        "content_type": sniff_content_type(content, declared_type),
        "created_at": clock.now(),
    }
    session.execute(
        insert_ignoring(session)(StoredAttachment)
        .values([values])
        .on_conflict_do_nothing(index_elements=["workspace_id", "sha256"])
    )
    row = session.scalar(
        select(StoredAttachment).where(
            StoredAttachment.workspace_id == workspace_id, StoredAttachment.sha256 == digest
        )
    )
    assert row is not None
    return StoredAttachmentOut.model_validate(row)


def get_attachment(
    session: Session, *, workspace_id: uuid.UUID, attachment_id: uuid.UUID
) -> StoredAttachmentOut:
    """A kept file of the workspace, or NotFound."""
    row = get_scoped(session, StoredAttachment, attachment_id, workspace_id=workspace_id, what="attachment")
    return StoredAttachmentOut.model_validate(row)


def attachment_id_of(media: Media) -> uuid.UUID | None:
    """The stored attachment a normalised media item refers to, if it was kept."""
    if media.provider_media_id and media.provider_media_id.startswith(ATTACHMENT_PREFIX):
        return uuid.UUID(media.provider_media_id[len(ATTACHMENT_PREFIX):])
    return None


# --- email threading -----------------------------------------------------------------------


def reference_token(conversation_id: uuid.UUID) -> str:
    """The conversation's reference token for email subjects (`[#ABCDEFGH]`): 40 bits of its id's hash."""
    number = int.from_bytes(hashlib.blake2b(conversation_id.bytes, digest_size=5).digest(), "big")
    return "".join(TOKEN_ALPHABET[(number >> shift) & 31] for shift in range(35, -1, -5))


def _remember_thread(
    session: Session, inbox: Inbox, keys: Sequence[str], conversation_id: uuid.UUID
) -> None:
    """Record Message-IDs / tokens of a conversation (the first conversation to claim a key keeps it)."""
    rows = [
        {
            "id": new_id(),
            "workspace_id": inbox.workspace_id,
            "inbox_id": inbox.id,
            "key": key[:300],
            "conversation_id": conversation_id,
            "created_at": clock.now(),
        }
        for key in dict.fromkeys(keys)
        if key
    ]
    if rows:
        session.execute(
            insert_ignoring(session)(EmailThreadKey)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["inbox_id", "key"])
        )


def _thread_of(session: Session, inbox: Inbox, message: InboundMessage) -> ThreadHint:
    """The conversation an email's In-Reply-To, References (newest first) or subject token name."""
    extra = message.extra
    keys = [*extra.get("in_reply_to", []), *reversed(extra.get("references", []))]
    keys += [f"token:{token}" for token in extra.get("tokens", [])]
    if not keys:
        return ThreadHint(new_thread=True)
    rows = session.execute(
        select(EmailThreadKey.key, EmailThreadKey.conversation_id).where(
            EmailThreadKey.inbox_id == inbox.id, EmailThreadKey.key.in_([k[:300] for k in keys])
        )
    )
    found: dict[str, uuid.UUID] = {row.key: row.conversation_id for row in rows}
    for key in keys:
        if key[:300] in found:
            return ThreadHint(conversation_id=found[key[:300]], new_thread=True)
    return ThreadHint(new_thread=True)


# --- inbound: processing -------------------------------------------------------------------


def _locked_pending(session: Session, model: type[Any], row_id: uuid.UUID, now: datetime | None) -> Any:
    query = select(model).where(model.id == row_id, model.status == EntryStatus.PENDING)
    if now is not None:
        query = query.where(model.next_attempt_at <= now)
    return session.scalar(claiming(session, query))


def process_entry(session: Session, *, entry_id: uuid.UUID, sink: IntakeSink) -> bool:
    """Process one pending ledger entry: a message goes to the sink, a status onto its delivery.

    False when the entry is not pending, not due, or another process holds it. The caller commits; on an
    exception it rolls back and calls `record_entry_failure`.
    """
    entry = _locked_pending(session, InboundEntry, entry_id, clock.now())
    if entry is None:
        return False
    inbox = session.get(Inbox, entry.inbox_id)
    if inbox is None:
        return False
    if entry.kind == EntryKind.MESSAGE:
        message = ledger_items.message_from_json(entry.item)
        threaded = inbox.channel == InboxChannel.EMAIL
        thread = _thread_of(session, inbox, message) if threaded else None
        result = sink(session, inbox=_ref(inbox), message=message, thread=thread)
        if threaded:
            _remember_thread(session, inbox, [message.provider_message_id], result.conversation_id)
        entry.customer_id = result.customer_id
        entry.conversation_id = result.conversation_id
        entry.message_id = result.message_id
    else:
        _apply_status(session, inbox, ledger_items.status_from_json(entry.item))
    entry.status = EntryStatus.PROCESSED
    entry.processed_at = clock.now()
    entry.next_attempt_at = None
    entry.last_error = None
    session.flush()
    return True


def record_entry_failure(session: Session, *, entry_id: uuid.UUID, error: str) -> datetime | None:
    """Count a failed attempt: the time of the next one, or None when the entry is now parked."""
    entry = session.get(InboundEntry, entry_id)
    if entry is None or entry.status != EntryStatus.PENDING:
        return None
    entry.attempt_count += 1
    entry.last_error = error[:1000]
    now = clock.now()
    if entry.attempt_count >= ENTRY_MAX_ATTEMPTS:
        entry.status = EntryStatus.PARKED
        entry.parked_at = now
        entry.next_attempt_at = None
        log.warning(
            "parked inbound entry %s after %d attempts: %s", entry.id, entry.attempt_count, error[:200]
        )
    else:
        entry.next_attempt_at = now + timedelta(seconds=ENTRY_RETRY_DELAYS_SECONDS[entry.attempt_count - 1])
    session.flush()
    return entry.next_attempt_at


def due_entry_ids(session: Session, *, limit: int = 500) -> list[uuid.UUID]:
    """Pending ledger entries whose attempt is due (all workspaces), oldest first."""
    return list(
        session.scalars(
            select(InboundEntry.id)
            .where(InboundEntry.status == EntryStatus.PENDING, InboundEntry.next_attempt_at <= clock.now())
            .order_by(InboundEntry.next_attempt_at)
            .limit(limit)
        )
    )


def replay_parked(
    session: Session,
    *,
    workspace_id: uuid.UUID | None = None,
    inbox_id: uuid.UUID | None = None,
    entry_id: uuid.UUID | None = None,
) -> list[uuid.UUID]:
    """Put parked entries back to pending with a fresh attempt budget; their ids (to enqueue)."""
    query = select(InboundEntry.id).where(InboundEntry.status == EntryStatus.PARKED)
    if workspace_id is not None:
        query = query.where(InboundEntry.workspace_id == workspace_id)
    if inbox_id is not None:
        query = query.where(InboundEntry.inbox_id == inbox_id)
    if entry_id is not None:
        query = query.where(InboundEntry.id == entry_id)
    ids = list(session.scalars(query))
    if ids:
        session.execute(
            update(InboundEntry)
            .where(InboundEntry.id.in_(ids))
            .values(status=EntryStatus.PENDING, attempt_count=0, parked_at=None, next_attempt_at=clock.now())
            .execution_options(synchronize_session=False)
        )
    return ids


def list_entries(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    status: EntryStatus | None = None,
    inbox_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[InboundEntryOut]:
    """Ledger entries of the workspace, newest first, optionally of one status or inbox."""
    query = select(InboundEntry).where(InboundEntry.workspace_id == workspace_id)
    if status is not None:
        query = query.where(InboundEntry.status == status)
    if inbox_id is not None:
        query = query.where(InboundEntry.inbox_id == inbox_id)
    return keyset_page(
        session, query, [InboundEntry.id], limit=limit, cursor=cursor, out=InboundEntryOut.model_validate
    )


def get_entry(session: Session, *, workspace_id: uuid.UUID, entry_id: uuid.UUID) -> InboundEntryDetail:
    """A ledger entry with its raw request."""
    entry = get_scoped(session, InboundEntry, entry_id, workspace_id=workspace_id, what="inbound entry")
    raw = session.get(InboundRequest, entry.request_id)
    assert raw is not None
    request = InboundRequestOut(
        id=raw.id,
        inbox_id=raw.inbox_id,
        received_at=raw.received_at,
        method=raw.method,
        url=raw.url,
        headers=raw.headers,
        body=raw.body.decode("utf-8", errors="replace"),
        outcome=raw.outcome,
        error=raw.error,
        item_count=raw.item_count,
    )
    return InboundEntryDetail(**InboundEntryOut.model_validate(entry).model_dump(), request=request)


# --- outbound ------------------------------------------------------------------------------


def _latest_inbound(session: Session, conversation_id: uuid.UUID) -> InboundEntry | None:
    return session.scalar(
        select(InboundEntry)
        .where(InboundEntry.conversation_id == conversation_id, InboundEntry.kind == EntryKind.MESSAGE)
        .order_by(InboundEntry.received_at.desc(), InboundEntry.id.desc())
        .limit(1)
    )


def create_delivery(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    inbox_id: uuid.UUID | None,
    conversation_id: uuid.UUID,
    message_id: uuid.UUID,
    text: str,
) -> uuid.UUID | None:
    """Owe an outbound message to its inbox's channel; idempotent per message; None when not ours.

    The recipient is the sender of the conversation's latest inbound message on this inbox.
    """
    if inbox_id is None:
        return None
    inbox = session.get(Inbox, inbox_id)
    if inbox is None or inbox.workspace_id != workspace_id or adapter_for(inbox.channel) is None:
        return None
    if session.scalar(select(OutboundDelivery.id).where(OutboundDelivery.message_id == message_id)):
        return None
    latest = _latest_inbound(session, conversation_id)
    now = clock.now()
    delivery = OutboundDelivery(
        id=new_id(),
        workspace_id=workspace_id,
        inbox_id=inbox.id,
        message_id=message_id,
        conversation_id=conversation_id,
        text=text,
        status=DeliveryStatus.PENDING,
        attempt_count=0,
        next_attempt_at=now,
        recipient="",
    )
    if latest is None:
        delivery.status = DeliveryStatus.FAILED
        delivery.failed_at = now
        delivery.next_attempt_at = None
        delivery.last_error = "no recipient on this channel: the conversation has no inbound message here"
    elif not inbox.is_active:
        delivery.status = DeliveryStatus.FAILED
        delivery.failed_at = now
        delivery.next_attempt_at = None
        delivery.last_error = "the inbox is disabled"
    else:
        sender = latest.item.get("sender", {})
        delivery.recipient = str(sender.get("handle", ""))[:255]
        delivery.reply_token = latest.item.get("reply_token")
        if inbox.channel == InboxChannel.EMAIL:
            _remember_thread(session, inbox, [f"token:{reference_token(conversation_id)}"], conversation_id)
    session.add(delivery)
    session.flush()
    return delivery.id if delivery.status == DeliveryStatus.PENDING else None


@dataclass(frozen=True)
class SendRequest:
    """Everything the send job needs, read in a short transaction."""

    delivery_id: uuid.UUID
    channel: str
    settings: dict[str, Any]
    api_base_url: str
    message: OutboundMessage


def claim_delivery(
    session: Session, *, delivery_id: uuid.UUID, lease_seconds: float, box: SecretBox
) -> SendRequest | None:
    """Lease a due pending delivery for one attempt; None when it is not due or taken."""
    now = clock.now()
    delivery = _locked_pending(session, OutboundDelivery, delivery_id, now)
    if delivery is None:
        return None
    inbox = session.get(Inbox, delivery.inbox_id)
    if inbox is None or not inbox.is_active:
        _fail(delivery, "the inbox is disabled", now)
        session.flush()
        return None
    delivery.next_attempt_at = now + timedelta(seconds=lease_seconds)
    session.flush()
    settings = _inbox_settings(inbox, box)
    context: dict[str, Any] = {}
    if inbox.channel == InboxChannel.EMAIL:
        latest = _latest_inbound(session, delivery.conversation_id)
        context = dict(latest.item.get("extra") or {}) if latest is not None else {}
        context["reference_token"] = reference_token(delivery.conversation_id)
        context["date"] = email.utils.format_datetime(now)
    return SendRequest(
        delivery_id=delivery.id,
        channel=inbox.channel,
        settings=settings,
        api_base_url=str(settings.get(API_BASE_URL) or _adapter(inbox.channel).default_api_base_url)
        or "http://localhost",  # email sends over SMTP, not HTTP
        message=OutboundMessage(
            recipient=delivery.recipient,
            text=delivery.text,
            reply_token=delivery.reply_token,
            client_reference=str(delivery.message_id),
            context=context,
        ),
    )


def _fail(delivery: OutboundDelivery, reason: str, now: datetime) -> None:
    delivery.status = DeliveryStatus.FAILED
    delivery.failed_at = now
    delivery.next_attempt_at = None
    delivery.last_error = reason[:1000]


def record_send(
    session: Session,
    *,
    delivery_id: uuid.UUID,
    provider_message_id: str | None = None,
    error: str | None = None,
    retryable: bool = False,
    retry_after_seconds: float | None = None,
) -> datetime | None:
    """Record one send attempt; the time of the retry, or None when the delivery is settled."""
    delivery = session.get(OutboundDelivery, delivery_id)
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return None
    now = clock.now()
    delivery.attempt_count += 1
    if error is None:
        delivery.status = DeliveryStatus.SENT
        delivery.provider_message_id = provider_message_id
        delivery.sent_at = now
        delivery.next_attempt_at = None
        delivery.last_error = None
        delivery.reply_token = None
        inbox = session.get(Inbox, delivery.inbox_id)
        if inbox is not None and inbox.channel == InboxChannel.EMAIL and provider_message_id:
            _remember_thread(session, inbox, [provider_message_id], delivery.conversation_id)
    elif not retryable or delivery.attempt_count >= SEND_MAX_ATTEMPTS:
        _fail(delivery, error, now)
    else:
        delay = max(SEND_RETRY_DELAYS_SECONDS[delivery.attempt_count - 1], retry_after_seconds or 0)
        delivery.next_attempt_at = now + timedelta(seconds=delay)
        delivery.last_error = error[:1000]
        delivery.reply_token = None  # a reply token is good for one try at most
    session.flush()
    return delivery.next_attempt_at if delivery.status == DeliveryStatus.PENDING else None


def _apply_status(session: Session, inbox: Inbox, status: StatusUpdate) -> None:
    """Move a delivery forward (sent < delivered < read; failed at any point); never backwards."""
    delivery = session.scalar(
        select(OutboundDelivery).where(
            OutboundDelivery.inbox_id == inbox.id,
            OutboundDelivery.provider_message_id == status.provider_message_id,
        )
    )
    if delivery is None:
        raise LookupError(f"no outbound message with provider id {status.provider_message_id!r} (yet)")
    if status.state == DeliveryState.QUEUED:
        return
    new = DeliveryStatus(str(status.state))
    if (
        STATE_RANK[new] <= STATE_RANK[DeliveryStatus(delivery.status)]
        or delivery.status == DeliveryStatus.FAILED
    ):
        return
    now = status.at or clock.now()
    delivery.status = new
    if new == DeliveryStatus.DELIVERED:
        delivery.delivered_at = now
    elif new == DeliveryStatus.READ:
        delivery.read_at = now
        delivery.delivered_at = delivery.delivered_at or now
    elif new == DeliveryStatus.FAILED:
        delivery.failed_at = now
        delivery.last_error = (status.reason or "the provider reported a failure")[:1000]


def due_delivery_ids(session: Session, *, limit: int = 500) -> list[uuid.UUID]:
    """Pending deliveries whose attempt is due (all workspaces)."""
    return list(
        session.scalars(
            select(OutboundDelivery.id)
            .where(
                OutboundDelivery.status == DeliveryStatus.PENDING,
                OutboundDelivery.next_attempt_at <= clock.now(),
            )
            .order_by(OutboundDelivery.next_attempt_at)
            .limit(limit)
        )
    )


def list_deliveries(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    conversation_id: uuid.UUID | None = None,
    message_id: uuid.UUID | None = None,
    status: DeliveryStatus | None = None,
    limit: int = 50,
) -> list[DeliveryOut]:
    """Outbound deliveries of the workspace, newest first, by conversation, message or status."""
    query = select(OutboundDelivery).where(OutboundDelivery.workspace_id == workspace_id)
    if conversation_id is not None:
        query = query.where(OutboundDelivery.conversation_id == conversation_id)
    if message_id is not None:
        query = query.where(OutboundDelivery.message_id == message_id)
    if status is not None:
        query = query.where(OutboundDelivery.status == status)
    rows = session.scalars(query.order_by(OutboundDelivery.id.desc()).limit(limit))
    return [DeliveryOut.model_validate(r) for r in rows]


# --- IMAP polling state --------------------------------------------------------------------


@dataclass(frozen=True)
class Mailbox:
    """What the IMAP poller needs of an email inbox: where to log in and where it stopped."""

    inbox_id: uuid.UUID
    settings: dict[str, Any]
    folder: str


def imap_inboxes(session: Session, *, box: SecretBox) -> list[Mailbox]:
    """Active email inboxes with an IMAP mailbox configured (all workspaces)."""
    rows = session.scalars(
        select(Inbox).where(Inbox.channel == InboxChannel.EMAIL, Inbox.is_active.is_(True)).order_by(Inbox.id)
    )
    return [
        Mailbox(inbox.id, _inbox_settings(inbox, box), str(inbox.settings.get("folder") or "INBOX"))
        for inbox in rows
        if inbox.settings.get("imap_host")
    ]


def _mailbox_state(session: Session, inbox: Inbox, folder: str, *, lock: bool = False) -> MailboxState:
    query = select(MailboxState).where(MailboxState.inbox_id == inbox.id, MailboxState.folder == folder)
    if lock and not serial_writers(session):
        query = query.with_for_update()
    state = session.scalar(query)
    if state is None:
        session.execute(
            insert_ignoring(session)(MailboxState)
            .values([{"id": new_id(), "workspace_id": inbox.workspace_id, "inbox_id": inbox.id,
                      "folder": folder, "last_uid": 0, "failure_count": 0}])
            .on_conflict_do_nothing(index_elements=["inbox_id", "folder"])
        )
        state = session.scalar(query)
    assert state is not None
    return state


def mailbox_cursor(session: Session, *, inbox_id: uuid.UUID, folder: str, uidvalidity: int) -> int:
    """The last UID taken from the folder; 0 (take everything again) when UIDVALIDITY changed.

    Re-reading a renumbered folder stores nothing twice: the ledger dedupes on Message-ID.
    """
    inbox = session.get(Inbox, inbox_id)
    if inbox is None:
        raise NotFound("inbox not found")
    state = _mailbox_state(session, inbox, folder, lock=True)
    if state.uidvalidity != uidvalidity:
        if state.uidvalidity is not None:
            log.warning("UIDVALIDITY of %s in inbox %s changed: reading it again", folder, inbox_id)
        state.uidvalidity = uidvalidity
        state.last_uid = 0
        session.flush()
    return state.last_uid


def advance_mailbox(session: Session, *, inbox_id: uuid.UUID, folder: str, uid: int) -> None:
    """Move the folder's cursor past a UID whose mail is in the ledger (same transaction)."""
    inbox = session.get(Inbox, inbox_id)
    if inbox is None:
        return
    state = _mailbox_state(session, inbox, folder, lock=True)
    state.last_uid = max(state.last_uid, uid)
    session.flush()


def record_poll(session: Session, *, inbox_id: uuid.UUID, folder: str, error: str | None = None) -> None:
    """Record the outcome of one poll of the folder (health of the inbox)."""
    inbox = session.get(Inbox, inbox_id)
    if inbox is None:
        return
    state = _mailbox_state(session, inbox, folder, lock=True)
    now = clock.now()
    state.polled_at = now
    if error is None:
        state.succeeded_at = now
        state.failure_count = 0
        state.last_error = None
    else:
        state.failure_count += 1
        state.last_error = error[:1000]
        log.warning(
            "IMAP poll of inbox %s failed (%d in a row): %s", inbox_id, state.failure_count, error[:200]
        )
    session.flush()


def mailbox_health(session: Session, inbox: Inbox) -> MailboxHealth:
    """How polling of an email inbox's folder is doing: ok, error, stalled, or new (never polled)."""
    folder = str(inbox.settings.get("folder") or "INBOX")
    state = session.scalar(
        select(MailboxState).where(MailboxState.inbox_id == inbox.id, MailboxState.folder == folder)
    )
    if state is None:
        return MailboxHealth(status="new", folder=folder, uidvalidity=None, last_uid=0, polled_at=None,
                             succeeded_at=None, failure_count=0, last_error=None)
    if state.last_error is not None:
        status = "error"
    elif state.succeeded_at is None or clock.now() - state.succeeded_at > MAILBOX_STALLED_AFTER:
        status = "stalled"
    else:
        status = "ok"
    return MailboxHealth(
        status=status, folder=folder, uidvalidity=state.uidvalidity, last_uid=state.last_uid,
        polled_at=state.polled_at, succeeded_at=state.succeeded_at, failure_count=state.failure_count,
        last_error=state.last_error,
    )
