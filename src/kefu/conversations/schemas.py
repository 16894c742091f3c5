"""Public shapes of the conversations domain: inputs (bounded, validated) and outputs."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from kefu.conversations.enums import (
    ActorKind,
    Channel,
    ConversationStatus,
    Direction,
    Priority,
    Sentiment,
    TimelineKind,
)
from kefu.core.errors import ValidationFailed
from kefu.core.text import displayed, refuse_deceptive_line
from kefu.customers.schemas import ResolveIn

MAX_TEXT = 20_000
MAX_TAGS = 30
MAX_FIELDS = 50
MAX_FIELDS_JSON = 16_000
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_M = TypeVar("_M", bound=BaseModel)


def _storable(value: str) -> str:
    """Reject NUL and lone surrogates, which no database column can hold."""
    if _UNSTORABLE.search(value):
        raise ValueError("text contains NUL or unpaired surrogate characters")
    return value


Text = Annotated[str, AfterValidator(_storable)]
Subject = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=255), AfterValidator(_storable),
    AfterValidator(refuse_deceptive_line),
]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$", max_length=16)]
Tag = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=64),
    AfterValidator(_storable), AfterValidator(refuse_deceptive_line),
]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
FieldKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")]
FieldValue = (
    bool
    | Annotated[int, Field(ge=-(2**53), le=2**53)]
    | Annotated[float, Field(allow_inf_nan=False)]
    | Annotated[str, StringConstraints(max_length=1000), AfterValidator(_storable)]
)


def _bounded_fields(value: dict[str, Any]) -> dict[str, Any]:
    """Custom fields stay small: a bounded number of keys and serialised size."""
    if len(json.dumps(value, ensure_ascii=False)) > MAX_FIELDS_JSON:
        raise ValueError(f"custom fields exceed {MAX_FIELDS_JSON} characters")
    return value


CustomFields = Annotated[
    dict[FieldKey, FieldValue | None], Field(max_length=MAX_FIELDS), AfterValidator(_bounded_fields)
]
"""Custom field values: scalars; in an update a null removes the key."""


class _In(BaseModel):
    """Input models reject unknown fields so typos fail loudly."""

    model_config = ConfigDict(extra="forbid")


class Actor(BaseModel):
    """Who performs a change: an agent (maybe an admin), the customer, a bot or the system."""

    model_config = ConfigDict(frozen=True)

    kind: ActorKind = ActorKind.SYSTEM
    id: uuid.UUID | None = None
    is_admin: bool = False


SYSTEM = Actor()


class Attachment(_In):
    """Metadata of a file attached to a message; the bytes live at `url` (elsewhere, or kept by Kefu)."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=255), AfterValidator(_storable)]
    content_type: Annotated[
        str, StringConstraints(pattern=r"^[A-Za-z0-9.+-]+/[A-Za-z0-9.+-]+$", max_length=127)
    ]
    size: int = Field(ge=0, le=10 * 2**30)
    url: Annotated[
        str,
        StringConstraints(
            pattern=r"^(https?://[^\s\x00]+|/api/v1/attachments/[0-9a-fA-F-]{36})$", max_length=2048
        ),
    ] = Field(description="An http(s) URL, or a file kept by Kefu (`/api/v1/attachments/<id>`).")


class MessageBody(_In):
    """Text and attachments; a message needs at least one of them."""

    text: Annotated[Text, Field(max_length=MAX_TEXT)] = ""
    attachments: list[Attachment] = Field(default_factory=list, max_length=20)
    language: Language | None = None
    external_id: (
        Annotated[str, StringConstraints(min_length=1, max_length=255), AfterValidator(_storable)] | None
    ) = None

    @model_validator(mode="after")
    def _not_empty(self) -> MessageBody:
        if not self.text.strip() and not self.attachments:
            raise ValueError("a message needs text or attachments")
        return self


class FirstMessageIn(MessageBody):
    """The message a new conversation starts with: from the customer, or an agent's outreach."""

    direction: Literal[Direction.INBOUND, Direction.OUTBOUND] = Direction.INBOUND


class MessageIn(MessageBody):
    """An agent's reply to the customer or an internal note."""

    kind: Literal["reply", "note"] = "reply"


class _CustomerReference(_In):
    """Exactly one of an existing customer's id or identities to find or create one."""

    customer_id: uuid.UUID | None = None
    customer: ResolveIn | None = None

    @model_validator(mode="after")
    def _one_customer(self) -> _CustomerReference:
        if (self.customer_id is None) == (self.customer is None):
            raise ValueError("give exactly one of customer_id or customer")
        return self


class ConversationIn(_CustomerReference):
    """Open a conversation, optionally for a new customer and with a first message."""

    channel: Channel = Channel.API
    inbox_id: uuid.UUID | None = None
    subject: Subject = ""
    priority: Priority = Priority.NORMAL
    language: Language | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    custom_fields: CustomFields = Field(default_factory=dict)
    assignee_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None
    message: FirstMessageIn | None = None


class InboundMessageIn(_CustomerReference, MessageBody):
    """A customer message handed in by an integration; continues or opens a conversation."""

    channel: Channel = Channel.API
    inbox_id: uuid.UUID | None = None


