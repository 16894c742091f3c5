"""`kefu bench console`: server time of the inbox's first page (10,000 conversations) and a conversation."""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from kefu.accounts import service as accounts
from kefu.accounts.enums import Role
from kefu.accounts.schemas import AgentIn
from kefu.bench.databases import bench_database
from kefu.config.settings import Settings
from kefu.conversations import service as conversations
from kefu.conversations.enums import ActorKind, Channel, ConversationStatus, Direction
from kefu.conversations.schemas import Actor, ImportedConversationIn, ImportedMessageIn
from kefu.core import clock
from kefu.customers.schemas import IdentityIn
from kefu.jobs.runtime import RuntimeMode
from kefu.main import create_app
from kefu.wiring import Container, build_container

PASSWORD = "bench password 1"
CHANNELS = [Channel.WHATSAPP, Channel.LINE, Channel.EMAIL, Channel.WECHAT, Channel.ZALO, Channel.WEB]
TEXTS = ["我的订单还没到，已经等了三天了", "ขอสอบถามเรื่องการคืนเงินค่ะ", "Đơn hàng của tôi bị giao trễ",
         "Pesanan saya belum sampai", "Where is my parcel?", "Boleh saya tukar alamat penghantaran?"]


def _load(container: Container, conversations_count: int) -> None:
    with container.session_factory() as session:
        workspace = accounts.create_workspace(session, name="Bench Console")
        admin = accounts.create_agent(session, workspace_id=workspace.id, data=AgentIn(
            email="bench@console.kefu.dev", display_name="Bench", password=PASSWORD, role=Role.ADMIN))
        session.commit()
        actor = Actor(kind=ActorKind.AGENT, id=admin.id, is_admin=True)
        start = clock.now() - timedelta(days=30)
        for batch in range(0, conversations_count, 500):
            items = []
            for n in range(batch, min(batch + 500, conversations_count)):
                at = start + timedelta(seconds=n * 200)
                items.append(ImportedConversationIn(
                    customer={"name": f"Customer {n}", "identities": [
                        IdentityIn(kind="email", value=f"c{n}@bench.kefu.dev")]},  # type: ignore[arg-type]
                    channel=CHANNELS[n % len(CHANNELS)], subject=TEXTS[n % len(TEXTS)],
                    status=ConversationStatus.OPEN if n % 3 else ConversationStatus.RESOLVED,
                    messages=[
                        ImportedMessageIn(text=TEXTS[n % len(TEXTS)], created_at=at, external_id=f"b{n}"),
                        ImportedMessageIn(text="We are checking for you.", direction=Direction.OUTBOUND,
                                          created_at=at + timedelta(seconds=60)),
                        ImportedMessageIn(text=TEXTS[(n + 1) % len(TEXTS)],
                                          created_at=at + timedelta(seconds=90)),
                    ],
                ))
            conversations.import_conversations(session, workspace_id=workspace.id, items=items, actor=actor)
            session.commit()


def _timed(client: TestClient, url: str, rounds: int) -> float:
    """Median milliseconds of GET url (in-process ASGI: server time without the network)."""
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text[:300]
    return statistics.median(samples)


def run_console_bench(*, database_url: str | None, conversations_count: int, rounds: int,
                      echo: Callable[[str], None]) -> None:
    """Load conversations, log in, and print median page times beside a bare page (/login) of the same run."""
    with tempfile.TemporaryDirectory() as data_dir, \
            bench_database(Path(data_dir), database_url, "console_bench") as url:
        settings = Settings(data_dir=Path(data_dir), database_url=url, run_worker=False)
        container = build_container(settings, mode=RuntimeMode.EMBEDDED)
        backend = "PostgreSQL" if database_url else "SQLite"
        started = time.perf_counter()
        _load(container, conversations_count)
        seconds = time.perf_counter() - started
        echo(f"[{backend}] loaded {conversations_count:,} conversations in {seconds:.1f} s")
        with TestClient(create_app(container, start_worker=False)) as client:
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
            assert token is not None
            client.post("/login", data={"email": "bench@console.kefu.dev", "password": PASSWORD,
                                        "csrf_token": token.group(1)})
            first = re.search(r'href="/conversations/([0-9a-f-]{36})', client.get("/inbox?view=all").text)
            assert first is not None
            baseline = _timed(client, "/login", rounds)
            inbox = _timed(client, "/inbox?view=all", rounds)
            page = _timed(client, f"/conversations/{first.group(1)}?view=all", rounds)
            echo(f"[{backend}] median of {rounds}: /login (baseline) {baseline:.1f} ms; "
                 f"inbox first page (50 rows, 5 view counts) {inbox:.1f} ms (target < 150, "
                 f"{inbox / baseline:.1f}x baseline); conversation page {page:.1f} ms (target < 100, "
                 f"{page / baseline:.1f}x baseline)")
        container.close()
