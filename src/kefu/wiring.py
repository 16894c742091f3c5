"""Composition root: engine, sessions, job runtime, every event subscription and periodic job."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from kefu.accounts.tasks import PURGE_JOB, purge_expired_credentials_job
from kefu.automation import handlers as automation_handlers
from kefu.automation.events import ConversationEscalated, WebhookRequested
from kefu.automation.tasks import (
    HANDOFFS_OVERDUE_JOB,
    TIME_RULES_JOB,
    WEBHOOK_JOB,
    RuleWebhooks,
    handoffs_overdue_job,
    time_rules_job,
)
from kefu.channels.handlers import OutboundRelay
from kefu.channels.schemas import InboundMessage, InboxRef, IntakeResult
from kefu.channels.tasks import PROCESS_JOB, SEND_JOB, ChannelJobs
from kefu.channels.tasks import RETRY_DUE_JOB as CHANNELS_RETRY_DUE_JOB
from kefu.complaints import handlers as complaint_handlers
from kefu.config.settings import Settings
from kefu.conversations import events as conversation_events
from kefu.conversations import handlers as conversation_handlers
from kefu.conversations import service as conversations
from kefu.conversations.enums import Channel
from kefu.conversations.events import (
    ConversationComplaintMarked,
    ConversationOpened,
    ConversationPriorityChanged,
    ConversationResolved,
    ConversationStatusChanged,
    MessageAnalysed,
    MessageReceived,
    MessageSent,
)
from kefu.conversations.tasks import WAKE_SNOOZED_JOB, wake_snoozed_job
from kefu.core.secretbox import SecretBox
from kefu.customers import service as customers
from kefu.customers.enums import IdentityKind
from kefu.customers.events import CustomersMerged
from kefu.customers.schemas import IdentityIn
from kefu.db.engine import make_engine, make_session_factory
from kefu.db.outbox import AFTER_COMMIT_KEY
from kefu.jobs.relay import OutboxRelay
from kefu.jobs.retention import PRUNE_OUTBOX_JOB, prune_outbox_job
from kefu.jobs.runtime import JobRuntime, RuntimeMode
from kefu.jobs.subscriptions import ANY_EVENT, Subscriptions
from kefu.nlp import events as nlp_events
from kefu.nlp import tasks as nlp_tasks
from kefu.nlp.analyzer import load_analyzer
from kefu.outbound.client import OutboundPolicy, Resolver, system_resolver
from kefu.qa import handlers as qa_handlers
from kefu.qa.tasks import SWEEP_JOB as QA_SWEEP_JOB
from kefu.qa.tasks import evaluate_due_job
from kefu.realtime.feed import RealtimeFeed
from kefu.realtime.hub import make_hub
from kefu.sla import handlers as sla_handlers
from kefu.sla.tasks import SWEEP_JOB as SLA_SWEEP_JOB
from kefu.sla.tasks import sweep_job as sla_sweep_job
from kefu.web.inbox import row_payload
from kefu.webhooks.handlers import EventFanout
from kefu.webhooks.tasks import DELIVER_JOB, RETRY_DUE_JOB, DeliveryJobs

TRAIN_INTENT_JOB = "nlp.train_intent_model"
REALTIME_EVENTS = (
    conversation_events.ConversationOpened, conversation_events.MessageReceived,
    conversation_events.MessageSent, conversation_events.NoteAdded, conversation_events.MessageAnalysed,
    conversation_events.ConversationAssigned,
    conversation_events.ConversationStatusChanged, conversation_events.ConversationPriorityChanged,
    conversation_events.ConversationTagged, conversation_events.ConversationUntagged,
    conversation_events.ConversationComplaintMarked, conversation_events.ConversationCustomerChanged,
)
"""Events that change what a conversation row shows: each pushes `conversation.updated` to the console."""


@dataclass
class Container:
    """Everything a process needs: settings, database, jobs and subscriptions."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    subscriptions: Subscriptions
    runtime: JobRuntime
    http_transport: httpx.BaseTransport | None = None
    outbound: OutboundPolicy = field(default_factory=OutboundPolicy)
    secret_box: SecretBox | None = None
    realtime: RealtimeFeed | None = None

    def close(self) -> None:
        """Stop background work and release connections."""
        self.runtime.stop()
        self.engine.dispose()


def runtime_mode(settings: Settings) -> RuntimeMode:
    """Redis when configured, otherwise the embedded SQLite queue."""
    return RuntimeMode.REDIS if settings.redis_url else RuntimeMode.EMBEDDED


def build_container(
    settings: Settings,
    *,
    mode: RuntimeMode | None = None,
    http_transport: httpx.BaseTransport | None = None,
    resolver: Resolver | None = None,
) -> Container:
    """Build the process-wide container; subscriptions and jobs are declared here and only here."""
    engine = make_engine(settings.resolved_database_url())
    session_factory = make_session_factory(engine)
    subscriptions = Subscriptions()
    relay = OutboxRelay(session_factory, subscriptions)
    runtime = JobRuntime(
        mode or runtime_mode(settings),
        relay,
        data_dir=settings.data_dir,
        redis_url=settings.redis_url,
    )
    session_factory.configure(info={AFTER_COMMIT_KEY: runtime.kick_relay})
    outbound = OutboundPolicy(settings.allow_private_outbound, resolver or system_resolver)
    container = Container(settings, engine, session_factory, subscriptions, runtime, http_transport, outbound)
    container.secret_box = SecretBox(settings.resolved_secret_key())
    container.realtime = RealtimeFeed(make_hub(settings.redis_url), row_payload)
    subscribe_handlers(container)
    register_jobs(container)
    return container


