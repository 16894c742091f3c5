"""Composition root: engine, sessions, job runtime, every event subscription and periodic job."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from kefu.accounts.dependencies import PrincipalCache
from kefu.accounts.events import AgentDeactivated, AgentUpdated
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
from kefu.channels import service as channels
from kefu.channels.handlers import OutboundRelay
from kefu.channels.receivers import DEFAULT_MAX_MESSAGE_BYTES, LedgerHandler, SmtpReceiver
from kefu.channels.schemas import InboundMessage, InboxRef, IntakeResult, ThreadHint
from kefu.channels.tasks import POLL_MAIL_JOB, PROCESS_JOB, SEND_JOB, ChannelJobs
from kefu.channels.tasks import RETRY_DUE_JOB as CHANNELS_RETRY_DUE_JOB
from kefu.complaints import handlers as complaint_handlers
from kefu.config.settings import Settings
from kefu.conversations import events as conversation_events
from kefu.conversations import handlers as conversation_handlers
from kefu.conversations import service as conversations
from kefu.conversations.enums import Channel
from kefu.conversations.events import (
    ConversationAssigned,
    ConversationComplaintMarked,
    ConversationOpened,
    ConversationPriorityChanged,
    ConversationResolved,
    ConversationStatusChanged,
    MessageAnalysed,
    MessageReceived,
    MessageSent,
)
from kefu.conversations.schemas import Attachment
from kefu.conversations.tasks import WAKE_SNOOZED_JOB, wake_snoozed_job
from kefu.core.errors import NotFound
from kefu.core.events import DomainEvent
from kefu.core.secretbox import SecretBox
from kefu.customers import service as customers
from kefu.customers.enums import IdentityKind
from kefu.customers.events import CustomersMerged
from kefu.customers.schemas import IdentityIn
from kefu.db.commit_hooks import after_commit
from kefu.db.engine import make_engine, make_session_factory
from kefu.db.outbox import AFTER_COMMIT_KEY, REACTIONS_KEY, Reaction
from kefu.jobs.relay import OutboxRelay
from kefu.jobs.retention import PRUNE_OUTBOX_JOB, prune_outbox_job
from kefu.jobs.runtime import JobRuntime, RuntimeMode
from kefu.jobs.subscriptions import ANY_EVENT, Subscriptions
from kefu.nlp import events as nlp_events
from kefu.nlp import service as nlp_service
from kefu.nlp import tasks as nlp_tasks
from kefu.outbound.client import OutboundPolicy, Resolver, system_resolver
from kefu.privacy.tasks import RETENTION_JOB, apply_retention_job
from kefu.qa import handlers as qa_handlers
from kefu.qa.schemas import Deadline, DeadlineSource
from kefu.qa.tasks import DIGEST_JOB as QA_DIGEST_JOB
from kefu.qa.tasks import SWEEP_JOB as QA_SWEEP_JOB
from kefu.qa.tasks import evaluate_due_job, weekly_digest_job
from kefu.realtime.feed import RealtimeFeed
from kefu.realtime.hub import make_hub
from kefu.routing import handlers as routing_handlers
from kefu.routing.tasks import SWEEP_JOB as ROUTING_SWEEP_JOB
from kefu.routing.tasks import sweep_job as routing_sweep_job
from kefu.sla import handlers as sla_handlers
from kefu.sla import service as sla
from kefu.sla.enums import Metric
from kefu.sla.events import SlaBreached, SlaEscalated, SlaWarning
from kefu.sla.tasks import SWEEP_JOB as SLA_SWEEP_JOB
from kefu.sla.tasks import sweep_job as sla_sweep_job
from kefu.sso import service as sso_service
from kefu.web.inbox import row_payload
from kefu.webhooks import service as webhooks_service
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
    qa_deadlines: DeadlineSource | None = None
    """The applied SLA deadlines quality inspection's timing checks read (`sla_deadlines`)."""
    attachment_store: channels.AttachmentStore | None = None

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
    container.secret_box = SecretBox(settings.resolved_keyring())
    container.attachment_store = channels.AttachmentStore(settings.data_dir / "attachments")
    container.realtime = RealtimeFeed(make_hub(settings.redis_url), row_payload)
    container.qa_deadlines = sla_deadlines
    subscribe_handlers(container)
    register_jobs(container)
    return container


