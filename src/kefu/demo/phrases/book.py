"""The shape of a phrasebook: what customers and agents say, per intent, in one language.

Texts are templates with slots filled by the generator: {name} (customer), {agent} (agent's
first name), {order}, {tracking}, {product}, {amount}, {date}, {days}, {code}, {rate}, {email}.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Intent(StrEnum):
    """What a demo conversation is about."""

    ORDER_STATUS = "order_status"
    DELIVERY_DELAY = "delivery_delay"
    REFUND_RETURN = "refund_return"
    PASSWORD_RESET = "password_reset"
    EXCHANGE_RATE = "exchange_rate"
    COUPON = "coupon"
    COMPLAINT = "complaint"
    THANKS = "thanks"


@dataclass(frozen=True)
class IntentLines:
    """Several phrasings of each turn of one intent."""

    opening: tuple[str, ...]
    """The customer's first message."""
    answer: tuple[str, ...]
    """The agent's substantive reply."""
    follow_up: tuple[str, ...] = ()
    """The customer's second message (a question back, a detail, an impatient nudge)."""
    resolution: tuple[str, ...] = ()
    """The agent's message that settles the case."""


@dataclass(frozen=True)
class Phrasebook:
    """Everything said in one language, plus the words the slots are filled with."""

    language: str
    months: tuple[str, ...]
    """Twelve month names or abbreviations, January first."""
    date_format: str
    """How a date reads, with {day} and {month} (and {month_no})."""
    products: tuple[str, ...]
    greeting: tuple[str, ...]
    closing: tuple[str, ...]
    thanks: tuple[str, ...]
    """A customer's last word when the case is settled."""
    intents: dict[Intent, IntentLines] = field(default_factory=dict)

    def format_date(self, day: int, month: int) -> str:
        """A day of a month as people write it in this language."""
        return self.date_format.format(day=day, month=self.months[month - 1], month_no=month)