class ConversationUpdate(_In):
    """Partial update: only the fields present change; null clears assignee, team or language."""

    subject: Subject | None = None
    language: Language | None = None
    priority: Priority | None = None
    status: ConversationStatus | None = None
    snoozed_until: AwareDatetime | None = None
    assignee_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None
    custom_fields: CustomFields | None = None

    @model_validator(mode="after")
    def _not_null(self) -> ConversationUpdate:
        nulls = [f for f in ("subject", "priority", "status", "custom_fields")
                 if f in self.model_fields_set and getattr(self, f) is None]  # fmt: skip
        if nulls:
            raise ValueError(f"{', '.join(nulls)} cannot be null")
        return self


class StatusIn(_In):
    """A status change; snoozing needs the wake-up time."""

    status: ConversationStatus
    snoozed_until: AwareDatetime | None = None


class SnoozeIn(_In):
    """Snooze until a moment in the future."""

    until: AwareDatetime


class AssignIn(_In):
    """Assign to an agent and/or a team; a field left out stays, a null unassigns."""

    assignee_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _something(self) -> AssignIn:
        if not self.model_fields_set:
            raise ValueError("give assignee_id and/or team_id")
        return self


class TagsIn(_In):
    """Tags to add and to remove in one change."""

    add: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    remove: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)


class ComplaintIn(_In):
    """Mark (or unmark) a conversation as a complaint, with the amount at stake."""

    is_complaint: bool = True
    amount: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)] | None = None
    currency: Currency | None = None

    @model_validator(mode="after")
    def _currency_with_amount(self) -> ComplaintIn:
        if (self.amount is None) != (self.currency is None):
            raise ValueError("amount and currency go together")
        if not self.is_complaint and self.amount is not None:
            raise ValueError("an amount needs is_complaint=true")
        return self


class MessageAnalysisIn(_In):
    """What language analysis learned about a message; fields left out stay unchanged."""

    language: Language | None = None
    intent: Annotated[str, StringConstraints(max_length=64)] | None = None
    intent_confidence: float | None = Field(default=None, ge=0, le=1)
    sentiment: Sentiment | None = None
    sentiment_score: float | None = Field(default=None, ge=-1, le=1)
    anger: float | None = Field(default=None, ge=0, le=1)
    angry: bool | None = None
    abusive: bool | None = None
    abuse_categories: list[Annotated[str, StringConstraints(max_length=32)]] | None = Field(
        default=None, max_length=16
    )


class ConversationFilter(BaseModel):
    """Filters of the conversation list; `assignee` is an agent id or "unassigned"."""

    status: list[ConversationStatus] = Field(default_factory=list)
    priority: list[Priority] = Field(default_factory=list)
    assignee: uuid.UUID | Literal["unassigned"] | None = None
    team_id: uuid.UUID | None = None
    tag: Tag | None = None
    customer_id: uuid.UUID | None = None
    channel: Channel | None = None
    inbox_id: uuid.UUID | None = None
    is_complaint: bool | None = None
    q: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), AfterValidator(_storable)]
        | None
    ) = None


class ConversationOut(BaseModel):
    """A conversation as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    workspace_id: uuid.UUID
    customer_id: uuid.UUID
    channel: Channel
    inbox_id: uuid.UUID | None
    subject: str
    status: ConversationStatus
    snoozed_until: datetime | None
    priority: Priority
    assignee_id: uuid.UUID | None
    team_id: uuid.UUID | None
    tags: list[str]
    custom_fields: dict[str, Any]
    language: str | None
    is_complaint: bool
    complaint_amount: Decimal | None
    complaint_currency: str | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    last_message_at: datetime
    inbound_count: int
    outbound_count: int
    note_count: int
    reopen_count: int
    created_at: datetime
    updated_at: datetime


class MessageOut(BaseModel):
    """A message with its language analysis (null until analysed)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    conversation_id: uuid.UUID
    direction: Direction
    author_kind: ActorKind
    author_id: uuid.UUID | None
    text: str = Field(description="As sent (customer text is never altered)")
    display_text: str | None = Field(
        default=None, description="The text to show: control, ANSI and bidi-override characters neutralised"
    )
    attachments: list[dict[str, Any]]
    external_id: str | None
    language: str | None
    intent: str | None
    intent_confidence: float | None
    sentiment: Sentiment | None
    sentiment_score: float | None
    anger: float | None
    angry: bool | None
    abusive: bool | None
    abuse_categories: list[str]
    analysed_at: datetime | None
    created_at: datetime

    @model_validator(mode="after")
    def _shown(self) -> MessageOut:
        if self.display_text is None:  # stored only when it differs; rows older than the column get it here
            self.display_text = displayed(self.text)
        return self


class TimelineEntryOut(BaseModel):
    """One change of a conversation."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    conversation_id: uuid.UUID
    kind: TimelineKind
    actor_kind: ActorKind
    actor_id: uuid.UUID | None
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str | None
    created_at: datetime


class ReceivedMessage(BaseModel):
    """Outcome of a customer message: where it landed and what that did to the conversation."""

    conversation: ConversationOut
    message: MessageOut
    opened: bool = False
    reopened: bool = False
    duplicate: bool = False


def validated(model: type[_M], **values: Any) -> _M:
    """Validate input with the public schema; failures are a 422 with field paths."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        details = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        raise ValidationFailed("invalid input", details=details) from exc


