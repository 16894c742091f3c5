"""Public shapes of the customers domain: identities, customers, resolution and merge audit.

Identity values are normalised when an `IdentityIn` is built. A phone number in national form
needs a market: inside `CustomerIn` and `ResolveIn` the sibling `market` field is used; a lone
`IdentityIn` keeps a national number as given and the service reads it in the customer's market.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from kefu.customers import values
from kefu.customers.enums import IdentityKind, VipTier
from kefu.customers.identities import (
    MAX_VALUE_LENGTH,
    IdentityValueError,
    clean_value,
    is_international,
    normalise_identity,
    phone_region,
)

MAX_IDENTITIES_PER_REQUEST = 20

Name = Annotated[str | None, AfterValidator(values.normalise_name)]
Language = Annotated[str | None, AfterValidator(values.normalise_language)]
Market = Annotated[str | None, AfterValidator(values.normalise_market)]
Tags = Annotated[list[str], Field(max_length=values.MAX_TAGS), AfterValidator(values.normalise_tags)]
CustomFields = Annotated[dict[str, Any], AfterValidator(values.check_custom_fields)]

_market_scope: ContextVar[tuple[str | None] | None] = ContextVar("customer_market_scope", default=None)
"""None outside a market scope (national numbers wait for the service), else (phone region,)."""


@contextmanager
def market_scope(market: str | None) -> Iterator[None]:
    """Normalise national phone numbers of IdentityIn values built in this block in `market`."""
    token = _market_scope.set((phone_region(market),))
    try:
        yield
    finally:
        _market_scope.reset(token)


class IdentityIn(BaseModel):
    """An identity as given by a caller; `value` comes out normalised (see module docstring)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: IdentityKind
    value: str = Field(min_length=1, max_length=MAX_VALUE_LENGTH)
    verified: bool = Field(
        default=False, description="The caller has proven the customer owns it (OTP, login, provider)."
    )

    @field_validator("value")
    @classmethod
    def _normalise(cls, value: str, info: ValidationInfo) -> str:
        kind = info.data.get("kind")
        scope = _market_scope.get()
        try:
            if kind is None:
                return value
            if scope is None and kind is IdentityKind.PHONE and not is_international(value):
                return clean_value(value)
            return normalise_identity(kind, value, region=scope[0] if scope else None)
        except IdentityValueError as exc:
            raise PydanticCustomError(exc.code, exc.message) from exc


class IdentityOut(BaseModel):
    """An identity of a customer."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: IdentityKind
    value: str
    verified: bool
    verified_at: datetime | None
    created_at: datetime


class _MarketScoped(BaseModel):
    """A model whose `market` field is the default region for national phone numbers in it."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="wrap")
    @classmethod
    def _identities_in_market(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        market = data.get("market") if isinstance(data, dict) else None
        with market_scope(market if isinstance(market, str) else None):
            return handler(data)


class CustomerIn(_MarketScoped):
    """Fields to create a customer."""

    name: Name = None
    language: Language = None
    market: Market = None
    vip_tier: VipTier = VipTier.NONE
    tags: Tags = Field(default_factory=list)
    custom_fields: CustomFields = Field(default_factory=dict)
    identities: list[IdentityIn] = Field(default_factory=list, max_length=MAX_IDENTITIES_PER_REQUEST)


class CustomerUpdate(BaseModel):
    """Fields to change; omitted fields stay. `tags` replaces the set; `custom_fields` is merged
    key by key and a null value removes that key."""

    model_config = ConfigDict(extra="forbid")

    name: Name = None
    language: Language = None
    market: Market = None
    vip_tier: VipTier | None = None
    tags: Tags | None = None
    custom_fields: CustomFields | None = None


class ResolveIn(_MarketScoped):
    """Identities seen on a contact, to find or create the one customer behind them."""

    identities: list[IdentityIn] = Field(min_length=1, max_length=MAX_IDENTITIES_PER_REQUEST)
    name: Name = None
    language: Language = None
    market: Market = None


class IdentityVerifiedIn(BaseModel):
    """Mark an identity verified or not."""

    model_config = ConfigDict(extra="forbid")

    verified: bool


class MergeIn(BaseModel):
    """The customer to merge into the target of the URL."""

    model_config = ConfigDict(extra="forbid")

    source_id: uuid.UUID


class CustomerOut(BaseModel):
    """A customer with its identities; `merged_into_id` is set only on a merged (tombstone) customer."""

    id: uuid.UUID
    workspace_id: uuid.UUID
    name: str | None
    language: str | None
    market: str | None
    vip_tier: VipTier
    tags: list[str]
    custom_fields: dict[str, Any]
    identities: list[IdentityOut]
    merged_into_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class IdentityConflict(BaseModel):
    """An identity seen on a contact that already belongs to another customer and was left there."""

    kind: IdentityKind
    value: str
    owner_customer_id: uuid.UUID


class ResolvedCustomer(CustomerOut):
    """The customer a contact resolved to, whether it was created now, and identities not taken."""

    created: bool
    conflicts: list[IdentityConflict]


class MovedIdentity(BaseModel):
    """An identity moved by a merge."""

    kind: IdentityKind
    value: str
    verified: bool


class CustomerMergeOut(BaseModel):
    """Audit record of one merge."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    source_customer_id: uuid.UUID
    target_customer_id: uuid.UUID
    actor_agent_id: uuid.UUID | None
    moved_identities: list[MovedIdentity]
    added_tags: list[str]
    added_custom_fields: list[str]
    created_at: datetime
