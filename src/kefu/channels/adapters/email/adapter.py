"""Email: a raw RFC 5322 message in (from the SMTP receiver or IMAP polling), a threaded reply out over SMTP.

The "request" of an email is the message itself (`WebhookRequest.body`, method `SMTP` or
`IMAP`); there is no public webhook, so no signature: only Kefu's own receivers hand mail in.
The dedupe key is the Message-ID, so the same mail received over SMTP and found again by IMAP
(or re-polled) is one ledger entry. Auto-replies and bounces are recognised and kept as ignored
requests. Replies carry `Message-ID: <kefu.<message id>@<domain of from_address>>`,
`In-Reply-To` and `References` of the customer's message and the conversation's reference token
in the subject (`[#ABCDEFGH]`), so every mail client threads them and a reply that lost its
headers still finds its conversation.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from email.message import EmailMessage
from typing import Any, ClassVar

import httpx

from kefu.channels.adapters.base import (
    Contact,
    InboundMessage,
    MalformedPayload,
    Media,
    NoHandshake,
    OutboundMessage,
    Parsed,
    SendFailed,
    Setting,
    Settings,
    WebhookRequest,
)
from kefu.channels.adapters.email.mime import parse_mail

DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
SMTP_TIMEOUT_SECONDS = 15.0
MAX_REFERENCES = 20
REPLY_PREFIX = re.compile(r"^\s*((re|fwd?|aw|sv|回复|回覆|答复)\s*[:：]\s*)+", re.IGNORECASE)


def flag(value: Any, default: bool = True) -> bool:
    """A boolean setting given as a bool or as text (`true`/`false`, `1`/`0`, `yes`/`no`)."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def limit_of(settings: Settings) -> int:
    """The inbox's largest accepted attachment, in bytes."""
    try:
        return int(settings.get("max_attachment_bytes") or DEFAULT_MAX_ATTACHMENT_BYTES)
    except ValueError:
        return DEFAULT_MAX_ATTACHMENT_BYTES


def domain_of(address: str) -> str:
    """The domain part of an address (for our Message-IDs)."""
    return address.rsplit("@", 1)[-1].strip(" >") or "kefu.invalid"


def reply_subject(subject: str, token: str | None) -> str:
    """`Re: <subject without its reply prefixes>` with the conversation's reference token once."""
    base = REPLY_PREFIX.sub("", subject or "").strip()
    result = f"Re: {base}" if base else "Re:"
    if token and f"[#{token}]" not in result:
        result = f"{result} [#{token}]"
    return result


def kept_references(references: list[str], parent: str | None) -> list[str]:
    """References of a reply: the thread's so far plus the parent, first and newest kept when long."""
    chain = [r for r in references if r != parent] + ([parent] if parent else [])
    if len(chain) > MAX_REFERENCES:
        chain = [chain[0], *chain[-(MAX_REFERENCES - 1) :]]
    return chain


