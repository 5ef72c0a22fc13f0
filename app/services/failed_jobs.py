"""Background jobs that failed for good (RQ's failed registry), as one owner may see them.

Most jobs record their own failures where the owner already looks (a calendar's last
error, a booking not written to Google, a mail's last error). What lands in RQ's failed
registry is the rest: a job that crashed on every retry (a database out of reach, a bug).
Each job is tied to its owner through its first argument (the source, booking or Google
account it works on), so an owner only ever sees their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.jobs import mode, rq_queue
from app.models import Booking, CalendarSource
from app.models.google import GoogleAccount

SHOWN = 20


def _source_owner(source_id: Any) -> int | None:
    source = db.session.get(CalendarSource, source_id)
    return source.owner_id if source else None


def _booking_owner(booking_id: Any) -> int | None:
    booking = db.session.get(Booking, booking_id)
    return booking.owner_id if booking else None


def _account_owner(account_id: Any) -> int | None:
    account = db.session.get(GoogleAccount, account_id)
    return account.owner_id if account else None


# Job (module:function, as app.jobs names it) → what it works on, and that thing's owner.
OWNER_OF: dict[str, tuple[Any, Callable[[Any], int | None]]] = {
    "app.services.sync:sync_source_job": (_l("calendar sync"), _source_owner),
    "app.services.google_writeback:writeback_job": (_l("Google write-back"), _booking_owner),
    "app.services.google_accounts:refresh_calendars_job": (
        _l("Google calendar list"),
        _account_owner,
    ),
}


@dataclass(frozen=True)
class FailedJob:
    what: Any  # a lazy translated name: rendered in the reader's language
    failed_at: datetime | None
    reason: str


def failed_jobs(owner_id: int) -> list[FailedJob]:
    """This owner's jobs in the failed registry, newest first (none without RQ)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if mode(app) != "rq":
        return []
    from rq.job import Job
    from rq.registry import FailedJobRegistry

    queue = rq_queue(app)
    ids = FailedJobRegistry(queue=queue).get_job_ids()
    found: list[FailedJob] = []
    for job in Job.fetch_many(ids, connection=queue.connection):
        if job is None or job.func_name != "app.jobs.run_in_worker" or not job.args:
            continue
        path, *args = job.args
        known = OWNER_OF.get(str(path))
        if known is None or not args or known[1](args[0]) != owner_id:
            continue
        found.append(FailedJob(known[0], _aware(job.ended_at), _reason(job)))
    found.sort(key=lambda f: f.failed_at or datetime.min.replace(tzinfo=UTC), reverse=True)
    return found[:SHOWN]


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*: ")


def _reason(job: Any) -> str:
    """The traceback's last ``ExceptionType: message`` line (not SQLAlchemy's link line)."""
    result = job.latest_result()
    lines = (getattr(result, "exc_string", None) or "").strip().splitlines()
    for line in reversed(lines):
        if _EXCEPTION_LINE.match(line):
            return line[:300]
    return lines[-1][:300] if lines else ""
