"""Public shapes of the nlp domain's API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kefu.nlp.enums import ModelStatus

LANGUAGE_PATTERN = r"^[a-z]{2,3}$"


class IntentExampleIn(BaseModel):
    """One labelled utterance."""

    text: str = Field(min_length=1, max_length=2000)
    label: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.:-]+$")
    language: str | None = Field(default=None, pattern=LANGUAGE_PATTERN)

    @field_validator("text")
    @classmethod
    def _storable(cls, value: str) -> str:
        """PostgreSQL text cannot hold NUL characters."""
        if "\x00" in value:
            raise ValueError("text contains NUL characters")
        return value


class IntentExamplesIn(BaseModel):
    """A batch of examples to add."""

    examples: list[IntentExampleIn] = Field(min_length=1, max_length=5000)


class IntentExampleOut(BaseModel):
    """A stored example."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    text: str
    label: str
    language: str | None
    created_at: datetime


class AddedExamples(BaseModel):
    """How many examples were added and how many were already there."""

    added: int
    duplicates: int


class TrainIntentIn(BaseModel):
    """Options of a training run."""

    activate: bool = Field(default=False, description="activate the new version when it is ready")


class IntentModelOut(BaseModel):
    """A trained (or training) intent model version."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    version: int
    status: ModelStatus
    is_active: bool
    example_count: int
    labels: list[str]
    metrics: dict[str, Any]
    error: str | None
    created_at: datetime
    trained_at: datetime | None
    activated_at: datetime | None


class AnalyseIn(BaseModel):
    """Text to analyse, with optional context for language identification."""

    text: str = Field(min_length=1, max_length=10_000)
    language_hint: str | None = Field(default=None, pattern=LANGUAGE_PATTERN)
    market: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