def start_worker(container: Container, *, threads: int | None = None) -> None:
    """Start this process's job worker and load the language models in the background meanwhile."""
    threading.Thread(target=load_analyzer, name="kefu-nlp-load", daemon=True).start()
    container.runtime.start(workers=threads or container.settings.worker_threads)


def subscribe_handlers(container: Container) -> None:
    """Every event subscription of the platform."""
    subscribe = container.subscriptions.subscribe
    subscribe(ANY_EVENT, EventFanout(container.runtime.enqueue).on_any_event)
    subscribe(CustomersMerged, conversation_handlers.on_customers_merged)
    subscribe(MessageReceived, conversation_handlers.on_message_received)
    outbound = OutboundRelay(container.runtime.enqueue)
    subscribe(MessageSent, outbound.on_message_sent, name="channels.on_message_sent")
    subscribe(MessageAnalysed, conversation_handlers.on_message_analysed)
    subscribe(ConversationComplaintMarked, complaint_handlers.on_complaint_marked)
    subscribe(ConversationEscalated, complaint_handlers.on_escalated)
    subscribe(ConversationResolved, complaint_handlers.on_conversation_resolved)
    for listened in automation_handlers.TRIGGERS:
        subscribe(listened, automation_handlers.on_event, name="automation.on_event")
    subscribe(
        WebhookRequested, container.runtime.enqueue_event(WEBHOOK_JOB), name="automation.enqueue_webhook"
    )
    subscribe(ConversationResolved, qa_handlers.on_conversation_resolved)
    if container.realtime is not None:
        for pushed in REALTIME_EVENTS:
            subscribe(pushed, container.realtime.on_event, name="realtime.push")
    subscribe(
        nlp_events.IntentTrainingRequested,
        container.runtime.enqueue_event(TRAIN_INTENT_JOB),
        name="nlp.enqueue_intent_training",
    )
    subscribe(ConversationOpened, sla_handlers.on_conversation_opened)
    subscribe(MessageReceived, sla_handlers.on_message_received)
    subscribe(MessageSent, sla_handlers.on_message_sent)
    subscribe(ConversationPriorityChanged, sla_handlers.on_priority_changed)
    subscribe(ConversationStatusChanged, sla_handlers.on_status_changed)
    subscribe(ConversationResolved, sla_handlers.on_conversation_resolved)


def register_jobs(container: Container) -> None:
    """Every background job and periodic schedule of the platform."""
    runtime, sessions = container.runtime, container.session_factory
    webhooks = DeliveryJobs(
        sessions,
        runtime.enqueue,
        timeout_seconds=container.settings.webhook_timeout_seconds,
        policy=container.outbound,
        transport=container.http_transport,
    )
    runtime.job(DELIVER_JOB, webhooks.deliver)
    runtime.periodic(RETRY_DUE_JOB, webhooks.retry_due, minute="*")
    runtime.periodic(PURGE_JOB, purge_expired_credentials_job(sessions), minute="*/10")
    runtime.periodic(WAKE_SNOOZED_JOB, wake_snoozed_job(sessions), minute="*")
    retention = timedelta(days=container.settings.outbox_retention_days)
    runtime.periodic(PRUNE_OUTBOX_JOB, prune_outbox_job(sessions, retention), minute="7")
    runtime.periodic(QA_SWEEP_JOB, evaluate_due_job(sessions), minute="*/10")
    runtime.job(TRAIN_INTENT_JOB, partial(nlp_tasks.train_intent_model, sessions))
    runtime.periodic(SLA_SWEEP_JOB, sla_sweep_job(sessions), minute="*")
    runtime.periodic(TIME_RULES_JOB, time_rules_job(sessions), minute="*/5")
    runtime.periodic(HANDOFFS_OVERDUE_JOB, handoffs_overdue_job(sessions), minute="*")
    runtime.job(WEBHOOK_JOB, RuleWebhooks(container.outbound, container.http_transport).call)
    assert container.secret_box is not None
    channels = ChannelJobs(
        sessions, runtime.enqueue, deliver_inbound, container.secret_box, transport=container.http_transport
    )
    runtime.job(PROCESS_JOB, channels.process)
    runtime.job(SEND_JOB, channels.send)
    runtime.periodic(CHANNELS_RETRY_DUE_JOB, channels.retry_due, minute="*")


def deliver_inbound(session: Session, *, inbox: InboxRef, message: InboundMessage) -> IntakeResult:
    """The hand-off of a ledger entry: the customer behind the sender, then the message, stored once.

    Composed here because channels sits below conversations (and beside customers): the channels
    job calls this with the entry's inbox and normalised message, in the job's transaction.
    """
    sender = message.sender
    identities = [IdentityIn(kind=IdentityKind(inbox.identity_kind), value=sender.handle, verified=True)]
    if sender.phone and inbox.identity_kind != IdentityKind.PHONE:
        identities.append(IdentityIn(kind=IdentityKind.PHONE, value=sender.phone, verified=True))
    if sender.email:
        identities.append(IdentityIn(kind=IdentityKind.EMAIL, value=sender.email, verified=True))
    customer = customers.resolve_customer(
        session, workspace_id=inbox.workspace_id, identities=identities, name=sender.name,
        language=sender.language, market=inbox.market,
    )
    text = message.text or " ".join(f"[{media.kind}]" for media in message.media)
    received = conversations.receive_message(
        session, workspace_id=inbox.workspace_id, customer_id=customer.id,
        channel=Channel(inbox.conversation_channel), text=text, external_id=message.provider_message_id[:255],
        inbox_id=inbox.id,
    )
    return IntakeResult(
        customer_id=customer.id, conversation_id=received.conversation.id, message_id=received.message.id,
        duplicate=received.duplicate,
    )
