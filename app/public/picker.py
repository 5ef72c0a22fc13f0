"""The slot picker's content for one offer, one zone and one week: only what the guard offers.

Every slot shown comes from ``slots_for`` (``schedules.available_slots``), so the page
lists exactly what a booking would accept, and busy time is only ever visible as a
missing slot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from app import display
from app.messages import refusal_text
from app.models import Owner
from app.services.availability import is_stale, local_today, slots_for
from schedules import Boundaries, Offer, Quota, Refusal

WEEK = 7
ALTERNATIVES = 6
# Alternatives to a refused time are looked for this many days either side of it.
AROUND = timedelta(days=3)


@dataclass
class Picker:
    offer: Offer | None
    zone: ZoneInfo
    first: date
    days: list[display.DayView] = field(default_factory=list)
    stale: bool = False
    previous: date | None = None
    next: date | None = None
    next_free: date | None = None
    next_free_label: str = ""
    chosen_iso: str | None = None
    chosen_label: str = ""
    refusal: str = ""
    alternatives: list[display.SlotView] = field(default_factory=list)

    @property
    def has_slots(self) -> bool:
        return any(day.slots for day in self.days)


def _last_bookable_day(boundaries: Boundaries, today: date) -> date:
    # One day of slack: the horizon is counted in the owner's dates, the page in the client's.
    return today + timedelta(days=boundaries.policy.limits.max_days_ahead + 1)


def build_picker(
    owner: Owner,
    boundaries: Boundaries,
    offer: Offer | None,
    zone: ZoneInfo,
    first: date | None,
    now: datetime,
    chosen: datetime | None = None,
    refusal: Refusal | None = None,
    quota: Quota | None = None,
) -> Picker:
    """A week of free slots from ``first`` (default: today in ``zone``), or alternatives.

    After a refusal the week gives way to the free times nearest the refused one.
    ``quota`` (a known client's package) leaves out what their package would refuse.
    """
    today = local_today(now, zone.key)
    horizon = _last_bookable_day(boundaries, today)
    if first is None and chosen is not None:
        first = chosen.astimezone(zone).date()
    first = min(max(first or today, today), horizon)
    picker = Picker(offer, zone, first)
    if chosen is not None:
        picker.chosen_iso = display.iso(chosen, zone)
        picker.chosen_label = display.when(chosen, zone)
    if offer is None:
        return picker
    picker.stale = is_stale(owner, boundaries, now)
    if refusal is not None and chosen is not None:
        picker.refusal = refusal_text(refusal.value)
        day = chosen.astimezone(zone).date()
        start_day = max(day - AROUND, today)
        near = slots_for(owner, boundaries, offer, start_day, day + AROUND, zone.key, now, quota)
        picker.alternatives = [
            display.slot_view(s, zone) for s in display.nearest(near, chosen, ALTERNATIVES)
        ]
        if picker.alternatives:
            return picker
    last = first + timedelta(days=WEEK - 1)
    slots = slots_for(owner, boundaries, offer, first, last, zone.key, now, quota)
    picker.days = display.week_days(slots, first, WEEK, zone)
    picker.previous = max(first - timedelta(days=WEEK), today) if first > today else None
    picker.next = first + timedelta(days=WEEK) if first + timedelta(days=WEEK) <= horizon else None
    if not slots and not picker.stale and picker.next is not None:
        limit = min(horizon, last + timedelta(days=current_app.config["SLOTS_MAX_DAYS"]))
        ahead = slots_for(
            owner, boundaries, offer, last + timedelta(days=1), limit, zone.key, now, quota
        )
        if ahead:
            picker.next_free = ahead[0].start.astimezone(zone).date()
            picker.next_free_label = display.when(ahead[0].start, zone)
    return picker
