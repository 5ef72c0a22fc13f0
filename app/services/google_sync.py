"""Google Calendar inside Cadre's sync machinery, and the feature's start-up wiring.

A Google calendar chosen as busy is a ``CalendarSource`` of kind google: the periodic
``sync_due`` queues it like an ICS feed, ``sync_source`` claims it, and this module's
adapter factory hands the sync a ``GoogleCalendarAdapter`` for it. An account waiting to
be reconnected fails fast (no network), keeping its blocks: staleness decides.
"""

from __future__ import annotations

import functools
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import CalendarSource, SourceKind
from app.models.google import GoogleAccount, GoogleCalendar
from app.services.sync import register_adapter
from integrations.base import CalendarAdapter
from integrations.google_calendar import GoogleCalendarAdapter, GoogleSyncError

from .google_accounts import retry_policy, service_for


def google_adapter(source: CalendarSource, zone: ZoneInfo, app: Flask) -> CalendarAdapter:
    """The adapter for one Google source (called by ``sync_source`` inside its try)."""
    calendar = db.session.scalar(
        select(GoogleCalendar).where(GoogleCalendar.source_id == source.id)
    )
    if calendar is None:
        raise GoogleSyncError("This Google calendar is no longer connected")
    account = db.session.get(GoogleAccount, calendar.account_id)
    assert account is not None  # the foreign key cascades
    if account.needs_reconnect:
        raise GoogleSyncError(
            f"Google account {account.email} needs reconnecting; its last known busy times are kept"
        )
    try:
        calendar_zone = ZoneInfo(calendar.time_zone) if calendar.time_zone else zone
    except (ZoneInfoNotFoundError, ValueError):
        calendar_zone = zone
    return GoogleCalendarAdapter(
        functools.partial(service_for, account.id),
        calendar.calendar_id,
        calendar_zone,
        retry=retry_policy(),
        page_size=int(app.config.get("GOOGLE_PAGE_SIZE", 2500)),
    )


def init_google(app: Flask) -> None:
    """Wire Google in: settings, the Authlib client, the sync adapter, the retry task."""
    from app.jobs import every
    from app.models import google as _models  # noqa: F401  (tables known to create_all/Alembic)

    from .google_accounts import calendars_due
    from .google_auth import init_oauth
    from .google_writeback import writeback_due

    if not app.config.get("TOKEN_ENCRYPTION_KEYS") and os.environ.get("TOKEN_ENCRYPTION_KEYS"):
        app.config["TOKEN_ENCRYPTION_KEYS"] = os.environ["TOKEN_ENCRYPTION_KEYS"]
    init_oauth(app)
    register_adapter(SourceKind.GOOGLE, google_adapter)
    every(
        "google-writeback", float(app.config.get("GOOGLE_WRITEBACK_INTERVAL_S", 60)), writeback_due
    )
    every(
        "google-calendar-lists",
        float(app.config.get("GOOGLE_CALENDARS_CHECK_S", 1800)),
        calendars_due,
    )
