"""The demo plan: customers, conversations and every timed step, generated from a seed in memory.

Nothing here touches the database, so the same seed, size and anchor always give the same plan.
Conversations start at realistic times (business-hour peaks in the region's local time, quieter
weekends, a flash-sale spike) and one customer never has two conversations in progress at once.
Steps after the anchor ("now") are cut, which leaves the newest conversations open, pending or
snoozed as they would be in a live service centre.
"""

from __future__ import annotations

import random
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

import phonenumbers

from kefu.conversations.enums import Channel, ConversationStatus, Priority
from kefu.customers.enums import IdentityKind, VipTier
from kefu.demo.people import (
    AGENTS,
    CNY_PER_UNIT,
    FINANCE,
    LANGUAGE_MARKETS,
    LANGUAGE_SHARE,
    LOGISTICS,
    MARKETS,
    NAMES,
    TECH,
    TIER1,
    TIER2,
    AgentSpec,
    MarketSpec,
)
from kefu.demo.phrases import BOOKS, Intent, Phrasebook
from kefu.demo.phrases.notes import NOTES

LOCAL_OFFSET = timedelta(hours=8)
"""The region's business day is sampled in UTC+8 (China, Singapore, Malaysia, Philippines)."""

HOUR_WEIGHTS = (0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.6, 1.2, 2.0, 2.4, 2.2,
                1.4, 1.6, 2.2, 2.3, 2.0, 1.6, 1.2, 1.5, 1.8, 1.6, 1.0, 0.5)
"""Contacts per local hour: morning and afternoon peaks, a lunch dip, an evening chat peak."""
WEEKDAY_WEIGHTS = (1.1, 1.0, 1.0, 1.0, 1.05, 0.75, 0.65)

INTENT_WEIGHTS = {
    Intent.ORDER_STATUS: 0.24, Intent.DELIVERY_DELAY: 0.17, Intent.REFUND_RETURN: 0.16,
    Intent.PASSWORD_RESET: 0.09, Intent.EXCHANGE_RATE: 0.06, Intent.COUPON: 0.1,
    Intent.COMPLAINT: 0.1, Intent.THANKS: 0.08,
}
INTENT_TAGS = {
    Intent.ORDER_STATUS: "order-status", Intent.DELIVERY_DELAY: "delivery", Intent.REFUND_RETURN: "refund",
    Intent.PASSWORD_RESET: "account", Intent.EXCHANGE_RATE: "exchange-rate", Intent.COUPON: "coupon",
    Intent.COMPLAINT: "complaint", Intent.THANKS: "praise",
}
CHANNEL_MIX = {"phone": 0.40, "chat": 0.35, "social": 0.20, "email": 0.05}
"""The channel mix of the reports; each conversation uses an identity the customer really has."""
_KIND_CHANNEL = {
    IdentityKind.PHONE: Channel.PHONE, IdentityKind.APP: Channel.CHAT, IdentityKind.EMAIL: Channel.EMAIL,
    IdentityKind.WECHAT: Channel.WECHAT, IdentityKind.WHATSAPP: Channel.WHATSAPP,
    IdentityKind.LINE: Channel.LINE, IdentityKind.FACEBOOK: Channel.FACEBOOK, IdentityKind.ZALO: Channel.ZALO,
}
_FROM_PHONE = frozenset({IdentityKind.PHONE, IdentityKind.WHATSAPP})
"""Kinds whose value is the customer's phone number, unique by construction."""
_KIND_GROUP = {IdentityKind.PHONE: "phone", IdentityKind.APP: "chat", IdentityKind.EMAIL: "email"}
HANDOFFS = {Intent.DELIVERY_DELAY: (LOGISTICS, 0.35), Intent.REFUND_RETURN: (FINANCE, 0.35),
            Intent.PASSWORD_RESET: (TECH, 0.2)}
"""Intent -> (department, share of such conversations handed to it)."""
DEPARTMENT_DELAY_MINUTES = {LOGISTICS: (60, 240), FINANCE: (120, 480), TECH: (20, 120)}
WAITING_WINDOW = timedelta(days=7)
WAITING_SHARE = 0.4
"""Share of conversations of the last days still waiting on the customer, a snooze or an agent."""
ESCALATION_CNY = 500
"""Complaints above this amount (in CNY terms) or repeat complaints go to tier 2."""
COUPON_CODES = ("SAVE10", "NEWUSER15", "FREESHIP", "FLASH20", "PAYDAY12", "WELCOME5", "VIPGOLD")


