"""IMAP polling against a real Dovecot on a loopback port: read-only, resumes, new UIDVALIDITY."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kefu.channels.receivers import free_loopback_port
from kefu.channels.tasks import ChannelJobs
from kefu.core.clock import FrozenClock
from kefu.wiring import Container, deliver_inbound
from tests.channels.conftest import create_inbox
from tests.channels.email_support import SUPPORT, mail, receiver, send
from tests.conftest import service_unavailable

DOVECOT = "/usr/sbin/dovecot"
PASSWORD = "secret"
CONFIG = """protocols = imap
listen = 127.0.0.1
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
ssl = no
first_valid_uid = 100
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
default_internal_group = dovecot
mail_location = maildir:{dir}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={dir}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""


class Dovecot:
    """A throwaway Dovecot serving one mailbox from a temporary folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_loopback_port()
        account = pwd.getpwnam("dovecot")
        self.uid, self.gid = account.pw_uid, account.pw_gid
        root.mkdir(parents=True, exist_ok=True)
        root.chmod(0o755)
        (root / "mail").mkdir(exist_ok=True)
        (root / "users").write_text(f"{SUPPORT}:{{PLAIN}}{PASSWORD}\n")
        (root / "dovecot.conf").write_text(
            CONFIG.format(dir=root, uid=self.uid, gid=self.gid, port=self.port)
        )

    def start(self) -> None:
        """Start the server and wait until it answers."""
        os.chown(self.root / "mail", self.uid, self.gid)
        subprocess.run([DOVECOT, "-c", str(self.root / "dovecot.conf")], check=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                imaplib.IMAP4("127.0.0.1", self.port, timeout=2).logout()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not start: {(self.root / 'dovecot.log').read_text()[-2000:]}")

    def stop(self) -> None:
        """Stop the server."""
        pid_file = self.root / "run" / "master.pid"
        if pid_file.exists():
            subprocess.run(["kill", pid_file.read_text().strip()], check=False)
            deadline = time.monotonic() + 10
            while pid_file.exists() and time.monotonic() < deadline:
                time.sleep(0.05)

    def append(self, message: bytes) -> None:
        """Deliver a message into the INBOX (IMAP APPEND)."""
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(SUPPORT, PASSWORD)
        client.append("INBOX", "", imaplib.Time2Internaldate(time.time()), message)
        client.logout()

    def flags_and_count(self) -> tuple[int, list[bytes]]:
        """How many messages the INBOX holds and their flags (to prove nothing was changed)."""
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(SUPPORT, PASSWORD)
        _, data = client.select("INBOX", readonly=True)
        count = int(data[0] or 0)
        flags: list[bytes] = []
        if count:
            _, fetched = client.fetch("1:*", "(FLAGS)")
            flags = [f for f in fetched if isinstance(f, bytes)]
        client.logout()
        return count, flags

    def recreate_mailbox(self) -> None:
        """Delete the mailbox on disk, so it comes back with a new UIDVALIDITY."""
        self.stop()
        shutil.rmtree(self.root / "mail" / SUPPORT)
        time.sleep(1.1)  # UIDVALIDITY is the creation time in seconds: make the new one differ
        self.start()


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    """A running Dovecot (skipped, or failed under KEFU_REQUIRE_SERVICES=1, when not installed)."""
    if not Path(DOVECOT).exists():
        service_unavailable("dovecot-imapd is not installed (/usr/sbin/dovecot); .ci/run installs it")
    try:
        pwd.getpwnam("dovecot")
    except KeyError:
        service_unavailable("the dovecot user does not exist")
    root = Path(tempfile.mkdtemp(prefix="kefu-dovecot-"))  # pytest's folders are closed to the dovecot user
    server = Dovecot(root)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def _jobs(container: Container) -> ChannelJobs:
    jobs: ChannelJobs = container.runtime._tasks["channels.process_inbound"].func.__self__
    return jobs


def _restarted(container: Container) -> ChannelJobs:
    """The channel jobs of a freshly started process on the same database (no state carried over)."""
    assert container.secret_box is not None and container.attachment_store is not None
    return ChannelJobs(
        container.session_factory,
        container.runtime.enqueue,
        deliver_inbound,
        container.secret_box,
        container.attachment_store,
    )


def _imap_inbox(api: TestClient, dovecot: Dovecot, **extra: Any) -> dict[str, Any]:
    return create_inbox(
        api,
        "email",
        {
            "address": SUPPORT,
            "imap_host": "127.0.0.1",
            "imap_port": dovecot.port,
            "imap_tls": False,
            "username": SUPPORT,
            "password": PASSWORD,
            "folder": "INBOX",
            **extra,
        },
    )


def _inbound_texts(api: TestClient) -> list[str]:
    texts = []
    for conversation in api.get("/api/v1/conversations").json()["items"]:
        messages = api.get(f"/api/v1/conversations/{conversation['id']}/messages").json()["items"]
        texts += [m["text"] for m in messages if m["direction"] == "inbound"]
    return sorted(texts)


def _raw(text: str, message_id: str) -> bytes:
    return mail(subject=text, text=text, charset="utf-8", message_id=message_id).as_bytes()


def test_polling_takes_new_mail_once_never_changes_the_mailbox_and_resumes(
    api: TestClient, container: Container, dovecot: Dovecot, clock: FrozenClock
) -> None:
    inbox = _imap_inbox(api, dovecot)
    assert api.get(f"/api/v1/inboxes/{inbox['id']}").json()["health"]["status"] == "new"
    assert "password" not in api.get(f"/api/v1/inboxes/{inbox['id']}").json()["settings"]
    dovecot.append(_raw("first", "<i1@x.example>"))
    dovecot.append(_raw("second", "<i2@x.example>"))
    jobs = _jobs(container)
    jobs.poll_mail()
    assert _inbound_texts(api) == ["first", "second"]
    health = api.get(f"/api/v1/inboxes/{inbox['id']}").json()["health"]
    assert health["status"] == "ok"
    assert health["last_uid"] == 2
    jobs.poll_mail()  # a re-poll takes nothing again
    assert _inbound_texts(api) == ["first", "second"]
    count, flags = dovecot.flags_and_count()
    assert count == 2  # nothing deleted or moved
    assert all(b"\\Seen" not in f for f in flags)  # not even marked read

    # a restart of Kefu (a new job object, same database) resumes after the last UID
    dovecot.append(_raw("third", "<i3@x.example>"))
    _restarted(container).poll_mail()
    assert _inbound_texts(api) == ["first", "second", "third"]
    entries = api.get("/api/v1/channels/inbound").json()["items"]
    assert len(entries) == 3
    detail = api.get(f"/api/v1/channels/inbound/{entries[0]['id']}").json()
    assert detail["request"]["method"] == "IMAP"
    assert ";UIDVALIDITY=" in detail["request"]["url"]
    assert detail["request"]["url"].endswith(";UID=3")


def test_uidvalidity_change_rereads_without_duplicates(
    api: TestClient, container: Container, dovecot: Dovecot
) -> None:
    inbox = _imap_inbox(api, dovecot)
    dovecot.append(_raw("kept", "<k1@x.example>"))
    _jobs(container).poll_mail()
    before = api.get(f"/api/v1/inboxes/{inbox['id']}").json()["health"]["uidvalidity"]
    dovecot.recreate_mailbox()
    dovecot.append(_raw("kept", "<k1@x.example>"))  # the same mail again, under a new numbering
    dovecot.append(_raw("new", "<k2@x.example>"))
    _jobs(container).poll_mail()
    health = api.get(f"/api/v1/inboxes/{inbox['id']}").json()["health"]
    assert health["uidvalidity"] != before
    assert health["last_uid"] == 2
    assert _inbound_texts(api) == ["kept", "new"]


def test_the_same_mail_over_smtp_and_imap_is_one_message(
    api: TestClient, container: Container, dovecot: Dovecot
) -> None:
    _imap_inbox(api, dovecot)
    message = mail(subject="both ways", text="both ways", charset="utf-8", message_id="<both@x.example>")
    with receiver(container) as port:
        send(port, message)
    dovecot.append(message.as_bytes())
    _jobs(container).poll_mail()
    assert _inbound_texts(api) == ["both ways"]


def test_an_unreachable_or_refusing_mailbox_is_a_health_error(
    api: TestClient, container: Container, dovecot: Dovecot, clock: FrozenClock
) -> None:
    inbox = _imap_inbox(api, dovecot, password="wrong")
    _jobs(container).poll_mail()
    health = api.get(f"/api/v1/inboxes/{inbox['id']}").json()["health"]
    assert health["status"] == "error"
    assert "login refused" in health["last_error"]
    assert health["failure_count"] == 1
    api.patch(f"/api/v1/inboxes/{inbox['id']}", json={"settings": {"password": PASSWORD}})
    _jobs(container).poll_mail()
    assert api.get(f"/api/v1/inboxes/{inbox['id']}").json()["health"]["status"] == "ok"
    clock.advance(minutes=20)  # no successful poll since: the mailbox is stalled
    assert api.get(f"/api/v1/inboxes/{inbox['id']}").json()["health"]["status"] == "stalled"
