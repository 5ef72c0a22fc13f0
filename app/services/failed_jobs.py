"""Background jobs that failed for good (RQ's failed registry), as one owner may see them.

Most jobs record their own failures where the owner already looks (a calendar's last
error, a booking not written to Google, a mail's last error). What lands in RQ's failed
registry is the rest: a job that crashed on every retry (a database out of reach, a bug).
Jobs are queued with their owner's id (``enqueue(..., owner_id=...)``); on the last
failure the worker indexes the job under that owner in Redis (``app.jobs.failed_for_good``),
so a page reads only its owner's few entries — not a registry that an outage can fill
with thousands of other owners' jobs — and needs no database to attribute them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.jobs import failed_index_key, mode, rq_queue

SHOWN = 20

# Job (module:function, as app.jobs names it) → what the owner reads it as.
WHAT: dict[str, Any] = {
    "app.services.sync:sync_source_job": _l("calendar sync"),
    "app.services.google_writeback:writeback_job": _l("Google write-back"),
    "app.services.google_accounts:refresh_calendars_job": _l("Google calendar list"),
}


@dataclass(frozen=True)
class FailedJob:
    what: Any  # a lazy translated name: rendered in the reader's language
    failed_at: datetime | None
    reason: str


def failed_jobs(owner_id: int) -> list[FailedJob]:
    """This owner's jobs that failed for good, newest first (none without RQ).

    Entries whose job is gone (expired after 7 days, deleted) or no longer failed
    (requeued by an operator) are dropped from the index as they are met."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if mode(app) != "rq":
        return []
    from rq.job import Job, JobStatus

    queue = rq_queue(app)
    connection = queue.connection
    key = failed_index_key(queue.name, owner_id)
    ids = [i.decode() if isinstance(i, bytes) else str(i) for i in connection.zrevrange(key, 0, -1)]
    found: list[FailedJob] = []
    gone: list[str] = []
    for job_id, job in zip(ids, Job.fetch_many(ids, connection=connection), strict=True):
        if job is None or job.get_status(refresh=False) != JobStatus.FAILED:
            gone.append(job_id)
            continue
        if len(found) < SHOWN:
            path = str(job.args[0]) if job.args else ""
            found.append(
                FailedJob(WHAT.get(path, _l("background job")), _aware(job.ended_at), _reason(job))
            )
    if gone:
        connection.zrem(key, *gone)
    return found


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