class StepKind(StrEnum):
    """What one step of a conversation does, mapped to one service call by the seeder."""

    OPEN = "open"
    REPLY = "reply"
    CUSTOMER = "customer"
    NOTE = "note"
    COMPLAINT = "complaint"
    ASSIGN = "assign"
    PRIORITY = "priority"
    STATUS = "status"


@dataclass(frozen=True)
class DemoSize:
    """How much demo data to make."""

    customers: int = 500
    conversations: int = 2000
    days: int = 60


@dataclass(frozen=True)
class IdentityPlan:
    """One identity of a customer."""

    kind: IdentityKind
    value: str
    verified: bool = False


@dataclass(frozen=True)
class CustomerPlan:
    """A customer to create."""

    name: str
    address: str
    """How agents address the customer in messages."""
    language: str
    market: str
    vip_tier: VipTier
    tags: tuple[str, ...]
    identities: tuple[IdentityPlan, ...]
    custom_fields: dict[str, Any]


@dataclass(frozen=True)
class ConversationPlan:
    """A conversation to open: who, where, about what, and where it is routed first."""

    customer: int
    channel: Channel
    intent: Intent
    language: str
    priority: Priority
    tags: tuple[str, ...]
    team: str | None
    assignee: str | None
    started_at: datetime


@dataclass(frozen=True)
class Step:
    """One timed action on a conversation; `agent` is the acting agent's key (None: customer or system)."""

    at: datetime
    conversation: int
    kind: StepKind
    text: str = ""
    agent: str | None = None
    status: ConversationStatus | None = None
    snoozed_until: datetime | None = None
    priority: Priority | None = None
    team: str | None = None
    assignee: str | None = None
    amount: Decimal | None = None
    currency: str | None = None


@dataclass
class DemoPlan:
    """Everything the seeder writes, in the order it writes it."""

    customers: list[CustomerPlan] = field(default_factory=list)
    conversations: list[ConversationPlan] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    """All steps of all conversations, sorted by time."""


def build_plan(*, seed: int, size: DemoSize, anchor: datetime) -> DemoPlan:
    """Generate the demo plan; deterministic for a given seed, size and anchor."""
    return _Planner(random.Random(seed), size, anchor).build()


def agents_for(language: str, team: str) -> list[AgentSpec]:
    """Agents of a team who speak a language (all of the team's agents when none does)."""
    members = [a for a in AGENTS if team in a.teams and a.key != "supervisor"]
    speakers = [a for a in members if language in a.languages]
    return speakers or members


def department_agent(team: str) -> AgentSpec:
    """The agent who answers hand-offs to a department."""
    return next(a for a in AGENTS if a.teams == (team,))


