"""Business-time arithmetic on a calendar of weekly working intervals, holidays and a time zone.

An instant is working time when its wall-clock time in the calendar's zone falls inside one of
the intervals of its weekday and its local date is not a holiday. The arithmetic maps UTC spans
onto wall-clock time piece by piece, one piece per stretch of constant UTC offset, so DST gaps
(an hour that never happens) and folds (an hour that happens twice) count exactly as the wall
clock does.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

DAY_SECONDS = 86_400
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MAX_DAYS = 3 * 366
"""How far `add_business_seconds` looks ahead before it calls the calendar closed."""


class CalendarClosed(ValueError):
    """The calendar has no working time within reach (no hours, or years of holidays)."""


@dataclass(frozen=True)
class BusinessCalendar:
    """Working intervals per weekday (seconds from local midnight, Monday first), holidays, zone."""

    timezone: str
    week: tuple[tuple[tuple[int, int], ...], ...]
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("a week has seven days")
        for day in self.week:
            last = -1
            for start, end in day:
                if not 0 <= start < end <= DAY_SECONDS or start < last:
                    raise ValueError("intervals must be ordered, disjoint and within the day")
                last = end
        ZoneInfo(self.timezone)

    @classmethod
    def from_hours(
        cls, timezone: str, hours: Mapping[str, Sequence[Sequence[str]]], holidays: Iterable[date] = ()
    ) -> BusinessCalendar:
        """Build from `{"mon": [["09:00", "12:00"], ["13:00", "18:00"]], ...}` (missing days are closed)."""
        week = tuple(
            tuple((parse_clock(start), parse_clock(end)) for start, end in hours.get(day, ()))
            for day in WEEKDAYS
        )
        return cls(timezone, week, frozenset(holidays))

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone."""
        return ZoneInfo(self.timezone)

    def is_working(self, moment: datetime) -> bool:
        """Whether an instant is working time."""
        wall = moment.astimezone(self.zone).replace(tzinfo=None)
        if wall.date() in self.holidays:
            return False
        second = wall.hour * 3600 + wall.minute * 60 + wall.second
        return any(start <= second < end for start, end in self.week[wall.weekday()])

    def business_seconds_between(self, start: datetime, end: datetime) -> float:
        """Working seconds in [start, end); negative when end is before start."""
        if end < start:
            return -self.business_seconds_between(end, start)
        total = 0.0
        for wall_start, wall_end in _wall_pieces(self.timezone, _utc(start), _utc(end)):
            total += self._wall_between(wall_start, wall_end)
        return total

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        """The earliest instant at which `seconds` of working time have passed since `start`."""
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        moment = _utc(start)
        if seconds == 0:
            return moment
        remaining = float(seconds)
        limit = moment + timedelta(days=_MAX_DAYS)
        while moment < limit:
            piece_end, offset = _offset_piece(self.timezone, moment)
            piece_end = min(piece_end, limit)
            wall_start, wall_end = moment + offset, piece_end + offset
            for lo, hi in self._wall_intervals(
                wall_start.replace(tzinfo=None), wall_end.replace(tzinfo=None)
            ):
                length = (hi - lo).total_seconds()
                if length >= remaining:
                    return (lo + timedelta(seconds=remaining)).replace(tzinfo=UTC) - offset
                remaining -= length
            moment = piece_end
        raise CalendarClosed("no working time within three years")

    def _wall_between(self, wall_start: datetime, wall_end: datetime) -> float:
        return sum((hi - lo).total_seconds() for lo, hi in self._wall_intervals(wall_start, wall_end))

    def _wall_intervals(
        self, wall_start: datetime, wall_end: datetime
    ) -> Iterator[tuple[datetime, datetime]]:
        """Working wall-clock intervals clipped to [wall_start, wall_end), in order (naive times)."""
        day = wall_start.date()
        while True:
            midnight = datetime.combine(day, datetime.min.time())
            if midnight >= wall_end:
                return
            if day not in self.holidays:
                for start, end in self.week[day.weekday()]:
                    lo = max(midnight + timedelta(seconds=start), wall_start)
                    hi = min(midnight + timedelta(seconds=end), wall_end)
                    if lo < hi:
                        yield lo, hi
            day += timedelta(days=1)


def parse_clock(text: str) -> int:
    """Seconds from midnight of `HH:MM` (24:00 allowed as the end of the day)."""
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"not a HH:MM time: {text!r}")
    value = int(hours) * 3600 + int(minutes) * 60
    if int(minutes) > 59 or value > DAY_SECONDS:
        raise ValueError(f"not a HH:MM time: {text!r}")
    return value


def format_clock(seconds: int) -> str:
    """`HH:MM` of seconds from midnight."""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to a business calendar")
    return moment.astimezone(UTC)


def _wall_pieces(timezone: str, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
    """[start, end) cut at UTC-offset changes, each piece as naive wall-clock times."""
    moment = start
    while moment < end:
        piece_end, offset = _offset_piece(timezone, moment)
        piece_end = min(piece_end, end)
        yield (moment + offset).replace(tzinfo=None), (piece_end + offset).replace(tzinfo=None)
        moment = piece_end


def _offset_piece(timezone: str, moment: datetime) -> tuple[datetime, timedelta]:
    """The end of the constant-offset stretch holding `moment` (UTC) and that stretch's offset."""
    transitions, offsets = _transitions(timezone, moment.year)
    index = bisect.bisect_right(transitions, moment)
    end = transitions[index] if index < len(transitions) else datetime(moment.year + 1, 1, 1, tzinfo=UTC)
    return end, offsets[index]


@lru_cache(maxsize=512)
def _transitions(timezone: str, year: int) -> tuple[list[datetime], list[timedelta]]:
    """UTC instants within a year where the zone's offset changes, and the offsets around them.

    Offsets are sampled every six hours and each change is found to the second by bisection;
    zones do not change their offset twice within six hours.
    """
    zone = ZoneInfo(timezone)
    start, stop = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)

    def offset(at: datetime) -> timedelta:
        value = at.astimezone(zone).utcoffset()
        return value if value is not None else timedelta(0)

    transitions: list[datetime] = []
    offsets = [offset(start)]
    step = timedelta(hours=6)
    here = start
    while here < stop:
        there = min(here + step, stop)
        if offset(there) != offsets[-1]:
            lo, hi = int((here - start).total_seconds()), int((there - start).total_seconds())
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if offset(start + timedelta(seconds=mid)) == offsets[-1]:
                    lo = mid
                else:
                    hi = mid
            change = start + timedelta(seconds=hi)
            transitions.append(change)
            offsets.append(offset(change))
        here = there
    return transitions, offsets
