"""Connected Google accounts: connect (or reconnect), list calendars, choose, disconnect.

A calendar chosen as busy gets a ``CalendarSource`` of kind google, so it is synced by
the same job, stored as the same busy blocks and judged by the same staleness rule as an
ICS feed. Choosing it queues a first sync at once; until that succeeds the source counts
as stale and the guard stays closed over it, as for any new calendar.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import or_, select, update

from app.clock import now as clock_now
from app.extensions import db
from app.jobs import enqueue
from app.models import CalendarSource, SourceKind
from app.models.google import (
    AccountStatus,
    GoogleAccount,
    GoogleBookingEvent,
    GoogleCalendar,
    WritebackState,
)
from app.services.sync import LEASE, sync_source_job
from integrations.google_api import (
    AccessRevoked,
    CallbackCredentials,
    RetryPolicy,
    build_service,
    describe,
    list_calendars,
)

from . import google_auth, google_tokens

log = logging.getLogger(__name__)


class ConnectError(Exception):
    """The consent came back unusable; the message tells the owner what to do."""


def begin_write() -> None:
    """A fresh write transaction (SQLite: ``BEGIN IMMEDIATE``, it cannot upgrade a read)."""
    db.session.rollback()
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def retry_policy() -> RetryPolicy:
    config = current_app.config
    return RetryPolicy(
        attempts=int(config.get("GOOGLE_RETRY_ATTEMPTS", 5)),
        base_s=float(config.get("GOOGLE_RETRY_BASE_S", 1.0)),
        cap_s=float(config.get("GOOGLE_RETRY_CAP_S", 32.0)),
    )


def service_for(account_id: int) -> Any:
    """A Calendar service for the account. Build one per job (httplib2 is not thread-safe)."""
    token = google_auth.stored_token(account_id)
    credentials = CallbackCredentials(
        str(token.get("access_token", "")),
        google_auth.expiry_of(token),
        functools.partial(google_auth.refresh_access, account_id),
    )
    return build_service(
        credentials, current_app.config.get("GOOGLE_API_ENDPOINT"), google_auth.http_timeout()
    )


# --- connect ------------------------------------------------------------------------------


def connect(owner_id: int, token: dict[str, Any]) -> GoogleAccount:
    """Store the account a consent came back for (new, or the same one reconnected)."""
    info = token.get("userinfo") or {}
    subject, email = info.get("sub"), info.get("email")
    if not subject or not email:
        raise ConnectError("Google did not say which account this is. Please try again.")
    granted = set(str(token.get("scope", "")).split())
    if not google_auth.CALENDAR_SCOPES <= granted:
        raise ConnectError(
            "Cadre needs both calendar permissions (see your calendars, and add and change "
            "events). Please connect again and leave both boxes ticked."
        )
    if not token.get("refresh_token"):
        raise ConnectError("Google did not grant offline access. Please connect again.")
    now = clock_now()
    begin_write()
    account = db.session.scalar(
        select(GoogleAccount).where(
            GoogleAccount.owner_id == owner_id, GoogleAccount.subject == subject
        )
    )
    if account is None:
        account = GoogleAccount(owner_id=owner_id, subject=subject, connected_at=now)
        db.session.add(account)
    account.email = str(email)
    account.scopes = " ".join(sorted(granted))
    for name, value in google_auth.token_columns(token).items():
        setattr(account, name, value)
    if account.status is not AccountStatus.ACTIVE:
        account.status_changed_at = now
    account.status = AccountStatus.ACTIVE
    account.last_error = None
    account.reconnect_mailed_at = None  # a later revocation mails again
    db.session.flush()
    account_id = account.id
    source_ids = [cal.source_id for cal in account.calendars if cal.source_id is not None]
    # Write-backs that waited for this account are due now.
    db.session.execute(
        update(GoogleBookingEvent)
        .where(
            GoogleBookingEvent.owner_id == owner_id,
            GoogleBookingEvent.state == WritebackState.PENDING,
        )
        .values(next_attempt_at=now)
    )
    db.session.commit()
    enqueue(refresh_calendars_job, account_id, owner_id=owner_id)
    for source_id in source_ids:
        enqueue(sync_source_job, source_id, LEASE.total_seconds(), owner_id=owner_id)
    from .google_writeback import writeback_due

    writeback_due(owner_id)
    return account


def refresh_calendars_job(account_id: int) -> None:
    """Job: read the account's calendar list into ``GoogleCalendar`` rows."""
    try:
        refresh_calendars(account_id)
    except Exception as exc:
        if not isinstance(exc, AccessRevoked):
            log.warning("listing the calendars of Google account %s failed", account_id)
        db.session.rollback()
        begin_write()
        account = db.session.get(GoogleAccount, account_id)
        if account is not None and not isinstance(exc, AccessRevoked):
            account.last_error = "Could not list calendars: " + describe(exc)
        db.session.commit()