def web_sessions(container: Container) -> tuple[sessionmaker[Session], PrincipalCache]:
    """The sessions and the token-principal cache of one web application.

    Its sessions are the container's, plus one reaction: once a transaction of the application
    that changed an agent's role commits, the application's cache starts afresh, so none of its
    requests is refused for the change (other processes confirm their cached claims, principals.py).
    """
    principals = PrincipalCache()
    base = container.session_factory
    reactions = {AgentUpdated.event_type: _clear_on_role_change(principals)}
    info = {**base.kw.get("info", {}), REACTIONS_KEY: reactions}
    return sessionmaker(class_=base.class_, **{**base.kw, "info": info}), principals


def _clear_on_role_change(principals: PrincipalCache) -> Reaction:
    def react(session: Session, published: DomainEvent) -> None:
        if isinstance(published, AgentUpdated) and "role" in published.changed:
            after_commit(session, principals.clear)

    return react


def start_worker(container: Container, *, threads: int | None = None) -> None:
    """Start this process's job worker and load the language models in the background meanwhile."""
    threading.Thread(target=nlp_service.load_models, name="kefu-nlp-load", daemon=True).start()
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
    inspection = qa_handlers.Inspection(container.qa_deadlines)
    subscribe(ConversationResolved, inspection.on_conversation_resolved,
              name="kefu.qa.handlers.on_conversation_resolved")  # the name events were marked under
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
    subscribe(SlaWarning, sla_handlers.on_target_raised)
    subscribe(SlaBreached, sla_handlers.on_target_raised)
    subscribe(ConversationOpened, routing_handlers.on_conversation_opened)
    subscribe(MessageAnalysed, routing_handlers.on_message_analysed)
    subscribe(ConversationAssigned, routing_handlers.on_conversation_assigned)
    subscribe(ConversationPriorityChanged, routing_handlers.on_priority_changed)
    subscribe(ConversationStatusChanged, routing_handlers.on_status_changed)
    subscribe(MessageSent, routing_handlers.on_message_sent)
    subscribe(AgentUpdated, routing_handlers.on_agent_changed)
    subscribe(AgentDeactivated, routing_handlers.on_agent_changed)
    subscribe(SlaEscalated, routing_handlers.on_sla_escalated)


def register_jobs(container: Container) -> None:
    """Every background job and periodic schedule of the platform."""
    runtime, sessions = container.runtime, container.session_factory
    assert container.secret_box is not None
    webhooks = DeliveryJobs(
        sessions,
        runtime.enqueue,
        timeout_seconds=container.settings.webhook_timeout_seconds,
        policy=container.outbound,
        box=container.secret_box,
        transport=container.http_transport,
    )
    runtime.job(DELIVER_JOB, webhooks.deliver)
    runtime.periodic(RETRY_DUE_JOB, webhooks.retry_due, minute="*")
    runtime.periodic(PURGE_JOB, purge_expired_credentials_job(sessions), minute="*/10")
    runtime.periodic(WAKE_SNOOZED_JOB, wake_snoozed_job(sessions), minute="*")
    retention = timedelta(days=container.settings.outbox_retention_days)
    runtime.periodic(PRUNE_OUTBOX_JOB, prune_outbox_job(sessions, retention), minute="7")
    runtime.periodic(QA_SWEEP_JOB, evaluate_due_job(sessions, container.qa_deadlines), minute="*/10")
    runtime.periodic(QA_DIGEST_JOB, weekly_digest_job(sessions), minute="30", hour="1", day_of_week="1")
    runtime.job(TRAIN_INTENT_JOB, partial(nlp_tasks.train_intent_model, sessions))
    runtime.periodic(SLA_SWEEP_JOB, sla_sweep_job(sessions), minute="*")
    runtime.periodic(TIME_RULES_JOB, time_rules_job(sessions), minute="*/5")
    runtime.periodic(HANDOFFS_OVERDUE_JOB, handoffs_overdue_job(sessions), minute="*")
    runtime.job(WEBHOOK_JOB, RuleWebhooks(container.outbound, container.http_transport).call)
    runtime.periodic(ROUTING_SWEEP_JOB, routing_sweep_job(sessions), minute="*")
    runtime.periodic(RETENTION_JOB, apply_retention_job(sessions), minute="23")
    assert container.secret_box is not None and container.attachment_store is not None
    channel_jobs = ChannelJobs(
        sessions, runtime.enqueue, deliver_inbound, container.secret_box, container.attachment_store,
        transport=container.http_transport,
    )
    runtime.job(PROCESS_JOB, channel_jobs.process)
    runtime.job(SEND_JOB, channel_jobs.send)
    runtime.periodic(CHANNELS_RETRY_DUE_JOB, channel_jobs.retry_due, minute="*")
    runtime.periodic(POLL_MAIL_JOB, channel_jobs.poll_mail, minute="*")


