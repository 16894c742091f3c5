"""Business-time arithmetic against a brute-force minute-by-minute reference (hypothesis)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kefu.sla.calendar import BusinessCalendar, CalendarClosed, parse_clock

ZONES = [
    "Asia/Bangkok",
    "Asia/Ho_Chi_Minh",
    "Asia/Jakarta",
    "Asia/Shanghai",
    "Asia/Kathmandu",
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "America/Santiago",
    "UTC",
]
"""SEA and China zones, a +05:45 zone, and DST zones of both hemispheres (Santiago moves at midnight)."""
ANCHORS = [
    datetime(2026, 3, 8, 6, tzinfo=UTC),  # US spring forward
    datetime(2026, 3, 29, 0, tzinfo=UTC),  # EU spring forward
    datetime(2026, 4, 4, 15, tzinfo=UTC),  # Sydney falls back
    datetime(2026, 4, 5, 2, tzinfo=UTC),  # Santiago falls back
    datetime(2026, 9, 6, 3, tzinfo=UTC),  # Santiago springs forward
    datetime(2026, 10, 3, 15, tzinfo=UTC),  # Sydney springs forward
    datetime(2026, 10, 25, 0, tzinfo=UTC),  # EU fall back
    datetime(2026, 11, 1, 5, tzinfo=UTC),  # US fall back
    datetime(2026, 12, 31, 12, tzinfo=UTC),  # year end
    datetime(2027, 2, 6, 0, tzinfo=UTC),  # Lunar New Year week
]
MINUTE = timedelta(minutes=1)


def _interval_days() -> st.SearchStrategy[tuple[tuple[int, int], ...]]:
    """Zero to three ordered intervals of a day, on a quarter-hour grid (lunch breaks included)."""
    return st.lists(st.integers(0, 96), max_size=6, unique=True).map(
        lambda cuts: tuple(
            (a * 900, b * 900) for a, b in zip(sorted(cuts)[::2], sorted(cuts)[1::2], strict=False) if a < b
        )
    )


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    """A random calendar: zone, weekly hours with breaks, holidays around the anchors."""
    week = tuple(draw(_interval_days()) for _ in range(7))
    holidays = draw(
        st.lists(
            st.sampled_from(ANCHORS).flatmap(
                lambda a: st.integers(-3, 6).map(lambda d: a.date() + timedelta(days=d))
            ),
            max_size=4,
        )
    )
    return BusinessCalendar(draw(st.sampled_from(ZONES)), week, frozenset(holidays))


@st.composite
def moments(draw: st.DrawFn) -> datetime:
    """A whole minute near a DST change, a holiday or a year end."""
    anchor = draw(st.sampled_from(ANCHORS))
    return anchor + timedelta(minutes=draw(st.integers(-3 * 1440, 3 * 1440)))


def reference_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> int:
    """Working seconds in [start, end) by testing every minute."""
    count, moment = 0, start
    while moment < end:
        count += calendar.is_working(moment)
        moment += MINUTE
    return count * 60


def reference_add(calendar: BusinessCalendar, start: datetime, seconds: int) -> datetime | None:
    """The end of the minute in which `seconds` of working time are reached (within 12 days)."""
    remaining, moment = seconds, start
    for _ in range(12 * 1440):
        if remaining == 0:
            return moment
        if calendar.is_working(moment):
            remaining -= 60
        moment += MINUTE
    return moment if remaining == 0 else None


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(calendars(), moments(), st.integers(0, 4 * 1440))
def test_business_seconds_between_matches_minute_by_minute(
    calendar: BusinessCalendar, start: datetime, minutes: int
) -> None:
    end = start + timedelta(minutes=minutes)
    assert calendar.business_seconds_between(start, end) == reference_between(calendar, start, end)
    assert calendar.business_seconds_between(end, start) == -reference_between(calendar, start, end)


@PROPERTY
@given(calendars(), moments(), st.integers(0, 3 * 600))
def test_add_business_seconds_matches_minute_by_minute(
    calendar: BusinessCalendar, start: datetime, minutes: int
) -> None:
    expected = reference_add(calendar, start, minutes * 60)
    if expected is None:
        return
    got = calendar.add_business_seconds(start, minutes * 60)
    assert got == expected
    assert calendar.business_seconds_between(start, got) == minutes * 60


@PROPERTY
@given(calendars(), moments(), st.floats(0, 200_000, allow_nan=False))
def test_add_then_between_round_trips_to_the_second(
    calendar: BusinessCalendar, start: datetime, seconds: float
) -> None:
    seconds = round(seconds)
    if not any(calendar.week):
        return
    try:
        due = calendar.add_business_seconds(start, seconds)
    except CalendarClosed:
        return
    assert calendar.business_seconds_between(start, due) == seconds
    if seconds:
        assert calendar.business_seconds_between(start, due - timedelta(seconds=1)) < seconds


BANGKOK = BusinessCalendar.from_hours(
    "Asia/Bangkok",
    {d: [["09:00", "12:00"], ["13:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    holidays=[date(2026, 12, 31), date(2027, 1, 1)],
)


def test_friday_evening_before_a_holiday_weekend_lands_on_monday_morning() -> None:
    # Thursday 2026-12-31 and Friday 2027-01-01 are holidays; Wednesday 17:55 Bangkok.
    start = datetime(2026, 12, 30, 10, 55, tzinfo=UTC)
    due = BANGKOK.add_business_seconds(start, 30 * 60)
    assert due == datetime(2027, 1, 4, 2, 25, tzinfo=UTC)  # Monday 09:25 Bangkok


def test_lunch_break_is_not_counted() -> None:
    start = datetime(2026, 3, 2, 4, 50, tzinfo=UTC)  # Monday 11:50 Bangkok
    assert BANGKOK.add_business_seconds(start, 20 * 60) == datetime(2026, 3, 2, 6, 10, tzinfo=UTC)
    assert BANGKOK.business_seconds_between(start, datetime(2026, 3, 2, 6, 10, tzinfo=UTC)) == 1200


def test_spring_forward_hour_does_not_exist() -> None:
    new_york = BusinessCalendar.from_hours("America/New_York", {"sun": [["00:00", "24:00"]]})
    day = datetime(2026, 3, 8, 5, tzinfo=UTC)  # Sunday 00:00 EST
    assert new_york.business_seconds_between(day, day + timedelta(days=1)) == 23 * 3600


def test_fall_back_hour_happens_twice() -> None:
    london = BusinessCalendar.from_hours("Europe/London", {"sun": [["01:00", "02:00"]]})
    start = datetime(2026, 10, 25, 0, tzinfo=UTC)  # 01:00 BST, then 01:00 GMT an hour later
    assert london.business_seconds_between(start, start + timedelta(hours=3)) == 2 * 3600


def test_closed_calendar_and_bad_input() -> None:
    closed = BusinessCalendar.from_hours("UTC", {})
    with pytest.raises(CalendarClosed):
        closed.add_business_seconds(datetime(2026, 1, 1, tzinfo=UTC), 60)
    with pytest.raises(ValueError, match="naive"):
        BANGKOK.add_business_seconds(datetime(2026, 1, 1), 60)  # noqa: DTZ001
    with pytest.raises(ValueError, match="HH:MM"):
        parse_clock("9am")
    with pytest.raises(ValueError, match="ordered"):
        BusinessCalendar.from_hours("UTC", {"mon": [["13:00", "12:00"]]})