def calendars_due() -> int:
    """The periodic task: list again the calendars of each connected account whose list is
    older than ``GOOGLE_CALENDARS_REFRESH_S`` (6 hours), so a calendar added in Google
    shows up to be chosen and one deleted there stops counting. How many were queued.

    One job id per account and round: every scheduler may run this on every tick. An
    account whose listing fails keeps its old list and is tried again at a later tick."""
    from app.jobs import unique_job_id

    every_s = int(current_app.config.get("GOOGLE_CALENDARS_REFRESH_S", 6 * 3600))
    now = clock_now()
    due = db.session.execute(
        select(GoogleAccount.id, GoogleAccount.owner_id).where(
            GoogleAccount.status == AccountStatus.ACTIVE,
            or_(
                GoogleAccount.calendars_listed_at.is_(None),
                GoogleAccount.calendars_listed_at < now - timedelta(seconds=every_s),
            ),
        )
    ).all()
    db.session.rollback()
    round_number = int(now.timestamp()) // every_s
    queued = 0
    for account_id, owner_id in due:
        job_id = unique_job_id("calendars", account_id, round_number)
        queued += enqueue(
            refresh_calendars_job, account_id, job_id=job_id, unique=True, owner_id=owner_id
        )
    return queued


def refresh_calendars(account_id: int) -> int:
    """Fetch the calendar list; add new calendars, update names, drop vanished ones."""
    account = db.session.get(GoogleAccount, account_id)
    if account is None or account.needs_reconnect:
        db.session.rollback()
        return 0
    owner_id = account.owner_id
    db.session.rollback()  # no transaction open during the network wait
    with service_for(account_id) as service:
        found = list_calendars(service, retry_policy())
    begin_write()
    existing = {
        cal.calendar_id: cal
        for cal in db.session.scalars(
            select(GoogleCalendar).where(GoogleCalendar.account_id == account_id)
        )
    }
    for info in found:
        cal = existing.pop(info.calendar_id, None)
        if cal is None:
            cal = GoogleCalendar(
                owner_id=owner_id, account_id=account_id, calendar_id=info.calendar_id
            )
            db.session.add(cal)
        cal.summary = info.summary[:300]
        cal.time_zone = info.time_zone
        cal.access_role = info.access_role
        cal.is_primary = info.primary
        if not cal.writable:
            cal.receives_bookings = False
    for gone in existing.values():
        _drop_source(gone)
        db.session.delete(gone)
    account = db.session.get(GoogleAccount, account_id)
    if account is not None:
        account.calendars_listed_at = clock_now()
        if account.last_error and account.last_error.startswith("Could not list"):
            account.last_error = None
    db.session.commit()
    return len(found)


# --- choose -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    busy: frozenset[int]  # GoogleCalendar ids counting as busy time
    booking_calendar: int | None  # the GoogleCalendar id receiving bookings
    invite_client: frozenset[int]  # GoogleAccount ids inviting the client as attendee


class ChoiceError(ValueError):
    pass


