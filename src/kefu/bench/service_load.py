"""Service-layer benchmark: conversation history imported in bulk, three messages each, batch by batch."""

from __future__ import annotations

import random
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from kefu.bench.databases import bench_database, create_bench_tenant
from kefu.conversations import service as conversations
from kefu.conversations.enums import ActorKind
from kefu.conversations.schemas import Actor, ImportedConversationIn
from kefu.core.heap import freeze_startup_heap
from kefu.db.engine import make_engine, make_session_factory
from kefu.db.metadata import target_metadata

MESSAGES_PER_CONVERSATION = 3
_LINES = (
    (
        "en",
        "SG",
        "Hi, my order #{n} has not arrived yet. Can you check the status?",
        "Thanks for waiting! Order #{n} left our warehouse yesterday and arrives within 2 days.",
        "Great, thank you for the quick help.",
    ),
    (
        "zh",
        "CN",
        "你好，我的订单{n}还没到，能帮我查一下吗？",
        "您好，订单{n}已于昨天发出，预计两天内送达。",
        "好的，谢谢！",
    ),
    (
        "id",
        "ID",
        "Halo, pesanan #{n} saya belum sampai. Bisa dicek statusnya?",
        "Terima kasih sudah menunggu. Pesanan #{n} sudah dikirim kemarin, tiba dalam 2 hari.",
        "Oke, terima kasih banyak.",
    ),
    (
        "vi",
        "VN",
        "Chào bạn, đơn hàng #{n} của tôi vẫn chưa đến. Bạn kiểm tra giúp được không?",
        "Cảm ơn bạn đã chờ. Đơn hàng #{n} đã gửi đi hôm qua, sẽ đến trong 2 ngày.",
        "Được rồi, cảm ơn bạn.",
    ),
    (
        "th",
        "TH",
        "สวัสดีค่ะ คำสั่งซื้อ #{n} ยังไม่ได้รับเลย ช่วยตรวจสอบสถานะให้หน่อยได้ไหมคะ",
        "ขอบคุณที่รอค่ะ คำสั่งซื้อ #{n} จัดส่งเมื่อวานนี้ จะถึงภายใน 2 วัน",
        "ได้ค่ะ ขอบคุณมากค่ะ",
    ),
    (
        "ms",
        "MY",
        "Hai, pesanan #{n} saya belum sampai lagi. Boleh semak status?",
        "Terima kasih kerana menunggu. Pesanan #{n} telah dihantar semalam, tiba dalam 2 hari.",
        "Baik, terima kasih.",
    ),
)


HISTORY_DAYS = 90
"""The imported conversations spread over this many days, ending two days ago."""
SEED = 20261122


@dataclass(frozen=True)
class ServiceFigures:
    """What the service-layer run wrote and how fast (`seconds`: the writes and commits only)."""

    backend: str
    conversations: int
    messages: int
    rows: int
    seconds: float
    input_seconds: float = 0.0
    """Building and validating the import items (Pydantic), not counted in `seconds`."""
    cpu_seconds: float = 0.0
    """Process CPU time of the writes (includes SQLite's work, not the PostgreSQL server's)."""

    @property
    def messages_per_second(self) -> float:
        """Messages stored per second."""
        return self.messages / self.seconds

    @property
    def rows_per_second(self) -> float:
        """Rows of all tables (customers, identities, conversations, messages, outbox...) per second."""
        return self.rows / self.seconds

    @property
    def conversations_per_second(self) -> float:
        """Conversations (with their customer and three messages) per second."""
        return self.conversations / self.seconds


def count_rows(engine: Engine) -> int:
    """Rows in all of Kefu's tables together."""
    with engine.connect() as conn:
        return sum(
            conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in target_metadata.sorted_tables
        )


def history_item(
    n: int, tag: str, agent_id: uuid.UUID, start: datetime, step: timedelta, rng: random.Random
) -> dict[str, Any]:
    """One conversation as an import client sends it: a new customer's question, the agent's reply
    and the customer's answer, minutes apart; most resolved, some closed or still open."""
    language, market, first, reply, answer = _LINES[n % len(_LINES)]
    order = f"{tag}{n:07d}"
    asked = start + step * n + timedelta(seconds=rng.randrange(0, 600))
    replied = asked + timedelta(seconds=rng.randrange(60, 45 * 60))
    answered = replied + timedelta(seconds=rng.randrange(30, 30 * 60))
    item: dict[str, Any] = {
        "customer": {"identities": [{"kind": "app", "value": f"u-{order}"}], "language": language,
                     "market": market},
        "channel": "chat",
        "custom_fields": {"order_no": order},
        "messages": [
            {"text": first.format(n=order), "created_at": asked, "external_id": f"{order}-1",
             "language": language},
            {"direction": "outbound", "author_id": agent_id, "text": reply.format(n=order),
             "created_at": replied, "external_id": f"{order}-2", "language": language},
            {"text": answer.format(n=order), "created_at": answered, "external_id": f"{order}-3",
             "language": language},
        ],
    }  # fmt: skip
    kind = n % 20
    if kind == 0:
        item["status"] = "open"
    else:
        item["status"] = "closed" if kind == 1 else "resolved"
        item["resolved_at"] = answered + timedelta(seconds=rng.randrange(60, 3600))
        if kind == 1:
            item["closed_at"] = item["resolved_at"] + timedelta(days=1)
    return item


def run_service_bench(
    *,
    database_url: str | None,
    conversations_total: int,
    batch: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> ServiceFigures:
    """Import `conversations_total` conversations through `import_conversations`, one transaction per
    `batch`; times the writes and commits, not the building of the items."""
    with (
        tempfile.TemporaryDirectory(prefix="kefu-bench-") as tmp,
        bench_database(Path(tmp), database_url, "kefu_bench_service") as url,
    ):
        tenant = create_bench_tenant(url)
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        agent = Actor(kind=ActorKind.AGENT, id=tenant.admin_id, is_admin=True)
        rng = random.Random(SEED)
        start = datetime.now(UTC) - timedelta(days=HISTORY_DAYS + 2)
        step = timedelta(days=HISTORY_DAYS) / max(conversations_total, 1)
        rows_before = count_rows(engine)
        freeze_startup_heap()  # as a server process does once started (kefu.main, kefu worker)
        seconds = input_seconds = cpu_seconds = 0.0
        written = messages = 0
        while written < conversations_total:
            size = min(batch, conversations_total - written)
            built = time.perf_counter()
            items = [
                ImportedConversationIn.model_validate(history_item(n, "B", tenant.admin_id, start, step, rng))
                for n in range(written, written + size)
            ]
            began, cpu_began = time.perf_counter(), time.process_time()
            with sessions() as session:
                result = conversations.import_conversations(
                    session, workspace_id=tenant.workspace_id, items=items, actor=agent
                )
                session.commit()
            seconds += time.perf_counter() - began
            cpu_seconds += time.process_time() - cpu_began
            input_seconds += began - built
            written += size
            messages += result.messages
            if progress is not None:
                progress(written)
        rows = count_rows(engine) - rows_before
        engine.dispose()
    backend = "postgresql" if database_url else "sqlite"
    return ServiceFigures(backend, written, messages, rows, seconds, input_seconds, cpu_seconds)
