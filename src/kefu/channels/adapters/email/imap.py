"""Reading a mailbox over IMAP without changing it: EXAMINE (read-only) and BODY.PEEK, never STORE or EXPUNGE.

Mail is never deleted, moved or even marked seen. The caller keeps the folder's UIDVALIDITY
and the last UID it took, and asks for what came after.
"""

from __future__ import annotations

import imaplib
import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from kefu.channels.adapters.base import Settings
from kefu.channels.adapters.email.adapter import flag

IMAP_TIMEOUT_SECONDS = 30.0
FETCH_BATCH = 25
UID_IN_FETCH = re.compile(rb"UID (\d+)")


class MailboxError(Exception):
    """The mailbox could not be read (connection, login, folder); the reason is safe to show."""


class MailboxReader:
    """An open, read-only view of one IMAP folder."""

    def __init__(self, connection: imaplib.IMAP4, folder: str, uidvalidity: int) -> None:
        self._connection = connection
        self.folder = folder
        self.uidvalidity = uidvalidity

    def uids_after(self, last_uid: int) -> list[int]:
        """UIDs above `last_uid`, ascending (`n:*` also names the newest message when none is above)."""
        status, data = self._connection.uid("SEARCH", f"UID {last_uid + 1}:*")
        if status != "OK":
            raise MailboxError(f"UID SEARCH failed: {data!r}")
        found = [int(n) for n in (data[0] or b"").split()]
        return sorted(uid for uid in found if uid > last_uid)

    def fetch(self, uids: list[int]) -> Iterator[tuple[int, bytes]]:
        """The raw messages of these UIDs, in UID order, without setting \\Seen."""
        for start in range(0, len(uids), FETCH_BATCH):
            batch = uids[start : start + FETCH_BATCH]
            status, data = self._connection.uid("FETCH", ",".join(map(str, batch)), "(UID BODY.PEEK[])")
            if status != "OK":
                raise MailboxError(f"UID FETCH failed: {data!r}")
            messages: dict[int, bytes] = {}
            for item in data:
                if isinstance(item, tuple) and len(item) == 2:
                    match = UID_IN_FETCH.search(item[0])
                    if match:
                        messages[int(match.group(1))] = bytes(item[1])
            for uid in batch:
                if uid in messages:
                    yield uid, messages[uid]


def _connect(settings: Settings) -> imaplib.IMAP4:
    host = str(settings["imap_host"])
    tls = flag(settings.get("imap_tls"), default=True)
    port = int(settings.get("imap_port") or (993 if tls else 143))
    if tls:
        return imaplib.IMAP4_SSL(
            host, port, ssl_context=ssl.create_default_context(), timeout=IMAP_TIMEOUT_SECONDS
        )
    return imaplib.IMAP4(host, port, timeout=IMAP_TIMEOUT_SECONDS)


def _uidvalidity(connection: imaplib.IMAP4) -> int:
    untagged: Any = connection.untagged_responses.get("UIDVALIDITY")
    if not untagged:
        raise MailboxError("the server did not report UIDVALIDITY")
    return int(untagged[-1])


@contextmanager
def open_mailbox(settings: Settings) -> Iterator[MailboxReader]:
    """Log in and EXAMINE the inbox's folder; MailboxError with a reason when that fails."""
    folder = str(settings.get("folder") or "INBOX")
    try:
        connection = _connect(settings)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(
            f"cannot connect to {settings.get('imap_host')}: {type(exc).__name__}: {exc}"
        ) from exc
    try:
        try:
            connection.login(
                str(settings.get("username") or settings.get("address")), str(settings.get("password") or "")
            )
        except imaplib.IMAP4.error as exc:
            raise MailboxError(f"login refused: {exc}") from exc
        status, data = connection.select(f'"{folder}"', readonly=True)
        if status != "OK":
            raise MailboxError(f"cannot open folder {folder!r}: {data!r}")
        yield MailboxReader(connection, folder, _uidvalidity(connection))
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(f"mailbox failed: {type(exc).__name__}: {exc}") from exc
    finally:
        with suppress(OSError, imaplib.IMAP4.error):
            connection.logout()
