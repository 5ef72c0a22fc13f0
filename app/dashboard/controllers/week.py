"""The week view: the energy meter of seven days."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import render_template, request

from app.auth import current_owner
from app.clock import now as clock_now
from app.public.validation import parse_day
from app.services.availability import local_today
from app.services.owners import owner_boundaries

from ..operations.week import energy_week, monday_of


def week() -> Any:
    owner = current_owner()
    today = local_today(clock_now(), owner.timezone)
    chosen = parse_day(request.args.get("week")) or today
    boundaries = owner_boundaries(owner)
    energy = energy_week(owner, boundaries, monday_of(chosen))
    return render_template(
        "dashboard/week.html",
        week=energy,
        today=today,
        limits=boundaries.policy.limits,
        zone=ZoneInfo(owner.timezone),
    )
