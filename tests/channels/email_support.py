"""Helpers of the email tests: an SMTP sink for replies, the SMTP receiver, message builders."""

from __future__ import annotations

import email
import smtplib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage, Message
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession

from kefu.channels.receivers import free_loopback_port
from kefu.wiring import Container, smtp_receiver

SUPPORT = "support@shop.example"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))


class SinkHandler:
    """Keeps every message a reply sent."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        """Keep the message."""
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.original_content or b""))
            self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
        return "250 OK"


@contextmanager
def smtp_sink() -> Iterator[tuple[SinkHandler, int]]:
    """A local SMTP server that keeps what it gets (stands in for the inbox's outgoing server)."""
    handler = SinkHandler()
    port = free_loopback_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@contextmanager
def receiver(container: Container) -> Iterator[int]:
    """Kefu's SMTP receiver on a free loopback port."""
    port = free_loopback_port()
    server = smtp_receiver(container, host="127.0.0.1", port=port)
    server.start()
    try:
        yield port
    finally:
        server.stop()


def mail(
    *,
    sender: str = "Li Wei <li.wei@example.cn>",
    to: str = SUPPORT,
    subject: str = "订单没有收到",
    text: str = "你好，我的订单 12345 还没有收到。",
    charset: str = "gb2312",
    message_id: str = "<cust-1@example.cn>",
    in_reply_to: str | None = None,
    references: str | None = None,
    attachments: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """A customer's email, its text in `charset` (quoted-printable or base64 as Python picks)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = "Mon, 02 Mar 2026 09:00:00 +0800"
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text, charset=charset)
    for name, kind, content in attachments:
        main, sub = kind.split("/")
        message.add_attachment(content, maintype=main, subtype=sub, filename=name)
    return message


def send(port: int, message: Message, recipients: list[str] | None = None) -> Any:
    """Send a message to Kefu's receiver with smtplib."""
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        return client.send_message(message, to_addrs=recipients)