def sla_deadlines(
    session: Session, workspace_id: uuid.UUID, conversation_id: uuid.UUID
) -> tuple[Deadline, ...]:
    """The applied SLA's response targets of a conversation, for quality inspection's timing checks.

    Composed here because qa and sla are peers: qa takes the deadlines through this seam.
    """
    try:
        applied = sla.get_conversation_sla(
            session, workspace_id=workspace_id, conversation_id=conversation_id
        )
    except NotFound:
        return ()
    return tuple(
        Deadline(t.metric.value, t.started_at, t.due_at, float(t.target_seconds))
        for t in applied.targets
        if t.metric in (Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE)
    )


def reseal_all_secrets(container: Container, session: Session) -> dict[str, int]:
    """Re-seal every stored secret of every domain under the keyring's current key (`kefu secrets rotate`)."""
    assert container.secret_box is not None
    box = container.secret_box
    return {
        "inbox secrets": channels.reseal_secrets(session, box=box),
        "webhook signing secrets": webhooks_service.reseal_secrets(session, box=box),
        "single sign-on client secrets": sso_service.reseal_secrets(session, box=box),
    }


def smtp_receiver(container: Container, *, host: str, port: int) -> SmtpReceiver:
    """The built-in SMTP receiver of this process, storing into the ledger and queueing processing."""
    assert container.secret_box is not None and container.attachment_store is not None
    handler = LedgerHandler(
        container.session_factory, container.runtime.enqueue, container.secret_box, container.attachment_store
    )
    limit = container.settings.smtp_max_message_bytes or DEFAULT_MAX_MESSAGE_BYTES
    return SmtpReceiver(handler, host, port, limit)


def deliver_inbound(
    session: Session, *, inbox: InboxRef, message: InboundMessage, thread: ThreadHint | None = None
) -> IntakeResult:
    """The hand-off of a ledger entry: the customer behind the sender, then the message, stored once.

    Composed here because channels sits below conversations (and beside customers): the channels
    job calls this with the entry's inbox and normalised message, in the job's transaction.
    Files kept in the attachment store become the message's attachments; a threaded channel's
    hint names the conversation it answers (used only when it is the same customer's).
    """
    sender = message.sender
    identities = [IdentityIn(kind=IdentityKind(inbox.identity_kind), value=sender.handle, verified=True)]
    if sender.phone and inbox.identity_kind != IdentityKind.PHONE:
        identities.append(IdentityIn(kind=IdentityKind.PHONE, value=sender.phone, verified=sender.verified))
    if sender.email and inbox.identity_kind != IdentityKind.EMAIL:
        identities.append(IdentityIn(kind=IdentityKind.EMAIL, value=sender.email, verified=sender.verified))
    customer = customers.resolve_customer(
        session, workspace_id=inbox.workspace_id, identities=identities, name=sender.name,
        language=sender.language, market=inbox.market,
    )
    attachments = []
    for media in message.media:
        attachment_id = channels.attachment_id_of(media)
        if attachment_id is not None:
            attachments.append(Attachment(
                name=(media.name or "attachment")[:255],
                content_type=media.content_type or "application/octet-stream",
                size=media.size or 0, url=f"/api/v1/attachments/{attachment_id}",
            ))
    missing = [media for media in message.media if channels.attachment_id_of(media) is None]
    text = message.text or " ".join(f"[{media.kind}]" for media in missing)
    received = conversations.receive_message(
        session, workspace_id=inbox.workspace_id, customer_id=customer.id,
        channel=Channel(inbox.conversation_channel), text=text, external_id=message.provider_message_id[:255],
        inbox_id=inbox.id, attachments=attachments[:20],
        conversation_id=thread.conversation_id if thread else None,
        new_thread=thread.new_thread if thread else False,
    )
    return IntakeResult(
        customer_id=customer.id, conversation_id=received.conversation.id, message_id=received.message.id,
        duplicate=received.duplicate,
    )