class _Planner:
    """Stateful generator behind `build_plan` (one random stream, consumed in a fixed order)."""

    def __init__(self, rng: random.Random, size: DemoSize, anchor: datetime) -> None:
        self.rng = rng
        self.size = size
        self.anchor = anchor.replace(second=0, microsecond=0)
        self.plan = DemoPlan()
        self._seq: list[tuple[datetime, int, Step]] = []
        self._used_values: set[tuple[IdentityKind, str]] = set()

    def build(self) -> DemoPlan:
        """Customers first, then conversations in start order, each given a free customer."""
        for n in range(self.size.customers):
            self.plan.customers.append(self._customer(n))
        activity = [min(self.rng.paretovariate(1.6), 8.0) * (1.5 if c.vip_tier.rank >= 2 else 1.0)
                    for c in self.plan.customers]
        busy_until = [self.anchor - timedelta(days=self.size.days + 1)] * len(self.plan.customers)
        complaints = [0] * len(self.plan.customers)
        for start, promo in self._start_times():
            free = [i for i, until in enumerate(busy_until) if until <= start]
            if not free:
                continue
            customer = self.rng.choices(free, weights=[activity[i] for i in free])[0]
            index = len(self.plan.conversations)
            settled = self._conversation(index, customer, start, promo, complaints)
            busy_until[customer] = settled or datetime.max.replace(tzinfo=self.anchor.tzinfo)
        self._seq.sort(key=lambda item: (item[0], item[1]))
        self.plan.steps = [step for _, _, step in self._seq]
        return self.plan

    # --- customers ------------------------------------------------------------------------------

    def _customer(self, n: int) -> CustomerPlan:
        rng = self.rng
        language = rng.choices(list(LANGUAGE_SHARE), weights=list(LANGUAGE_SHARE.values()))[0]
        markets = LANGUAGE_MARKETS[language]
        market = MARKETS[rng.choices(list(markets), weights=list(markets.values()))[0]]
        stock = NAMES[language]
        given, family = rng.choice(stock.given), rng.choice(stock.family)
        name = f"{family[0]}{given[0]}" if language == "zh" else (
            f"{family[0]} {given[0]}" if stock.family_first else f"{given[0]} {family[0]}")
        address = name if language == "zh" else given[0].split()[-1]
        roman = f"{given[1]}.{family[1]}{rng.randint(1, 999)}"
        vip = rng.choices(list(VipTier), weights=(70, 15, 10, 5))[0]
        identities = self._identities(market, roman)
        tags = {t for t, p in (("repeat-buyer", 0.3), ("new-customer", 0.15), ("app-user", 0.35),
                               ("wholesale", 0.05), ("promo-hunter", 0.1)) if rng.random() < p}
        if vip.rank >= 2:
            tags.add("vip")
        fields = {"member_id": f"M{n + 100001}", "lifetime_orders": rng.randint(1, 120)}
        return CustomerPlan(name, address, language, market.code, vip, tuple(sorted(tags)),
                            identities, fields)

    def _identities(self, market: MarketSpec, roman: str) -> tuple[IdentityPlan, ...]:
        rng = self.rng
        phone = self._phone(market)
        wanted: list[IdentityPlan] = []
        primary = rng.choices(market.social, weights=[4, 2, 1.5, 1][: len(market.social)])[0]
        wanted.append(self._handle(IdentityKind(primary), phone, roman, market))
        if rng.random() < 0.55:
            wanted.append(IdentityPlan(IdentityKind.PHONE, phone, verified=rng.random() < 0.7))
        if rng.random() < 0.3:
            wanted.append(self._handle(IdentityKind.EMAIL, phone, roman, market))
        if rng.random() < 0.3:
            wanted.append(self._handle(IdentityKind.APP, phone, roman, market))
        unique: dict[IdentityKind, IdentityPlan] = {}
        for item in wanted:
            unique.setdefault(item.kind, item)
        return tuple(unique.values())

    def _handle(self, kind: IdentityKind, phone: str, roman: str, market: MarketSpec) -> IdentityPlan:
        rng = self.rng
        alphabet = string.ascii_letters + string.digits
        value = {
            IdentityKind.PHONE: phone,
            IdentityKind.WHATSAPP: phone.lstrip("+"),
            IdentityKind.WECHAT: "o" + "".join(rng.choice(alphabet + "-_") for _ in range(27)),
            IdentityKind.LINE: "U" + "".join(rng.choice("0123456789abcdef") for _ in range(32)),
            IdentityKind.FACEBOOK: str(rng.randint(10**15, 10**16 - 1)),
            IdentityKind.ZALO: str(rng.randint(10**17, 10**18 - 1)),
            IdentityKind.APP: f"u{rng.randint(10**8, 10**9 - 1)}",
            IdentityKind.EMAIL: f"{roman}@{rng.choice(market.email_domains)}",
        }.get(kind, f"v{rng.randint(10**8, 10**9 - 1)}")
        while (kind, value) in self._used_values and kind not in _FROM_PHONE:
            user, at, domain = value.partition("@")
            value = f"{user}{rng.randint(0, 9)}{at}{domain}"
        self._used_values.add((kind, value))
        verified = kind is IdentityKind.EMAIL and rng.random() < 0.6
        return IdentityPlan(kind, value, verified=verified)

    def _phone(self, market: MarketSpec) -> str:
        while True:
            number = self.rng.choice(market.mobile_prefixes) + "".join(
                self.rng.choice(string.digits) for _ in range(market.mobile_digits))
            if (IdentityKind.PHONE, number) in self._used_values:
                continue
            if phonenumbers.is_valid_number(phonenumbers.parse(number)):
                self._used_values.add((IdentityKind.PHONE, number))
                return number

    # --- time -----------------------------------------------------------------------------------

    def _start_times(self) -> list[tuple[datetime, bool]]:
        """Conversation start times in UTC, sorted, with a flag for the flash-sale day."""
        days = self.size.days
        local_today = (self.anchor + LOCAL_OFFSET).replace(hour=0, minute=0)
        promo_day = days - min(20, days // 3)
        day_weights = []
        for d in range(days + 1):
            day = local_today - timedelta(days=days - d)
            weight = WEEKDAY_WEIGHTS[day.weekday()] * (0.9 + 0.2 * d / days)
            day_weights.append(weight * (2.5 if d == promo_day else 1.0))
        starts: list[tuple[datetime, bool]] = []
        latest = self.anchor - timedelta(minutes=5)
        while len(starts) < self.size.conversations:
            d = self.rng.choices(range(days + 1), weights=day_weights)[0]
            hour = self.rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
            local = local_today - timedelta(days=days - d, hours=-hour, minutes=-self.rng.randint(0, 59))
            start = local - LOCAL_OFFSET
            if start <= latest:
                starts.append((start, d == promo_day))
        return sorted(starts)

    def _minutes(self, low: float, high: float) -> timedelta:
        return timedelta(minutes=round(self.rng.uniform(low, high), 2))

    # --- conversations --------------------------------------------------------------------------

    def _conversation(
        self, index: int, customer_no: int, start: datetime, promo: bool, complaints: list[int]
    ) -> datetime | None:
        """Plan one conversation; return when it was settled (None if still in progress at the anchor)."""
        rng = self.rng
        customer = self.plan.customers[customer_no]
        book = BOOKS[customer.language]
        intent = rng.choices(list(INTENT_WEIGHTS), weights=list(INTENT_WEIGHTS.values()))[0]
        lines = book.intents[intent]
        channel = self._channel(customer)
        vip = customer.vip_tier.rank >= 2
        senior_first = customer.vip_tier is VipTier.PLATINUM
        team = TIER2 if senior_first else TIER1
        assignee = rng.choice(agents_for(customer.language, team))
        queued = start > self.anchor - timedelta(hours=2) and rng.random() < 0.5
        priority = Priority.HIGH if vip else (Priority.LOW if intent is Intent.THANKS else Priority.NORMAL)
        tags = {INTENT_TAGS[intent]} | ({"vip"} if vip else set()) | ({"flash-sale"} if promo else set())
        self.plan.conversations.append(ConversationPlan(
            customer_no, channel, intent, customer.language, priority, tuple(sorted(tags)), team,
            None if queued else assignee.key, start,
        ))
        slots = self._slots(book, customer, assignee, start)
        steps = _Steps(self, index, start)
        steps.add(StepKind.OPEN, text=self._say(lines.opening, slots))
        if queued:
            return None
        agent = assignee.key
        steps.wait(self._first_response(start, vip))
        steps.add(StepKind.REPLY, agent=agent,
                  text=f"{self._say(book.greeting, slots)} {self._say(lines.answer, slots)}")
        if intent is Intent.COMPLAINT:
            agent = self._complaint(steps, customer, customer_no, agent, slots, complaints)
        elif rng.random() < 0.2:
            steps.wait(self._minutes(1, 5))
            steps.add(StepKind.NOTE, agent=agent, text=self._note(customer.language, intent, slots))
        if self.anchor - start < WAITING_WINDOW and rng.random() < WAITING_SHARE:
            self._leave_waiting(steps, agent, lines.follow_up, slots)
            return None
        handoff = HANDOFFS.get(intent)
        if handoff is not None and rng.random() < handoff[1]:
            self._handoff(steps, handoff[0], customer.language, intent, slots)
        elif intent is Intent.DELIVERY_DELAY and rng.random() < 0.3:
            until = steps.at + timedelta(hours=24)
            steps.wait(self._minutes(1, 3))
            steps.add(StepKind.STATUS, agent=agent, status=ConversationStatus.SNOOZED, snoozed_until=until)
            steps.at = until
            steps.add(StepKind.STATUS, status=ConversationStatus.OPEN)
        if lines.follow_up and rng.random() < 0.65:
            if rng.random() < 0.3:
                steps.wait(self._minutes(0.5, 2))
                steps.add(StepKind.STATUS, agent=agent, status=ConversationStatus.PENDING)
            steps.wait(self._minutes(1, 40))
            steps.add(StepKind.CUSTOMER, text=self._say(lines.follow_up, slots))
        if lines.resolution:
            steps.wait(self._minutes(2, 30))
            steps.add(StepKind.REPLY, agent=agent,
                      text=f"{self._say(lines.resolution, slots)} {self._say(book.closing, slots)}")
        if rng.random() < 0.5:
            steps.wait(self._minutes(1, 45))
            steps.add(StepKind.CUSTOMER, text=self._say(book.thanks, slots))
        if rng.random() < 0.25:
            steps.wait(self._minutes(0.5, 3))
            steps.add(StepKind.STATUS, agent=agent, status=ConversationStatus.PENDING)
            steps.wait(timedelta(hours=24))
            steps.add(StepKind.STATUS, status=ConversationStatus.RESOLVED)
        else:
            steps.wait(self._minutes(1, 10))
            steps.add(StepKind.STATUS, agent=agent, status=ConversationStatus.RESOLVED)
        settled = steps.at
        if rng.random() < 0.8:
            steps.wait(timedelta(days=3))
            steps.add(StepKind.STATUS, status=ConversationStatus.CLOSED)
        return settled if settled <= self.anchor else None

    def _complaint(
        self, steps: _Steps, customer: CustomerPlan, customer_no: int, agent: str, slots: dict[str, str],
        complaints: list[int],
    ) -> str:
        """Mark the complaint with its amount; escalate big or repeated ones to a tier-2 senior."""
        market = MARKETS[customer.market]
        cny = self.rng.choice((60, 120, 180, 260, 380, 450, 520, 680, 900, 1300, 2400))
        amount = _round_amount(cny / CNY_PER_UNIT[market.currency], market.currency)
        complaints[customer_no] += 1
        steps.wait(self._minutes(0.5, 2))
        steps.add(StepKind.COMPLAINT, agent=agent, amount=amount, currency=market.currency)
        if cny <= ESCALATION_CNY and complaints[customer_no] < 2:
            return agent
        steps.add(StepKind.PRIORITY, agent=agent,
                  priority=Priority.URGENT if cny > 2000 else Priority.HIGH)
        steps.add(StepKind.NOTE, agent=agent, text=self._note(customer.language, Intent.COMPLAINT, slots,
                                                              pick=0 if cny > ESCALATION_CNY else 2))
        senior = self.rng.choice(agents_for(customer.language, TIER2))
        steps.wait(self._minutes(1, 4))
        steps.add(StepKind.ASSIGN, agent="supervisor", team=TIER2, assignee=senior.key)
        steps.wait(self._minutes(5, 30))
        steps.add(StepKind.NOTE, agent=senior.key,
                  text=self._note(customer.language, Intent.COMPLAINT, slots, pick=1))
        return senior.key

    def _leave_waiting(
        self, steps: _Steps, agent: str, follow_up: Sequence[str], slots: dict[str, str]
    ) -> None:
        """End a recent conversation still in progress: pending, snoozed past the anchor, or open."""
        state = self.rng.choices(("pending", "snoozed", "open"), weights=(0.4, 0.2, 0.4))[0]
        steps.wait(self._minutes(1, 20))
        if state == "pending":
            steps.add(StepKind.STATUS, agent=agent, status=ConversationStatus.PENDING)
        elif state == "snoozed":
            until = self.anchor + timedelta(days=self.rng.randint(1, 3))
            steps.add(StepKind.STATUS, agent=agent, status=ConversationStatus.SNOOZED, snoozed_until=until)
        elif follow_up:
            steps.add(StepKind.CUSTOMER, text=self._say(follow_up, slots))

    def _handoff(
        self, steps: _Steps, team: str, language: str, intent: Intent, slots: dict[str, str]
    ) -> None:
        """Hand the conversation to a department, which answers with an internal note."""
        steps.wait(self._minutes(1, 5))
        steps.add(StepKind.ASSIGN, agent="supervisor", team=team)
        low, high = DEPARTMENT_DELAY_MINUTES[team]
        steps.wait(self._minutes(low, high))
        steps.add(StepKind.NOTE, agent=department_agent(team).key, text=self._note(language, intent, slots))

    def _channel(self, customer: CustomerPlan) -> Channel:
        groups: dict[str, list[IdentityKind]] = {}
        for identity in customer.identities:
            groups.setdefault(_KIND_GROUP.get(identity.kind, "social"), []).append(identity.kind)
        names = sorted(groups)
        group = self.rng.choices(names, weights=[CHANNEL_MIX[g] for g in names])[0]
        return _KIND_CHANNEL[self.rng.choice(groups[group])]

    def _first_response(self, start: datetime, vip: bool) -> timedelta:
        local_hour = (start + LOCAL_OFFSET).hour
        delay = self._minutes(0.3, 4) if vip else self._minutes(0.5, 3)
        if not vip and self.rng.random() < 0.4:
            delay += self._minutes(0, 25)
        if local_hour < 8 or local_hour >= 23:
            delay += self._minutes(0, 300)
        return delay

    def _slots(
        self, book: Phrasebook, customer: CustomerPlan, agent: AgentSpec, start: datetime
    ) -> dict[str, str]:
        rng = self.rng
        market = MARKETS[customer.market]
        when = start + timedelta(days=rng.randint(-3, 4))
        amount = _round_amount(rng.choice((15, 30, 45, 80, 120, 200)) / CNY_PER_UNIT[market.currency],
                               market.currency)
        rate = market.base_rate * rng.uniform(0.985, 1.015)
        email = next((i.value for i in customer.identities if i.kind is IdentityKind.EMAIL),
                     f"{customer.address.lower()}@mail.example.com")
        user, _, domain = email.partition("@")
        return {
            "name": customer.address,
            "agent": agent.first_name,
            "order": f"KF{rng.randint(10**9, 10**10 - 1)}",
            "tracking": rng.choice(("JT", "SPX", "NJV", "FLS")) + str(rng.randint(10**9, 10**10 - 1)),
            "product": rng.choice(book.products),
            "amount": format_money(amount, market.currency),
            "date": book.format_date(when.day, when.month),
            "days": str(rng.randint(3, 14)),
            "code": rng.choice(COUPON_CODES),
            "rate": market.rate.format(r=f"{rate:,.0f}" if rate > 1000 else f"{rate:.2f}"),
            "email": f"{user[:1]}***@{domain}",
        }

    def _say(self, options: Sequence[str], slots: dict[str, str]) -> str:
        return self.rng.choice(options).format(**slots)

    def _note(self, language: str, intent: Intent, slots: dict[str, str], pick: int | None = None) -> str:
        options = NOTES["zh" if language == "zh" else "en"][intent]
        template = options[pick] if pick is not None and pick < len(options) else self.rng.choice(options)
        return template.format(**slots)


class _Steps:
    """Collects one conversation's steps on a moving time cursor; steps after the anchor are dropped."""

    def __init__(self, planner: _Planner, conversation: int, start: datetime) -> None:
        self._planner = planner
        self.conversation = conversation
        self.at = start

    def wait(self, delta: timedelta) -> None:
        """Move the cursor forward."""
        self.at += delta

    def add(self, kind: StepKind, **fields: Any) -> None:
        """Add a step at the cursor, unless the cursor is past the anchor."""
        if self.at > self._planner.anchor:
            return
        seq = self._planner._seq
        seq.append((self.at, len(seq), Step(at=self.at, conversation=self.conversation, kind=kind, **fields)))


def _round_amount(value: float, currency: str) -> Decimal:
    """Amounts as people quote them: whole thousands for IDR/VND, whole units elsewhere."""
    if currency in {"IDR", "VND"}:
        return Decimal(max(1000, round(value, -3)))
    return Decimal(max(1, round(value))).quantize(Decimal("0.01"))


_CURRENCY_FORMATS = {"CNY": "¥{}", "SGD": "S${}", "MYR": "RM{}", "IDR": "Rp{}", "VND": "{}₫",
                     "THB": "฿{}", "PHP": "₱{}", "BND": "B${}"}


def format_money(amount: Decimal, currency: str) -> str:
    """An amount with its currency sign, thousands grouped the local way."""
    number = f"{int(amount):,}".replace(",", ".") if currency in {"IDR", "VND"} else f"{amount:,.2f}"
    return _CURRENCY_FORMATS[currency].format(number)