class EmailAdapter(NoHandshake):
    """Adapter of a mailbox: SMTP receiver or IMAP polling in, SMTP out."""

    kind: ClassVar[str] = "email"
    conversation_channel: ClassVar[str] = "email"
    identity_kind: ClassVar[str] = "email"
    default_api_base_url: ClassVar[str] = ""
    has_webhook: ClassVar[bool] = False
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("address"),
        Setting("imap_host", required=False),
        Setting("imap_port", required=False, default="993"),
        Setting("imap_tls", required=False, default="true"),
        Setting("username", required=False),
        Setting("password", secret=True, required=False),
        Setting("folder", required=False, default="INBOX"),
        Setting("smtp_host", required=False),
        Setting("smtp_port", required=False, default="587"),
        Setting("smtp_tls", required=False, default="starttls"),
        Setting("from_address", required=False),
        Setting("max_attachment_bytes", required=False, default=str(DEFAULT_MAX_ATTACHMENT_BYTES)),
    )

    def verify(self, settings: Settings, request: WebhookRequest) -> None:
        """Mail reaches the adapter only from Kefu's own SMTP receiver and IMAP poller."""

    def parse(self, settings: Settings, request: WebhookRequest) -> Parsed:
        """The customer message of a raw email; an auto-reply or bounce is ignored with its reason."""
        mail = parse_mail(request.body)
        if mail.automatic is not None:
            return Parsed(items=[], ignored=mail.automatic)
        if not mail.sender_address or "@" not in mail.sender_address:
            raise MalformedPayload("the message has no From address")
        limit = limit_of(settings)
        media: list[Media] = []
        refused: list[dict[str, Any]] = []
        for part in mail.attachments:
            if len(part.content) > limit:
                refused.append({"name": part.name, "size": len(part.content), "limit": limit})
                continue
            media.append(
                Media(
                    kind="file",
                    name=part.name,
                    content_type=part.content_type,
                    size=len(part.content),
                    content=part.content,
                )
            )
        notes = [
            f"[attachment {r['name']} refused: {r['size']} bytes, over the limit of {limit}]" for r in refused
        ]
        text = "\n".join([mail.text, *notes]).strip() or (mail.subject if not media else "")
        return Parsed(
            items=[
                InboundMessage(
                    provider_message_id=mail.message_id,
                    sender=Contact(
                        handle=mail.sender_address, name=mail.sender_name, email=mail.sender_address
                    ),
                    text=text,
                    media=tuple(media),
                    sent_at=mail.sent_at,
                    extra={
                        "message_id": mail.message_id,
                        "in_reply_to": mail.in_reply_to,
                        "references": mail.references,
                        "subject": mail.subject,
                        "tokens": mail.tokens,
                        "to": mail.to,
                        "quoted": mail.quoted,
                        "html_only": mail.html_only,
                        "refused_attachments": refused,
                    },
                )
            ]
        )

    def compose(self, settings: Settings, message: OutboundMessage) -> EmailMessage:
        """The reply as an email with its threading headers."""
        sender = str(settings.get("from_address") or settings["address"])
        context = message.context
        parent = context.get("message_id")
        mail = EmailMessage()
        mail["From"] = sender
        mail["To"] = message.recipient
        mail["Subject"] = reply_subject(str(context.get("subject") or ""), context.get("reference_token"))
        mail["Message-ID"] = f"<kefu.{message.client_reference}@{domain_of(sender)}>"
        if context.get("date"):
            mail["Date"] = str(context["date"])
        if parent:
            mail["In-Reply-To"] = parent
            mail["References"] = " ".join(kept_references(list(context.get("references") or []), parent))
        mail.set_content(message.text)
        return mail

    def send(self, client: httpx.Client, settings: Settings, message: OutboundMessage) -> str:
        """Send the reply over the inbox's SMTP server; its Message-ID is the provider id."""
        host = settings.get("smtp_host")
        if not host:
            raise SendFailed("this inbox has no smtp_host: replies cannot be sent", retryable=False)
        mail = self.compose(settings, message)
        mode = str(settings.get("smtp_tls") or "starttls").lower()
        port = int(settings.get("smtp_port") or (465 if mode == "tls" else 587))
        try:
            smtp: smtplib.SMTP
            if mode in {"tls", "ssl"}:
                smtp = smtplib.SMTP_SSL(
                    str(host), port, timeout=SMTP_TIMEOUT_SECONDS, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(str(host), port, timeout=SMTP_TIMEOUT_SECONDS)
            with smtp:
                smtp.ehlo()
                if mode in {"starttls", "true", "1", "yes"}:
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if settings.get("username") and settings.get("password") and smtp.has_extn("auth"):
                    smtp.login(str(settings["username"]), str(settings["password"]))
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            retryable = all(400 <= code < 500 for code in codes)
            raise SendFailed(f"recipient refused: {exc.recipients}", retryable=retryable) from exc
        except smtplib.SMTPResponseException as exc:
            reason = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
            raise SendFailed(reason, retryable=400 <= exc.smtp_code < 500) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise SendFailed(f"SMTP server unreachable: {type(exc).__name__}", retryable=True) from exc
        return str(mail["Message-ID"])
