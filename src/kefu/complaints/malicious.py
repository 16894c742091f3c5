"""Malicious-complaint signals, as pure functions over data the caller passes in (no DB).

Three signals, each with a reason a person can check:
- repeat complainant: many complaints, or a large claimed amount, from one customer in a window;
- copy-paste across customers: the complaint text is a near-duplicate of another customer's
  recent complaint (MinHash over character shingles with LSH banding, `NearDuplicateIndex`);
- extortion phrasing: a demand tied to a threat ("refund or I will post ..."), from `abuse`.
The score only orders complaints for human review; it never decides anything by itself.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from kefu.nlp import service as nlp

_PRIME = (1 << 31) - 1
_UNSPACED_RE = re.compile("[\u3400-\u9fff\uf900-\ufaff\u0e00-\u0e7f]")
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class ComplaintRecord:
    """One earlier complaint of the customer: when, and the amount claimed (if any)."""

    at: datetime
    amount: float = 0.0


@dataclass(frozen=True)
class MaliciousPolicy:
    """Thresholds and weights of the signals (defaults suit a consumer-retail inbox)."""

    window: timedelta = timedelta(days=30)
    repeat_threshold: int = 3
    amount_threshold: float = 500.0
    duplicate_threshold: float = 0.7
    repeat_weight: float = 0.4
    amount_weight: float = 0.2
    duplicate_weight: float = 0.5
    extortion_weight: float = 0.4


@dataclass(frozen=True)
class DuplicateMatch:
    """A recent complaint by another customer whose text is a near-duplicate."""

    key: str
    customer_id: str
    similarity: float


@dataclass(frozen=True)
class MaliciousSignals:
    """Score 0-1 (higher = review first) and the reasons behind it."""

    score: float
    reasons: tuple[str, ...]
    complaints_in_window: int
    amount_in_window: float
    duplicates: tuple[DuplicateMatch, ...] = ()
    extortion: bool = False


@dataclass
class _Entry:
    key: str
    customer_id: str
    at: datetime
    signature: np.ndarray
    bands: list[tuple[int, bytes]] = field(default_factory=list)


class NearDuplicateIndex:
    """Recent complaint texts indexed for near-duplicate lookup (MinHash + LSH, time window).

    `add` and `query` cost O(number of shingles + candidates); entries older than `window`
    are dropped as newer ones arrive. Texts shorter than `min_chars` (after normalisation)
    are neither indexed nor matched: short complaints ("refund please") coincide innocently.
    """

    def __init__(
        self,
        *,
        num_perm: int = 64,
        bands: int = 16,
        window: timedelta = timedelta(days=30),
        min_chars: int = 30,
        seed: int = 7,
    ) -> None:
        """Create an empty index; `num_perm` must be a multiple of `bands`."""
        if num_perm % bands:
            raise ValueError("num_perm must be a multiple of bands")
        rng = np.random.default_rng(seed)
        self._a = rng.integers(1, _PRIME, size=num_perm, dtype=np.uint64)
        self._b = rng.integers(0, _PRIME, size=num_perm, dtype=np.uint64)
        self._rows = num_perm // bands
        self._bands = bands
        self._window = window
        self._min_chars = min_chars
        self._entries: dict[str, _Entry] = {}
        self._order: deque[str] = deque()
        self._buckets: dict[tuple[int, bytes], set[str]] = {}

    def __len__(self) -> int:
        """Number of texts currently indexed."""
        return len(self._entries)

    def add(self, key: str, text: str, *, customer_id: str, at: datetime) -> None:
        """Index a complaint text under `key` (re-adding a key replaces it)."""
        self._expire(at)
        if key in self._entries:
            self._remove(key)
        signature = self.signature(text)
        if signature is None:
            return
        entry = _Entry(key, customer_id, at, signature, self._band_keys(signature))
        self._entries[key] = entry
        self._order.append(key)
        for band in entry.bands:
            self._buckets.setdefault(band, set()).add(key)

    def query(
        self,
        text: str,
        *,
        at: datetime,
        exclude_customer: str | None = None,
        threshold: float = 0.7,
        limit: int = 10,
    ) -> list[DuplicateMatch]:
        """Up to `limit` indexed texts in the window with estimated Jaccard >= `threshold`."""
        signature = self.signature(text)
        if signature is None:
            return []
        candidates: set[str] = set()
        for band in self._band_keys(signature):
            candidates |= self._buckets.get(band, set())
        matches = []
        for key in candidates:
            entry = self._entries[key]
            if entry.customer_id == exclude_customer or at - entry.at > self._window:
                continue
            similarity = float(np.mean(entry.signature == signature))
            if similarity >= threshold:
                matches.append(DuplicateMatch(key, entry.customer_id, round(similarity, 4)))
        return sorted(matches, key=lambda m: (-m.similarity, m.key))[:limit]

    def signature(self, text: str) -> np.ndarray | None:
        """MinHash signature of the text's character shingles, or None if it is too short."""
        norm = _SPACE_RE.sub(" ", nlp.normalised(text))
        if len(norm) < self._min_chars:
            return None
        size = 3 if _UNSPACED_RE.search(norm) else 5
        shingles = {norm[i : i + size] for i in range(len(norm) - size + 1)}
        hashes = np.fromiter(
            (_stable_hash(s) for s in shingles), dtype=np.uint64, count=len(shingles)
        )
        permuted = (self._a[:, None] * hashes[None, :] + self._b[:, None]) % np.uint64(_PRIME)
        return np.asarray(permuted.min(axis=1))

    def _band_keys(self, signature: np.ndarray) -> list[tuple[int, bytes]]:
        r = self._rows
        return [(i, signature[i * r : (i + 1) * r].tobytes()) for i in range(self._bands)]

    def _expire(self, now: datetime) -> None:
        while self._order:
            key = self._order[0]
            entry = self._entries.get(key)
            if entry is not None and now - entry.at <= self._window:
                break
            self._order.popleft()
            if entry is not None:
                self._remove(key)

    def _remove(self, key: str) -> None:
        entry = self._entries.pop(key)
        for band in entry.bands:
            bucket = self._buckets.get(band)
            if bucket is not None:
                bucket.discard(key)
                if not bucket:
                    del self._buckets[band]


