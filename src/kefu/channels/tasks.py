"""Channel jobs: process a ledger entry, send an outbound message, and sweep due retries."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from kefu.channels import service
from kefu.channels.adapters.base import SendFailed
from kefu.channels.adapters.email.imap import MailboxError, open_mailbox
from kefu.channels.adapters.registry import adapter_for
from kefu.channels.attachments import AttachmentStore
from kefu.core import clock
from kefu.core.secretbox import SecretBox
from kefu.jobs.unit_of_work import unit_of_work

log = logging.getLogger(__name__)

PROCESS_JOB = "channels.process_inbound"
SEND_JOB = "channels.send_outbound"
RETRY_DUE_JOB = "channels.retry_due"
POLL_MAIL_JOB = "channels.poll_mail"
SEND_TIMEOUT_SECONDS = 15.0
LEASE_MARGIN_SECONDS = 60.0
DUE_BATCH = 500

Enqueue = Callable[..., Any]


class ChannelJobs:
    """The channel jobs of one process, bound to its sessions, queue, intake sink and HTTP transport."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        enqueue: Enqueue,
        sink: service.IntakeSink,
        box: SecretBox,
        store: AttachmentStore,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._enqueue = enqueue
        self._sink = sink
        self._box = box
        self._store = store
        self._transport = transport

    def process(self, entry_id: str) -> None:
        """Job: process one ledger entry in one transaction; on failure record it and schedule the retry."""
        key = uuid.UUID(entry_id)
        try:
            with unit_of_work(self._session_factory) as session:
                service.process_entry(session, entry_id=key, sink=self._sink)
            return
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
        with unit_of_work(self._session_factory) as session:
            retry_at = service.record_entry_failure(session, entry_id=key, error=error)
        if retry_at is not None:
            self._later(PROCESS_JOB, entry_id, retry_at)

    def send(self, delivery_id: str) -> None:
        """Job: send one outbound message through its provider; retry retryable failures with back-off."""
        key = uuid.UUID(delivery_id)
        with unit_of_work(self._session_factory) as session:
            request = service.claim_delivery(
                session,
                delivery_id=key,
                lease_seconds=SEND_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS,
                box=self._box,
            )
        if request is None:
            return
        adapter = adapter_for(request.channel)
        outcome: dict[str, Any]
        try:
            assert adapter is not None
            with httpx.Client(
                base_url=request.api_base_url,
                transport=self._transport,
                timeout=SEND_TIMEOUT_SECONDS,
                follow_redirects=False,
            ) as client:
                outcome = {"provider_message_id": adapter.send(client, request.settings, request.message)}
        except SendFailed as exc:
            outcome = {
                "error": exc.reason,
                "retryable": exc.retryable,
                "retry_after_seconds": exc.retry_after_seconds,
            }
        except Exception as exc:
            log.exception("sending delivery %s failed unexpectedly", key)
            outcome = {"error": f"unexpected error: {type(exc).__name__}", "retryable": True}
        with unit_of_work(self._session_factory) as session:
            retry_at = service.record_send(session, delivery_id=key, **outcome)
        if retry_at is not None:
            self._later(SEND_JOB, delivery_id, retry_at)

    def retry_due(self) -> None:
        """Periodic job: enqueue every due ledger entry and delivery (retries survive restarts)."""
        with unit_of_work(self._session_factory) as session:
            entries = service.due_entry_ids(session, limit=DUE_BATCH)
            deliveries = service.due_delivery_ids(session, limit=DUE_BATCH)
        for entry_id in entries:
            self._enqueue(PROCESS_JOB, str(entry_id))
        for delivery_id in deliveries:
            self._enqueue(SEND_JOB, str(delivery_id))

    def poll_mail(self) -> None:
        """Periodic job: read new mail of every email inbox with an IMAP mailbox."""
        with unit_of_work(self._session_factory) as session:
            mailboxes = service.imap_inboxes(session, box=self._box)
        for mailbox in mailboxes:
            self.poll_mailbox(mailbox)

    def poll_mailbox(self, mailbox: service.Mailbox) -> int:
        """Take the folder's mail after the stored UID into the ledger, one commit per message; how many.

        The cursor moves in the same transaction as the message's ledger entry, so a crash or
        restart resumes after the last stored mail and never skips one.
        """
        taken = 0
        error: str | None = None
        try:
            with open_mailbox(mailbox.settings) as reader:
                with unit_of_work(self._session_factory) as session:
                    last_uid = service.mailbox_cursor(
                        session, inbox_id=mailbox.inbox_id, folder=mailbox.folder,
                        uidvalidity=reader.uidvalidity,
                    )
                for uid, raw in reader.fetch(reader.uids_after(last_uid)):
                    with unit_of_work(self._session_factory) as session:
                        accepted = service.accept_mail(
                            session, inbox_id=mailbox.inbox_id, raw=raw, source="IMAP",
                            url=f"imap://{mailbox.settings.get('imap_host')}/{mailbox.folder}"
                            f";UIDVALIDITY={reader.uidvalidity}/;UID={uid}",
                            box=self._box, store=self._store,
                        )
                        service.advance_mailbox(
                            session, inbox_id=mailbox.inbox_id, folder=mailbox.folder, uid=uid
                        )
                    taken += 1
                    for entry_id in accepted.entry_ids:
                        self._enqueue(PROCESS_JOB, str(entry_id))
        except MailboxError as exc:
            error = str(exc)
        with unit_of_work(self._session_factory) as session:
            service.record_poll(session, inbox_id=mailbox.inbox_id, folder=mailbox.folder, error=error)
        return taken

    def _later(self, job: str, key: str, at: Any) -> None:
        delay = max((at - clock.now()).total_seconds(), 0.0)
        try:
            self._enqueue(job, key, delay=delay)
        except Exception:
            log.warning("could not schedule the retry of %s %s; the minute sweep will", job, key)