def save_choices(owner_id: int, choices: Choices) -> None:
    """Apply the owner's choices; new busy calendars get a source and a first sync."""
    begin_write()
    calendars = {
        cal.id: cal
        for cal in db.session.scalars(
            select(GoogleCalendar).where(GoogleCalendar.owner_id == owner_id)
        )
    }
    unknown = (choices.busy | {choices.booking_calendar or 0}) - set(calendars) - {0}
    if unknown:
        db.session.rollback()
        raise ChoiceError("unknown calendar")
    target = calendars.get(choices.booking_calendar or 0)
    if target is not None and not target.writable:
        db.session.rollback()
        raise ChoiceError(f"Cadre cannot add events to {target.summary} (read-only)")
    new_sources: list[CalendarSource] = []
    for cal in calendars.values():
        if cal.receives_bookings and cal is not target:
            cal.receives_bookings = False
    db.session.flush()  # the partial unique index allows one target at a time
    for cal in calendars.values():
        cal.receives_bookings = cal is target
        if cal.id in choices.busy and cal.source_id is None:
            source = CalendarSource(
                owner_id=owner_id, kind=SourceKind.GOOGLE, name=_source_name(cal)
            )
            db.session.add(source)
            db.session.flush()
            cal.source_id = source.id
            new_sources.append(source)
        elif cal.id not in choices.busy and cal.source_id is not None:
            _drop_source(cal)
    for account in db.session.scalars(
        select(GoogleAccount).where(GoogleAccount.owner_id == owner_id)
    ):
        account.invite_client = account.id in choices.invite_client
    db.session.commit()
    for source in new_sources:
        enqueue(sync_source_job, source.id, LEASE.total_seconds(), owner_id=owner_id)


def _source_name(cal: GoogleCalendar) -> str:
    return f"Google: {cal.summary} ({cal.account.email})"[:200]


def _drop_source(cal: GoogleCalendar) -> None:
    """Stop counting the calendar as busy: its source and busy blocks go (FK cascade)."""
    if cal.source_id is None:
        return
    source = db.session.get(CalendarSource, cal.source_id)
    cal.source_id = None
    if source is not None:
        db.session.delete(source)


# --- disconnect ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Disconnected:
    email: str
    revoked: bool


def disconnect(owner_id: int, account_id: int) -> Disconnected | None:
    """Revoke the grant at Google, then delete the tokens, calendars and their busy time."""
    account = owned_account(owner_id, account_id)
    if account is None:
        return None
    email = account.email
    try:
        token = google_tokens.decrypt(account.token_ciphertext)
    except google_tokens.InvalidToken:
        token = {}
    db.session.rollback()
    revoked = google_auth.revoke(token) if token else False
    begin_write()
    account = db.session.get(GoogleAccount, account_id)
    if account is not None:
        for cal in account.calendars:
            _drop_source(cal)
        db.session.execute(
            update(GoogleBookingEvent)
            .where(
                GoogleBookingEvent.calendar_row_id.in_([c.id for c in account.calendars]),
                GoogleBookingEvent.state == WritebackState.PENDING,
            )
            .values(state=WritebackState.FAILED, last_error="Google account disconnected")
        )
        db.session.delete(account)
    db.session.commit()
    return Disconnected(email, revoked)


# --- reading ------------------------------------------------------------------------------


def owned_account(owner_id: int, account_id: int) -> GoogleAccount | None:
    account = db.session.get(GoogleAccount, account_id)
    return account if account is not None and account.owner_id == owner_id else None


def accounts_of(owner_id: int) -> list[GoogleAccount]:
    return list(
        db.session.scalars(
            select(GoogleAccount)
            .where(GoogleAccount.owner_id == owner_id)
            .order_by(GoogleAccount.connected_at, GoogleAccount.id)
        )
    )


def sources_by_id(ids: Iterable[int | None]) -> dict[int, CalendarSource]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = db.session.scalars(select(CalendarSource).where(CalendarSource.id.in_(wanted)))
    return {row.id: row for row in rows}


def writeback_summary(owner_id: int) -> dict[str, int]:
    """How many bookings wait to be written to Google, and how many were refused for good."""
    rows = db.session.execute(
        select(GoogleBookingEvent.state).where(GoogleBookingEvent.owner_id == owner_id)
    ).all()
    states = [row[0] for row in rows]
    return {
        "pending": sum(s is WritebackState.PENDING for s in states),
        "failed": sum(s is WritebackState.FAILED for s in states),
    }


def sync_now(owner_id: int, account_id: int) -> None:
    """Refresh the calendar list and sync the account's busy calendars (as jobs)."""
    account = owned_account(owner_id, account_id)
    if account is None:
        return
    ids = [cal.source_id for cal in account.calendars if cal.source_id is not None]
    db.session.rollback()
    enqueue(refresh_calendars_job, account_id, owner_id=owner_id)
    for source_id in ids:
        enqueue(sync_source_job, source_id, LEASE.total_seconds(), owner_id=owner_id)
