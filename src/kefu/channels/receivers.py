"""Entry points of channels that are not HTTP: the built-in SMTP receiver (mail to an inbox's `address`).

The sending server gets its `250` only after the raw message and its ledger entry are committed;
a recipient no inbox has is refused at RCPT (`550`), an oversized message at DATA (`552`), and a
failure to store answers `451` so the sender retries later. Nothing is lost between the two.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from collections.abc import Callable
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession
from sqlalchemy.orm import Session, sessionmaker

from kefu.channels import service
from kefu.channels.attachments import AttachmentStore
from kefu.channels.tasks import PROCESS_JOB
from kefu.core.secretbox import SecretBox

log = logging.getLogger(__name__)

DEFAULT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024


def free_loopback_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LedgerHandler:
    """aiosmtpd handler: recipients are email inboxes; DATA is stored in the ledger, then acknowledged."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        enqueue: Callable[..., Any],
        box: SecretBox,
        store: AttachmentStore,
    ) -> None:
        self._session_factory = session_factory
        self._enqueue = enqueue
        self._box = box
        self._store = store

    def _inboxes(self, address: str) -> list[uuid.UUID]:
        with self._session_factory() as session:
            return service.email_inboxes_for(session, address=address)

    async def handle_RCPT(
        self, server: SMTP, session: SmtpSession, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        """Accept a recipient only when an active email inbox has that address."""
        if not await asyncio.to_thread(self._inboxes, address):
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def store(self, raw: bytes, recipients: list[str], peer: str) -> list[uuid.UUID]:
        """Store the message once per recipient inbox, committed; the new ledger entries."""
        entries: list[uuid.UUID] = []
        inbox_ids = dict.fromkeys(i for address in recipients for i in self._inboxes(address))
        for inbox_id in inbox_ids:
            with self._session_factory() as session:
                accepted = service.accept_mail(
                    session,
                    inbox_id=inbox_id,
                    raw=raw,
                    source="SMTP",
                    url=f"smtp://{peer}",
                    box=self._box,
                    store=self._store,
                )
                session.commit()
            entries.extend(accepted.entry_ids)
        return entries

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        """Store, commit, queue processing, then answer 250 (451 when storing failed)."""
        raw = envelope.original_content or b""
        peer = str(session.peer[0]) if session.peer else "unknown"
        try:
            entries = await asyncio.to_thread(self.store, bytes(raw), list(envelope.rcpt_tos), peer)
        except Exception:
            log.exception("could not store a received message")
            return "451 4.3.0 could not store the message; try again later"
        await asyncio.to_thread(self.queue, entries)
        return "250 2.0.0 Message accepted"

    def queue(self, entries: list[uuid.UUID]) -> None:
        """Queue processing of stored entries (a failure leaves them to the every-minute sweep)."""
        for entry_id in entries:
            try:
                self._enqueue(PROCESS_JOB, str(entry_id))
            except Exception:
                log.warning("could not queue entry %s; the minute sweep will", entry_id)


class SmtpReceiver:
    """The receiver's server thread (aiosmtpd's Controller) on one host and port."""

    def __init__(self, handler: LedgerHandler, host: str, port: int, max_message_bytes: int) -> None:
        self.host, self.port = host, port
        self._controller = Controller(
            handler,
            hostname=host,
            port=port,
            data_size_limit=max_message_bytes,
            server_hostname="kefu",
            ready_timeout=10.0,
        )

    def start(self) -> None:
        """Start listening."""
        self._controller.start()
        log.info("SMTP receiver on %s:%d", self.host, self.port)

    def stop(self) -> None:
        """Stop listening."""
        self._controller.stop()
