"""Service-layer benchmark: conversations with three messages each, written in large transactions."""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from kefu.bench.databases import bench_database, create_bench_tenant
from kefu.conversations import service as conversations
from kefu.conversations.enums import ActorKind, Channel
from kefu.conversations.schemas import Actor, ConversationIn, FirstMessageIn
from kefu.customers.enums import IdentityKind
from kefu.customers.schemas import IdentityIn, ResolveIn
from kefu.db.engine import make_engine, make_session_factory
from kefu.db.metadata import target_metadata

MESSAGES_PER_CONVERSATION = 3
_LINES = (
    ("en", "SG", "Hi, my order #{n} has not arrived yet. Can you check the status?",
     "Thanks for waiting! Order #{n} left our warehouse yesterday and arrives within 2 days.",
     "Great, thank you for the quick help."),
    ("zh", "CN", "你好，我的订单{n}还没到，能帮我查一下吗？",
     "您好，订单{n}已于昨天发出，预计两天内送达。",
     "好的，谢谢！"),
    ("id", "ID", "Halo, pesanan #{n} saya belum sampai. Bisa dicek statusnya?",
     "Terima kasih sudah menunggu. Pesanan #{n} sudah dikirim kemarin, tiba dalam 2 hari.",
     "Oke, terima kasih banyak."),
    ("vi", "VN", "Chào bạn, đơn hàng #{n} của tôi vẫn chưa đến. Bạn kiểm tra giúp được không?",
     "Cảm ơn bạn đã chờ. Đơn hàng #{n} đã gửi đi hôm qua, sẽ đến trong 2 ngày.",
     "Được rồi, cảm ơn bạn."),
    ("th", "TH", "สวัสดีค่ะ คำสั่งซื้อ #{n} ยังไม่ได้รับเลย ช่วยตรวจสอบสถานะให้หน่อยได้ไหมคะ",
     "ขอบคุณที่รอค่ะ คำสั่งซื้อ #{n} จัดส่งเมื่อวานนี้ จะถึงภายใน 2 วัน",
     "ได้ค่ะ ขอบคุณมากค่ะ"),
    ("ms", "MY", "Hai, pesanan #{n} saya belum sampai lagi. Boleh semak status?",
     "Terima kasih kerana menunggu. Pesanan #{n} telah dihantar semalam, tiba dalam 2 hari.",
     "Baik, terima kasih."),
)


@dataclass(frozen=True)
class ServiceFigures:
    """What the service-layer run wrote and how fast."""

    backend: str
    conversations: int
    messages: int
    rows: int
    seconds: float

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


def write_conversation(session: Session, workspace_id: uuid.UUID, agent: Actor, n: int, tag: str) -> None:
    """One new customer, a conversation opened by their message, an agent reply and a customer answer."""
    language, market, first, reply, answer = _LINES[n % len(_LINES)]
    order = f"{tag}{n:07d}"
    conversation = conversations.open_conversation(
        session, workspace_id=workspace_id,
        data=ConversationIn(
            channel=Channel.CHAT,
            customer=ResolveIn(identities=[IdentityIn(kind=IdentityKind.APP, value=f"u-{order}")],
                               language=language, market=market),
            message=FirstMessageIn(text=first.format(n=order)),
        ),
    )
    conversations.send_reply(session, workspace_id=workspace_id, conversation_id=conversation.id,
                             text=reply.format(n=order), actor=agent)
    conversations.receive_message(session, workspace_id=workspace_id,
                                  customer_id=conversation.customer_id, channel=Channel.CHAT,
                                  text=answer.format(n=order))


def run_service_bench(
    *, database_url: str | None, conversations_total: int, batch: int = 500,
    progress: Callable[[int], None] | None = None,
) -> ServiceFigures:
    """Write `conversations_total` conversations in transactions of `batch`; time the writes only."""
    with tempfile.TemporaryDirectory(prefix="kefu-bench-") as tmp, \
            bench_database(Path(tmp), database_url, "kefu_bench_service") as url:
        tenant = create_bench_tenant(url)
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        agent = Actor(kind=ActorKind.AGENT, id=tenant.admin_id, is_admin=True)
        rows_before = count_rows(engine)
        started = time.perf_counter()
        written = 0
        while written < conversations_total:
            size = min(batch, conversations_total - written)
            with sessions() as session:
                for n in range(written, written + size):
                    write_conversation(session, tenant.workspace_id, agent, n, "B")
                session.commit()
            written += size
            if progress is not None:
                progress(written)
        seconds = time.perf_counter() - started
        rows = count_rows(engine) - rows_before
        engine.dispose()
    return ServiceFigures("postgresql" if database_url else "sqlite", written,
                          written * MESSAGES_PER_CONVERSATION, rows, seconds)