MAX_IMPORT_CONVERSATIONS = 500
"""Conversations per import request; larger imports are split by the client."""
MAX_IMPORT_MESSAGES = 500
"""Messages (and notes) per imported conversation."""
MAX_IMPORT_MESSAGES_PER_REQUEST = 10_000
"""Messages of all conversations of one import request together."""
EARLIEST_HISTORY_YEAR = 1970


def _history_time(value: datetime) -> datetime:
    """A moment of imported history: from 1970 on, returned in UTC (no overflow in any backend)."""
    if value.year < EARLIEST_HISTORY_YEAR:
        raise ValueError(f"history starts in {EARLIEST_HISTORY_YEAR}")
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("date out of range") from exc


HistoryTime = Annotated[AwareDatetime, AfterValidator(_history_time)]
"""An aware time of imported history, in UTC."""

ImportStatus = Literal[
    ConversationStatus.OPEN,
    ConversationStatus.PENDING,
    ConversationStatus.RESOLVED,
    ConversationStatus.CLOSED,
]
"""Statuses an imported conversation may have (snoozing needs a wake-up in the future: not history)."""


class ImportedMessageIn(MessageBody):
    """A message of an imported conversation with its original time and author.

    Inbound messages are the customer's (author_kind customer, the id is the resolved customer's);
    outbound messages and notes are by an agent (default), a bot or the system, never the customer.
    `author_id`, when given, is an agent of the workspace.
    """

    direction: Direction = Direction.INBOUND
    author_kind: ActorKind | None = None
    author_id: uuid.UUID | None = None
    created_at: HistoryTime

    @model_validator(mode="after")
    def _author_fits_direction(self) -> ImportedMessageIn:
        customer_side = self.direction == Direction.INBOUND
        if self.author_kind is not None and (self.author_kind == ActorKind.CUSTOMER) != customer_side:
            raise ValueError(
                "inbound messages are the customer's"
                if customer_side
                else "outbound messages and notes are by an agent, a bot or the system"
            )
        if self.author_id is not None and self.author_kind not in (None, ActorKind.AGENT):
            raise ValueError("author_id names an agent: give it with author_kind agent")
        if self.author_id is not None and customer_side:
            raise ValueError("an inbound message's author is the conversation's customer")
        return self

    @property
    def author(self) -> ActorKind:
        """Who wrote it: the given kind, else the customer (inbound) or an agent."""
        if self.author_kind is not None:
            return self.author_kind
        return ActorKind.CUSTOMER if self.direction == Direction.INBOUND else ActorKind.AGENT


class ImportedConversationIn(_CustomerReference):
    """A conversation from another helpdesk or a CRM, with its messages oldest first.

    `created_at` defaults to the first message's time. `resolved_at` goes with status resolved
    (default: the last message's time) or closed (then optional: a conversation may be closed
    without being resolved); `closed_at` goes with status closed (default: the resolution or the
    last message, whichever is later). The first message's `external_id` identifies the
    conversation: importing it again for the same customer, channel and inbox is skipped.
    """

    channel: Channel = Channel.API
    inbox_id: uuid.UUID | None = None
    subject: Subject = ""
    status: ImportStatus = ConversationStatus.OPEN
    priority: Priority = Priority.NORMAL
    language: Language | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    custom_fields: CustomFields = Field(default_factory=dict)
    created_at: HistoryTime | None = None
    resolved_at: HistoryTime | None = None
    closed_at: HistoryTime | None = None
    messages: list[ImportedMessageIn] = Field(min_length=1, max_length=MAX_IMPORT_MESSAGES)


class ConversationImportIn(_In):
    """A batch of conversations to import (at most MAX_IMPORT_CONVERSATIONS)."""

    conversations: list[ImportedConversationIn] = Field(min_length=1, max_length=MAX_IMPORT_CONVERSATIONS)

    @model_validator(mode="after")
    def _bounded_messages(self) -> ConversationImportIn:
        total = sum(len(item.messages) for item in self.conversations)
        if total > MAX_IMPORT_MESSAGES_PER_REQUEST:
            raise ValueError(f"at most {MAX_IMPORT_MESSAGES_PER_REQUEST} messages per request, got {total}")
        return self


class ImportedConversation(BaseModel):
    """A conversation an import created: the index of its item, its id and its customer's."""

    index: int
    conversation_id: uuid.UUID
    customer_id: uuid.UUID


class SkippedImport(BaseModel):
    """An item not imported because the conversation is already there."""

    index: int
    reason: Literal["duplicate"] = "duplicate"
    external_id: str
    conversation_id: uuid.UUID


class ImportResult(BaseModel):
    """What an import did: counts, the conversations created and the items skipped."""

    imported: int
    skipped: int
    messages: int
    customers_created: int
    created: list[ImportedConversation]
    duplicates: list[SkippedImport]
