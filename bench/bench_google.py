"""Benchmark: a 10,000-event Google calendar, full sync against incremental sync.

Run with ``python bench/bench_google.py`` (SQLite in a temporary file; set
``BENCH_DATABASE_URL=postgresql://…`` to run on PostgreSQL). Everything is real except
Google: the fake from ``tests/fake_google`` serves the Calendar API over HTTP on
127.0.0.1, and the app talks to it with google-api-python-client, page by page.

The calendar holds 10,000 events over the 60-day booking window (Paris, New York and
UTC times, some all-day, 5 % transparent). Measured:

* **full sync**: ``sync_source`` with no stored state: events.list with timeMin/timeMax,
  every page (2,500 events each), one keyed block per busy event, stored in one
  transaction;
* **incremental after one change**: one event is moved at the fake, then ``sync_source``:
  the stored sync token brings back just that event. Requirement: exactly **one**
  events.list request and exactly **one** busy block touched (an UPDATE of one row; every
  other row keeps its id and times);
* **incremental, nothing changed**: one request, nothing touched.
"""

from __future__ import annotations

import gc
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, select, update

from app import create_app
from app.extensions import db
from app.models import BusyBlock, CalendarSource
from app.models.google import GoogleCalendar
from app.services.google_accounts import Choices, connect, save_choices
from app.services.sync import sync_source
from tests.factories import create_owner
from tests.fake_google import FakeGoogle