def _stable_hash(shingle: str) -> int:
    digest = hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") % _PRIME


def assess_complaint(
    text: str,
    lang: str,
    *,
    customer_id: str,
    now: datetime,
    history: Sequence[ComplaintRecord] = (),
    amount: float = 0.0,
    index: NearDuplicateIndex | None = None,
    abuse: nlp.AbuseResult | None = None,
    policy: MaliciousPolicy | None = None,
) -> MaliciousSignals:
    """Malicious-complaint signals of a new complaint by `customer_id` at `now`.

    `history` holds the customer's earlier complaints (any age; the window is applied here),
    `amount` is what this complaint claims, `index` holds other customers' recent complaint
    texts, and `abuse` may pass an already computed `detect_abuse` result.
    """
    p = policy or MaliciousPolicy()
    recent = [c for c in history if timedelta(0) <= now - c.at <= p.window]
    count = len(recent) + 1
    total = round(sum(c.amount for c in recent) + amount, 2)
    parts: list[float] = []
    reasons: list[str] = []
    days = p.window.days
    if count >= p.repeat_threshold:
        parts.append(p.repeat_weight * min(1.0, count / (2 * p.repeat_threshold)))
        reasons.append(f"repeat_complainant: {count} complaints in {days} days")
    if total >= p.amount_threshold:
        parts.append(p.amount_weight * min(1.0, total / (2 * p.amount_threshold)))
        reasons.append(f"high_claimed_amount: {total:g} claimed in {days} days")
    duplicates: tuple[DuplicateMatch, ...] = ()
    if index is not None:
        duplicates = tuple(
            index.query(text, at=now, exclude_customer=customer_id, threshold=p.duplicate_threshold)
        )
    if duplicates:
        parts.append(p.duplicate_weight * duplicates[0].similarity)
        others = len({d.customer_id for d in duplicates})
        reasons.append(
            f"copy_paste_across_customers: matches {others} other customer(s), "
            f"similarity {duplicates[0].similarity:.2f}"
        )
    abuse = abuse if abuse is not None else nlp.detect_abuse(text, lang)
    extortion = "extortion" in abuse.categories
    if extortion:
        parts.append(p.extortion_weight)
        reasons.append("extortion_phrasing: " + "; ".join(abuse.terms[:3]))
    keep = 1.0
    for part in parts:
        keep *= 1.0 - part
    return MaliciousSignals(
        score=round(1.0 - keep, 4),
        reasons=tuple(reasons),
        complaints_in_window=count,
        amount_in_window=total,
        duplicates=duplicates,
        extortion=extortion,
    )
