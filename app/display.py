"""How times and boundaries read on the public pages and in mail: locale and zone at the edge.

Everything here turns core values (aware UTC datetimes, ``Policy``) into text for one
reader: a Babel locale (the request's, or one forced for a mail) and an IANA zone (the
client's, with the owner's noted beside it). No rule is decided here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import format_skeleton, get_day_names, get_timezone_location
from flask_babel import format_date, format_time, get_locale, ngettext
from flask_babel import gettext as _

from app.services.availability import future_closed, local_today
from schedules import (
    Boundaries,
    Interval,
    Slot,
    cancellation_deadline,
    local_date,
)
from schedules.hours import range_interval

# --- one moment, one date, one zone -------------------------------------------------


def in_zone(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone)


def iso(moment: datetime, zone: ZoneInfo) -> str:
    """The machine-readable form used in ``datetime`` and ``data-slot-start`` attributes."""
    return moment.astimezone(zone).isoformat()


def time_label(moment: datetime, zone: ZoneInfo) -> str:
    """``9:00 AM`` in English, ``09:00`` in French."""
    return str(format_time(moment.astimezone(zone), "short", rebase=False))


def date_label(day: date | datetime, zone: ZoneInfo | None = None) -> str:
    """``Tuesday, January 5, 2027`` / ``mardi 5 janvier 2027``."""
    if isinstance(day, datetime):
        assert zone is not None
        day = day.astimezone(zone).date()
    return str(format_date(day, "full", rebase=False))


def short_day(day: date) -> str:
    """``Tue, Jan 5`` / ``mar. 5 janv.`` for the day picker."""
    return str(format_skeleton("MMMEd", day, locale=get_locale()))


def when(moment: datetime, zone: ZoneInfo) -> str:
    """``Tuesday, January 5, 2027 at 3:00 AM``: a date and a time in ``zone``."""
    return _("%(date)s at %(time)s", date=date_label(moment, zone), time=time_label(moment, zone))


def zone_city(zone: ZoneInfo) -> str:
    """A zone as people say it: ``Paris``, ``New York``."""
    return str(get_timezone_location(zone, locale=get_locale(), return_city=True))


def duration_label(value: timedelta) -> str:
    """``30 minutes``, ``1 hour``, ``1 hour 30 minutes``, ``2 days`` (whole days only)."""
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    if days >= 3 and not rest:  # "48 hours" reads better than "2 days" for a notice
        return ngettext("%(num)d day", "%(num)d days", days)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(ngettext("%(num)d hour", "%(num)d hours", hours))
    if minutes or not hours:
        parts.append(ngettext("%(num)d minute", "%(num)d minutes", minutes))
    return " ".join(parts)


# --- the zone picker -----------------------------------------------------------------

_AREAS = ("Africa/", "America/", "Antarctica/", "Asia/", "Atlantic/", "Australia/")
_AREAS += ("Europe/", "Indian/", "Pacific/")


@cache
def _canonical_zones() -> frozenset[str]:
    return frozenset(z for z in available_timezones() if z.startswith(_AREAS))


def zone_choices(current: str, owner_zone: str) -> list[str]:
    """Canonical ``Area/City`` zones (no ``Etc/``, ``US/``, ``posix/`` aliases), sorted."""
    return sorted(_canonical_zones() | {"UTC", current, owner_zone})


# --- the "How we work together" panel ------------------------------------------------


@dataclass(frozen=True)
class HoursRow:
    weekday: str
    weekday_short: str
    owner_ranges: list[str]  # on the owner's wall clock
    client_ranges: list[str]  # the same ranges on the client's wall clock


@dataclass(frozen=True)
class DayOff:
    first: date
    last: date
    text: str
    label: str


def _moment_text(moment: datetime, zone: ZoneInfo, day: date, is_end: bool) -> str:
    local = moment.astimezone(zone)
    label = time_label(moment, zone)
    midnight_end = is_end and local.date() == day + timedelta(days=1) and local.time() == time(0)
    if local.date() == day or midnight_end:
        return label
    # 18:00 in Paris is 02:00 the next day in Tokyo: say which day it is.
    weekday = format_skeleton("EEE", local.date(), locale=get_locale())
    return _("%(day)s %(time)s", day=weekday, time=label)


def _ranges(ranges: Sequence[Interval], zone: ZoneInfo, day: date) -> list[str]:
    """``["9:00 AM – 12:30 PM", "2:00 PM – 6:00 PM"]``; a moment on another date names its day."""
    return [
        f"{_moment_text(start, zone, day, False)} – {_moment_text(end, zone, day, True)}"
        for start, end in ranges
    ]


def hours_rows(boundaries: Boundaries, client_zone: ZoneInfo, today: date) -> list[HoursRow]:
    """The regular weekly hours, Monday first, on the next date of each weekday.

    Converting wall-clock hours to another zone depends on the date (DST on either side),
    so each weekday is shown on its next occurrence, expanded by the core's own rules.
    """
    policy = boundaries.policy
    owner_zone = ZoneInfo(policy.timezone)
    names = get_day_names("wide", locale=get_locale())
    short_names = get_day_names("abbreviated", locale=get_locale())
    rows = []
    for weekday, ranges in enumerate(policy.hours):
        if not ranges:
            continue
        day = today + timedelta(days=(weekday - today.weekday()) % 7)
        instants = [range_interval(day, wall, owner_zone) for wall in ranges]
        rows.append(
            HoursRow(
                str(names[weekday]).capitalize(),
                str(short_names[weekday]).capitalize(),
                _ranges(instants, owner_zone, day),
                _ranges(instants, client_zone, day),
            )
        )
    return rows


def days_off(boundaries: Boundaries, today: date, client_zone: ZoneInfo) -> list[DayOff]:
    """Upcoming closed periods and dates with special hours (in the client's time), by date.

    Dates are the owner's: a day off is a whole day where they are.
    """
    zone = ZoneInfo(boundaries.policy.timezone)
    found = []
    for first, last, label in future_closed(boundaries, today):
        if first == last:
            text = _("%(date)s: closed", date=date_label(first))
        else:
            text = _(
                "%(first)s to %(last)s: closed", first=date_label(first), last=date_label(last)
            )
        found.append(DayOff(first, last, text, label))
    for override in boundaries.policy.overrides:
        if override.day < today:
            continue
        if override.ranges:
            instants = [range_interval(override.day, wall, zone) for wall in override.ranges]
            hours = ", ".join(_ranges(instants, client_zone, override.day))
            text = _(
                "%(date)s: special hours %(hours)s", date=date_label(override.day), hours=hours
            )
        else:
            text = _("%(date)s: closed", date=date_label(override.day))
        found.append(DayOff(override.day, override.day, text, ""))
    return sorted(found, key=lambda d: (d.first, d.last))


# --- slots ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotView:
    start_iso: str
    label: str
    long_label: str


@dataclass(frozen=True)
class DayView:
    day: date
    label: str
    short: str
    slots: list[SlotView]


def slot_view(slot: Slot, zone: ZoneInfo) -> SlotView:
    return SlotView(iso(slot.start, zone), time_label(slot.start, zone), when(slot.start, zone))


def week_days(slots: Sequence[Slot], first: date, days: int, zone: ZoneInfo) -> list[DayView]:
    """``days`` local dates from ``first`` in ``zone``, each with its free slots."""
    by_day: dict[date, list[SlotView]] = {}
    for slot in slots:
        by_day.setdefault(local_date(slot.start, zone), []).append(slot_view(slot, zone))
    out = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        out.append(DayView(day, date_label(day), short_day(day), by_day.get(day, [])))
    return out


def nearest(slots: Sequence[Slot], moment: datetime, count: int) -> list[Slot]:
    """The ``count`` slots closest to ``moment`` (alternatives to a refused choice), in order."""
    closest = sorted(slots, key=lambda s: abs(s.start - moment))[:count]
    return sorted(closest, key=lambda s: s.start)


# --- a booking, for pages and mail ---------------------------------------------------


@dataclass(frozen=True)
class BookingTimes:
    """A booking's start for one reader: in their zone, with the owner's noted beside it."""

    when: str
    owner_when: str
    city: str
    owner_city: str
    same_zone: bool
    start_iso: str
    deadline_when: str
    deadline_iso: str


def booking_times(start: datetime, boundaries: Boundaries, zone: ZoneInfo) -> BookingTimes:
    owner_zone = ZoneInfo(boundaries.policy.timezone)
    deadline = cancellation_deadline(boundaries.policy, start)
    return BookingTimes(
        when=when(start, zone),
        owner_when=when(start, owner_zone),
        city=zone_city(zone),
        owner_city=zone_city(owner_zone),
        same_zone=zone.key == owner_zone.key,
        start_iso=iso(start, zone),
        deadline_when=when(deadline, zone),
        deadline_iso=iso(deadline, zone),
    )


def today_for(now: datetime, zone: ZoneInfo) -> date:
    return local_today(now, zone.key)


# --- the terms that apply, for the panel, the confirmation page and mail ---------------


@dataclass(frozen=True)
class Term:
    label: str
    text: str


def terms_summary(boundaries: Boundaries) -> list[Term]:
    """The owner's boundaries as labelled sentences (owner-written texts shown as written)."""
    policy = boundaries.policy
    response, cancellation, terms = policy.response, policy.cancellation, policy.terms
    items = [
        Term(
            _("Replies"),
            _(
                "Within %(duration)s of working time.",
                duration=duration_label(response.reply_within),
            ),
        )
    ]
    if response.channels:
        items.append(Term(_("How to reach me"), ", ".join(response.channels)))
    if response.after_hours:
        items.append(Term(_("After hours"), response.after_hours))
    items.append(
        Term(
            _("Cancellation"),
            _(
                "Free until %(duration)s before the start.",
                duration=duration_label(cancellation.free_until),
            ),
        )
    )
    if cancellation.late_fee:
        items.append(Term(_("Late cancellation"), cancellation.late_fee))
    for label, text in (
        (_("Payment"), terms.payment),
        (_("Late payment"), terms.late_payment_fee),
        (_("Refunds"), terms.refund),
        (_("Ending the engagement"), terms.termination),
    ):
        if text:
            items.append(Term(label, text))
    return items
