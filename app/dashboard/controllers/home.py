"""The overview: what needs the owner's attention now."""

from __future__ import annotations

from typing import Any

from flask import render_template

from app.auth import current_owner
from app.clock import now as clock_now
from app.services.owners import owner_boundaries

from ..operations import bookings as bookings_ops
from ..operations import boundaries as boundaries_ops
from ..operations import calendars as calendars_ops
from ..operations import inbox as inbox_ops

NEXT_BOOKINGS = 5


def home() -> Any:
    owner = current_owner()
    now = clock_now()
    upcoming = bookings_ops.list_bookings(
        owner, bookings_ops.BookingFilter(status="confirmed"), now
    )
    waiting = inbox_ops.waiting(owner)
    sources = calendars_ops.statuses(owner, now)
    return render_template(
        "dashboard/home.html",
        upcoming=upcoming[:NEXT_BOOKINGS],
        more_bookings=max(0, len(upcoming) - NEXT_BOOKINGS),
        waiting=waiting,
        overdue=[m for m in waiting if inbox_ops.overdue(m, now)],
        sources=sources,
        stale=[s for s in sources if s.stale],
        page_closed=calendars_ops.booking_page_closed(owner, sources, now),
        preview=boundaries_ops.preview(owner_boundaries(owner), now),
    )
