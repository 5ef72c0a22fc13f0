"""The owner's boundaries as plain, immutable values.

Everything the booking rules need is here; nothing reads a database or the clock.
Durations are ``timedelta``; wall-clock times are ``datetime.time`` in the owner's zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Literal

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class TimeRange:
    """A local wall-clock range on one date. ``end`` of ``time(0)`` means midnight (end of day)."""

    start: time
    end: time


@dataclass(frozen=True, slots=True)
class ClosedPeriod:
    """Whole local dates off, both ends inclusive."""

    first: date
    last: date
    label: str = ""


@dataclass(frozen=True, slots=True)
class Override:
    """Hours replacing the weekday's on one local date; an empty tuple closes that date."""

    day: date
    ranges: tuple[TimeRange, ...]


@dataclass(frozen=True, slots=True)
class Limits:
    min_notice: timedelta = timedelta(hours=24)
    max_days_ahead: int = 60
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    slot_step: timedelta = timedelta(minutes=30)
    max_bookings_per_day: int | None = None
    max_booked_per_day: timedelta | None = None
    max_bookings_per_week: int | None = None
    stale_after: timedelta = timedelta(hours=6)
    on_stale_calendar: Literal["block", "allow"] = "block"


@dataclass(frozen=True, slots=True)
class ResponsePolicy:
    reply_within: timedelta = timedelta(hours=8)
    channels: tuple[str, ...] = ()
    after_hours: str = ""


@dataclass(frozen=True, slots=True)
class CancellationPolicy:
    free_until: timedelta = timedelta(hours=48)
    late_fee: str = ""


@dataclass(frozen=True, slots=True)
class ContractTerms:
    payment: str = ""
    late_payment_fee: str = ""
    refund: str = ""
    termination: str = ""


@dataclass(frozen=True, slots=True)
class Offer:
    slug: str
    title: str
    duration: timedelta
    price: str = ""
    includes: tuple[str, ...] = ()
    extras: str = ""


@dataclass(frozen=True, slots=True)
class Policy:
    """All the rules about time for one owner.

    ``hours`` holds seven tuples of ranges, Monday first (index = ``date.weekday()``);
    an empty tuple is a closed weekday.
    """

    timezone: str
    hours: tuple[tuple[TimeRange, ...], ...] = ((),) * 7
    closed: tuple[ClosedPeriod, ...] = ()
    overrides: tuple[Override, ...] = ()
    limits: Limits = field(default_factory=Limits)
    response: ResponsePolicy = field(default_factory=ResponsePolicy)
    cancellation: CancellationPolicy = field(default_factory=CancellationPolicy)
    terms: ContractTerms = field(default_factory=ContractTerms)


@dataclass(frozen=True, slots=True)
class OwnerInfo:
    slug: str
    name: str
    email: str
    timezone: str
    locale: Literal["fr", "en"] = "en"


@dataclass(frozen=True, slots=True)
class CalendarFeed:
    """An ICS subscription declared in the boundaries file."""

    name: str
    ics: str


@dataclass(frozen=True, slots=True)
class Boundaries:
    """The whole boundaries file: who the owner is, their policy, offers and calendars."""

    owner: OwnerInfo
    policy: Policy
    offers: tuple[Offer, ...] = ()
    calendars: tuple[CalendarFeed, ...] = ()
