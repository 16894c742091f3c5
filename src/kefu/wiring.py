"""Composition root: engine, sessions, job runtime, every event subscription and periodic job."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from kefu.accounts.tasks import PURGE_JOB, purge_expired_credentials_job
from kefu.config.settings import Settings
from kefu.conversations import events as conversation_events
from kefu.conversations import handlers as conversation_handlers
from kefu.conversations.events import ConversationComplaintMarked, MessageAnalysed, MessageReceived
from kefu.conversations.tasks import WAKE_SNOOZED_JOB, wake_snoozed_job
from kefu.customers.events import CustomersMerged
from kefu.db.engine import make_engine, make_session_factory
from kefu.db.outbox import AFTER_COMMIT_KEY
from kefu.jobs.relay import OutboxRelay
from kefu.jobs.retention import PRUNE_OUTBOX_JOB, prune_outbox_job
from kefu.jobs.runtime import JobRuntime, RuntimeMode
from kefu.jobs.subscriptions import ANY_EVENT, Subscriptions
from kefu.nlp import events as nlp_events
from kefu.nlp import tasks as nlp_tasks
from kefu.nlp.analyzer import load_analyzer
from kefu.realtime.feed import RealtimeFeed
from kefu.realtime.hub import make_hub
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
    container = Container(settings, engine, session_factory, subscriptions, runtime, http_transport,
                          RealtimeFeed(make_hub(settings.redis_url), row_payload))
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
    subscribe(MessageAnalysed, conversation_handlers.on_message_analysed)
    subscribe(ConversationComplaintMarked, conversation_handlers.on_complaint_marked)
    if container.realtime is not None:
        for pushed in REALTIME_EVENTS:
            subscribe(pushed, container.realtime.on_event, name="realtime.push")
    subscribe(
        nlp_events.IntentTrainingRequested,
        container.runtime.enqueue_event(TRAIN_INTENT_JOB),
        name="nlp.enqueue_intent_training",
    )


def register_jobs(container: Container) -> None:
    """Every background job and periodic schedule of the platform."""
    runtime, sessions = container.runtime, container.session_factory
    webhooks = DeliveryJobs(
        sessions,
        runtime.enqueue,
        timeout_seconds=container.settings.webhook_timeout_seconds,
        transport=container.http_transport,
    )
    runtime.job(DELIVER_JOB, webhooks.deliver)
    runtime.periodic(RETRY_DUE_JOB, webhooks.retry_due, minute="*")
    runtime.periodic(PURGE_JOB, purge_expired_credentials_job(sessions), minute="*/10")
    runtime.periodic(WAKE_SNOOZED_JOB, wake_snoozed_job(sessions), minute="*")
    retention = timedelta(days=container.settings.outbox_retention_days)
    runtime.periodic(PRUNE_OUTBOX_JOB, prune_outbox_job(sessions, retention), minute="7")
    runtime.job(TRAIN_INTENT_JOB, partial(nlp_tasks.train_intent_model, sessions))
