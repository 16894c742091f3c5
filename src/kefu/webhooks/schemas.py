"""Public shapes of the webhooks domain: endpoint input/output, deliveries and their attempts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator

from kefu.core.events import event_types
from kefu.webhooks.enums import DeliveryStatus

ALL_EVENTS = "*"
MAX_URL_LENGTH = 2048

EventTypeName = Annotated[str, Field(min_length=1, max_length=80)]


def check_url(url: str) -> str:
    """An absolute http(s) URL with a host and no credentials; raises ValueError otherwise."""
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise ValueError("the URL may not contain spaces or control characters")
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"}:
        raise ValueError("the URL must start with http:// or https://")
    if parts.username is not None or parts.password is not None:
        raise ValueError("the URL may not contain credentials; authenticate with the signature")
    if not parts.hostname:
        raise ValueError("the URL needs a host")
    try:
        _ = parts.port
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL) as exc:
        raise ValueError(f"the URL is not valid: {exc}") from None
    return url


def check_text(text: str) -> str:
    """Text without NUL characters (no database column can hold them)."""
    if "\x00" in text:
        raise ValueError("the text may not contain NUL characters")
    return text


def check_event_types(names: list[str]) -> list[str]:
    """Known event types, or `*` alone for every event; duplicates dropped, order kept."""
    unique = list(dict.fromkeys(names))
    if ALL_EVENTS in unique:
        if len(unique) > 1:
            raise ValueError("'*' already means every event; list it alone")
        return unique
    known = set(event_types())
    unknown = [name for name in unique if name not in known]
    if unknown:
        raise ValueError(f"unknown event types: {', '.join(sorted(unknown)[:10])}")
    return unique


class EndpointIn(BaseModel):
    """Fields to create a webhook endpoint."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=MAX_URL_LENGTH)
    description: str = Field(default="", max_length=500)
    event_types: list[EventTypeName] = Field(min_length=1, max_length=100)
    is_active: bool = True

    _url = field_validator("url")(check_url)
    _description = field_validator("description")(check_text)
    _event_types = field_validator("event_types")(check_event_types)


class EndpointUpdate(BaseModel):
    """Fields to change on an endpoint; re-activating clears its failure streak."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, min_length=1, max_length=MAX_URL_LENGTH)
    description: str | None = Field(default=None, max_length=500)
    event_types: list[EventTypeName] | None = Field(default=None, min_length=1, max_length=100)
    is_active: bool | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else check_url(value)

    @field_validator("description")
    @classmethod
    def _description(cls, value: str | None) -> str | None:
        return None if value is None else check_text(value)

    @field_validator("event_types")
    @classmethod
    def _event_types(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else check_event_types(value)


class EndpointOut(BaseModel):
    """A webhook endpoint as the API shows it: never its secret, only the last characters."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    url: str
    description: str
    event_types: list[str]
    is_active: bool
    secret_hint: str
    consecutive_failures: int
    failing_since: datetime | None
    disabled_at: datetime | None
    disabled_reason: str | None
    created_at: datetime
    updated_at: datetime


class EndpointCreated(EndpointOut):
    """A new endpoint with its signing secret, shown this once."""

    secret: str


class RotateSecretIn(BaseModel):
    """How long the old secret keeps signing beside the new one (0 retires it at once)."""

    model_config = ConfigDict(extra="forbid")

    grace_seconds: int = Field(default=24 * 3600, ge=0, le=7 * 24 * 3600)


class SecretRotated(BaseModel):
    """The new signing secret, shown this once, and until when the old one still signs."""

    endpoint_id: uuid.UUID
    secret: str
    previous_secret_expires_at: datetime | None


class DeliveryOut(BaseModel):
    """One event (or ping) owed to one endpoint and where its delivery stands."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: int | None
    event_type: str
    status: DeliveryStatus
    attempt_count: int
    max_attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime


class AttemptOut(BaseModel):
    """One logged HTTP attempt of a delivery."""

    model_config = ConfigDict(from_attributes=True)

    number: int
    attempted_at: datetime
    duration_ms: int
    status_code: int | None
    response_snippet: str
    error: str | None
    succeeded: bool


class DeliveryDetail(DeliveryOut):
    """A delivery with the exact JSON body it sends and its attempt log (newest first)."""

    payload: dict[str, Any]
    attempts: list[AttemptOut]


class EventTypesOut(BaseModel):
    """Event types an endpoint may subscribe to (`*` means all of them)."""

    event_types: list[str]
