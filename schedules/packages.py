"""Client packages: what a client's offer includes per week or month, and what happens beyond.

An owner may give a client, known by e-mail, a package: ``count`` bookings of some offers
(or of all of them) per ISO week or per calendar month. Beyond that allowance a booking is
either refused (``quota_exceeded``) or accepted as a billable extra at ``extra_price``;
the owner chooses per package. ``check_booking`` and ``available_slots`` take the client's
``Quota`` (package + bookings) and apply it with the other rules.

Counting, exactly:

* A booking's period is the ISO week (Monday to Sunday) or the calendar month of its
  start's **local date in the owner's zone**, as for the caps. In Paris, Sunday 2027-01-31
  23:30 (22:30Z) is in January; Monday 2027-02-01 00:30 (2027-01-31 23:30Z) is in February.
* ``used`` is the number of the client's *active* bookings of the covered offers in that
  period that are *not* billable extras. An extra is paid for on its own and does not use
  the allowance; so when an included booking is cancelled, its place is free again and the
  next booking is included, not billed.
* A new booking of a covered offer is included while ``used < count``. Beyond it the
  package's ``beyond`` applies: ``"refuse"`` or ``"bill"``.

A client **without a package has no quota**: nothing here applies to them (the owner's
caps still do). A package of ``count = 0`` is allowed: with ``"bill"`` every booking is an
extra, with ``"refuse"`` the client cannot book the covered offers at all.
A client may hold several packages (say 4 sessions a month and 2 calls a week), but at
most one may cover a given offer, so the verdict never depends on which one is "used";
``covering`` raises if that is broken.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from .hours import day_span, local_date
from .intervals import Interval

Period = Literal["week", "month"]
Beyond = Literal["refuse", "bill"]
PERIODS: tuple[Period, ...] = ("week", "month")
BEYOND: tuple[Beyond, ...] = ("refuse", "bill")

_ONE_DAY = timedelta(days=1)


def normalize_email(email: str) -> str:
    """How clients are told apart: the whole address, trimmed and lower-cased.

    Strictly the local part is case-sensitive (RFC 5321), but no mail provider a client
    would use treats ``Ana@x.org`` and ``ana@x.org`` as two people, and a package that
    silently stops applying because of a capital letter would be worse.
    """
    return email.strip().lower()


@dataclass(frozen=True, slots=True)
class Package:
    """``count`` bookings of ``offers`` (``None``: every offer) per ``per``, then ``beyond``."""

    client_email: str
    count: int
    per: Period = "month"
    offers: frozenset[str] | None = None
    beyond: Beyond = "refuse"
    extra_price: str = ""

    def __post_init__(self) -> None:
        if not self.client_email.strip() or "@" not in self.client_email:
            raise ValueError("client_email must be an e-mail address")
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 0:
            raise ValueError("count must be a whole number, 0 or more")
        if self.per not in PERIODS:
            raise ValueError("per must be 'week' or 'month'")
        if self.offers is not None and (
            not self.offers or not all(isinstance(o, str) and o for o in self.offers)
        ):
            raise ValueError("offers must name at least one offer (None covers them all)")
        if self.beyond not in BEYOND:
            raise ValueError("beyond must be 'refuse' or 'bill'")
        if self.beyond == "bill" and not self.extra_price.strip():
            raise ValueError("a billing package needs an extra_price")
        if self.beyond == "refuse" and self.extra_price:
            raise ValueError("extra_price only applies when beyond is 'bill'")

    def covers(self, offer: str) -> bool:
        """Whether bookings of ``offer`` count against this package."""
        return self.offers is None or offer in self.offers

    def overlaps(self, other: Package) -> bool:
        """Whether some offer would be covered by both packages."""
        if self.offers is None or other.offers is None:
            return True
        return bool(self.offers & other.offers)


@dataclass(frozen=True, slots=True)
class ClientBooking:
    """One of the client's bookings (any status): its offer, start and billing."""

    offer: str
    start: datetime
    billable_extra: bool = False
    active: bool = True


@dataclass(frozen=True, slots=True)
class Quota:
    """A client's package and their bookings: what ``check_booking`` needs to apply it."""

    package: Package
    bookings: tuple[ClientBooking, ...] = ()


@dataclass(frozen=True, slots=True)
class Usage:
    """How much of the allowance the period ``[first, last]`` (local dates) has used."""

    first: date
    last: date
    used: int
    allowance: int

    @property
    def remaining(self) -> int:
        return max(self.allowance - self.used, 0)


def covering(packages: Iterable[Package], offer: str) -> Package | None:
    """The client's package that covers ``offer``, or None (no quota for this offer)."""
    found = [p for p in packages if p.covers(offer)]
    if len(found) > 1:
        raise ValueError(f"several packages cover offer {offer!r}")
    return found[0] if found else None


def period_of(per: Period, day: date) -> tuple[date, date]:
    """The first and last local date of the ISO week or calendar month holding ``day``."""
    if per == "week":
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=6)
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - _ONE_DAY


def period_span(per: Period, day: date, zone: ZoneInfo) -> Interval:
    """The UTC instants of the period holding local ``day``: [first 00:00, day after last 00:00)."""
    first, last = period_of(per, day)
    return Interval(day_span(first, zone).start, day_span(last + _ONE_DAY, zone).start)


class PeriodCounter:
    """The package's included bookings counted per period (keyed by the period's first date).

    Built once per request, like the caps, so listing a window asks a dict per date.
    Whether the package covers the offer being booked is the caller's question.
    """

    def __init__(self, quota: Quota, zone: ZoneInfo) -> None:
        package = quota.package
        self.package = package
        self._used: dict[date, int] = {}
        for booking in quota.bookings:
            if booking.active and not booking.billable_extra and package.covers(booking.offer):
                key = period_of(package.per, local_date(booking.start, zone))[0]
                self._used[key] = self._used.get(key, 0) + 1

    def usage(self, day: date) -> Usage:
        """The allowance of the period holding local ``day`` and how much of it is used."""
        first, last = period_of(self.package.per, day)
        return Usage(first, last, self._used.get(first, 0), self.package.count)

    def beyond(self, day: date) -> Beyond | None:
        """None if one more booking on local ``day`` is included; otherwise what the
        package says happens beyond the allowance: ``"refuse"`` or ``"bill"``."""
        key = period_of(self.package.per, day)[0]
        if self._used.get(key, 0) < self.package.count:
            return None
        return self.package.beyond


def usage(package: Package, bookings: Sequence[ClientBooking], day: date, zone: ZoneInfo) -> Usage:
    """The client's use of ``package`` in the period holding the owner-local date ``day``."""
    return PeriodCounter(Quota(package, tuple(bookings)), zone).usage(day)