NOW = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
EVENTS = 10_000
FULL_RUNS, INCREMENTAL_RUNS = 5, 21
ZONES = (ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York"), ZoneInfo("UTC"))
ANA = "ana@example.com"


def fill(google: FakeGoogle, user: Any, seed: int = 11) -> list[str]:
    """10,000 events in the booking window; returns the ids of the timed busy ones."""
    rnd = random.Random(seed)
    timed = []
    for i in range(EVENTS):
        day = (NOW + timedelta(days=rnd.randint(0, 59))).date()
        fields: dict[str, Any] = {"summary": f"Event {i}", "description": "Notes " * 10}
        if i % 20 == 0:
            fields["transparency"] = "transparent"
        if i % 97 == 0:
            google.add_event(user, day, day + timedelta(days=1), **fields)
            continue
        zone = ZONES[i % len(ZONES)]
        start = datetime(day.year, day.month, day.day, rnd.randint(7, 18), 0, tzinfo=zone)
        start += timedelta(minutes=rnd.choice((0, 15, 30, 45)))
        end = start + timedelta(minutes=rnd.choice((30, 45, 60, 90)))
        event_id = google.add_event(user, start, end, **fields)["id"]
        if "transparency" not in fields:
            timed.append(event_id)
    return timed


def timed_run(func: Callable[[], Any]) -> float:
    gc.collect()
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


class BlockWrites:
    """Counts rows written to busy_blocks (INSERT/UPDATE/DELETE rowcounts) on an engine."""

    def __init__(self, engine: Any) -> None:
        self.rows = 0
        self.statements = 0
        event.listen(engine, "after_cursor_execute", self._seen)

    def _seen(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper()
        if verb in ("INSERT", "UPDATE", "DELETE") and "busy_blocks" in statement:
            self.statements += 1
            self.rows += max(cursor.rowcount, 0)

    def reset(self) -> None:
        self.rows = self.statements = 0


def main() -> None:
    with FakeGoogle() as google, tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite"
        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "bench",
                "CLOCK": lambda: NOW,
                "BACKGROUND_JOBS": False,
                "JOBS_MODE": "inline",
                "SERVER_NAME": "cadre.bench",
                **google.app_config(),
            }
        )
        ana = google.add_user(ANA)
        built = time.perf_counter()
        timed_ids = fill(google, ana)
        fill_s = time.perf_counter() - built
        with app.app_context():
            db.drop_all()
            db.create_all()
            owner = create_owner()
            connect(owner.id, google.issue_tokens(ana))  # lists the calendars (a job, inline)
            calendar_id = db.session.scalar(select(GoogleCalendar.id))
            save_choices(owner.id, Choices(frozenset({calendar_id}), None, frozenset()))
            source_id = db.session.scalar(select(CalendarSource.id))
            writes = BlockWrites(db.engine)

            def forget() -> None:
                db.session.execute(
                    update(CalendarSource)
                    .where(CalendarSource.id == source_id)
                    .values(sync_state=None)
                )
                db.session.commit()

            def full() -> None:
                outcome = sync_source(source_id)
                assert outcome.status == "synced", outcome

            full_times, full_requests = [], []
            for _ in range(FULL_RUNS):
                forget()
                google.reset_counts()
                full_times.append(timed_run(full))
                full_requests.append(google.count("events.list"))
            blocks = db.session.scalar(select(db.func.count()).select_from(BusyBlock))

            rnd = random.Random(3)
            inc_times, inc_requests, inc_rows, others_intact = [], [], [], True
            for _ in range(INCREMENTAL_RUNS):
                moved = rnd.choice(timed_ids)
                new_day = date(2027, 1, 5) + timedelta(days=rnd.randint(0, 50))
                start = datetime.combine(new_day, datetime.min.time(), ZONES[0]).replace(hour=7)
                google.change_event(ana, moved, start=start, end=start + timedelta(minutes=30))
                before = _snapshot(source_id)
                google.reset_counts()
                writes.reset()

                def incremental() -> None:
                    outcome = sync_source(source_id)
                    assert outcome.status == "synced" and outcome.events == 1, outcome

                inc_times.append(timed_run(incremental))
                inc_requests.append(google.count("events.list"))
                inc_rows.append(writes.rows)
                after = _snapshot(source_id)
                changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
                others_intact &= changed == {moved}

            same_times, same_requests, same_rows = [], [], []
            for _ in range(INCREMENTAL_RUNS):
                google.reset_counts()
                writes.reset()
                same_times.append(timed_run(lambda: sync_source(source_id)))
                same_requests.append(google.count("events.list"))
                same_rows.append(writes.rows)
            engine_name = db.engine.dialect.name

    full_s, inc_s, same_s = (statistics.median(x) for x in (full_times, inc_times, same_times))
    print(f"database: {engine_name}; fake calendar filled with {EVENTS} events in {fill_s:.1f}s")
    print(f"busy blocks stored after a full sync: {blocks} (transparent events are free)")
    print(
        f"full sync                 median {full_s * 1000:8.1f} ms   events.list requests: "
        f"{sorted(set(full_requests))}   ({FULL_RUNS} runs)"
    )
    print(
        f"incremental, one change   median {inc_s * 1000:8.1f} ms   events.list requests: "
        f"{sorted(set(inc_requests))}   busy-block rows written: {sorted(set(inc_rows))}   "
        f"only the moved block changed: {others_intact}   ({INCREMENTAL_RUNS} runs)"
    )
    print(
        f"incremental, no change    median {same_s * 1000:8.1f} ms   events.list requests: "
        f"{sorted(set(same_requests))}   busy-block rows written: {sorted(set(same_rows))}"
    )
    print(f"  incremental / full      {inc_s / full_s:.2%}")
    ok = set(inc_requests) == {1} and set(inc_rows) == {1} and others_intact
    print("requirement (1 request, 1 block touched after one change):", "met" if ok else "NOT MET")
    if not ok:
        raise SystemExit(1)


def _snapshot(source_id: int) -> dict[str, tuple[int, datetime, datetime]]:
    rows = db.session.execute(
        select(BusyBlock.external_id, BusyBlock.id, BusyBlock.start, BusyBlock.end).where(
            BusyBlock.source_id == source_id
        )
    ).all()
    db.session.rollback()
    return {external: (row_id, start, end) for external, row_id, start, end in rows}


if __name__ == "__main__":
    main()
