"""Benchmark: syncing a large ICS feed, against the bare parse + expand of the same bytes.

Run with ``python bench/bench_ics.py``. The feed has 5,000 VEVENTs, 500 of them recurring
series (weekly, weekdays, fortnightly, monthly; some with EXDATEs), in three zones, with
one-off events spread over two years as exports from iCloud or Google carry them.

Measured in the same run, interleaved so machine noise hits both sides alike:

* **bare**: ``icalendar.Calendar.from_ical`` + ``recurring_ical_events.of(...).between``
  over the same window the sync expands (now − 1 day to now + 62 days), nothing else;
* **full sync**: ``app.services.sync.sync_source`` through the real app, a SQLite file
  and a loopback HTTP server: claim, fetch (safe HTTP), hash, parse, expand, convert to
  UTC, merge, replace the source's busy blocks in one transaction, record the state.
  The stored state is cleared before each run so every run parses;
* **unchanged**: the same source synced again, once answered 304 (ETag) and once
  answered 200 with the same bytes (a server without validators: the content hash decides).

Targets: full / bare ≤ 1.15; unchanged / full < 2 %.
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import icalendar
import recurring_ical_events
from sqlalchemy import select, update

from app import create_app
from app.extensions import db
from app.models import BusyBlock, CalendarSource
from app.services.sync import sync_source, sync_window
from integrations.ics import COVER_SLACK
from tests.factories import create_owner
from tests.integration.ics_server import IcsServer, Static

NOW = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
EVENTS, SERIES = 5000, 500
FULL_RUNS, UNCHANGED_RUNS = 7, 31
ZONES = ("Europe/Paris", "America/New_York", "Australia/Lord_Howe")
RULES = (
    "FREQ=WEEKLY",
    "FREQ=WEEKLY",
    "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    "FREQ=WEEKLY;INTERVAL=2",
    "FREQ=MONTHLY;BYMONTHDAY=3",
)


def generate_feed(
    now: datetime, events: int = EVENTS, series: int = SERIES, seed: int = 7
) -> bytes:
    """An ICS file with ``events`` VEVENTs, the first ``series`` of them recurring."""
    rnd = random.Random(seed)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Cadre//bench//EN", "CALSCALE:GREGORIAN"]
    for i in range(events):
        zone = ZONES[i % len(ZONES)]
        if i < series:
            start = now + timedelta(days=rnd.randint(-400, -7))
        else:
            start = now + timedelta(days=rnd.randint(-640, 90))
        start = start.replace(hour=rnd.randint(7, 18), minute=rnd.choice((0, 15, 30, 45)))
        end = start + timedelta(minutes=rnd.choice((30, 45, 60, 90)))
        lines += [
            "BEGIN:VEVENT",
            f"UID:bench-{i}@cadre.test",
            "DTSTAMP:20270101T000000Z",
            f"DTSTART;TZID={zone}:{start:%Y%m%dT%H%M%S}",
            f"DTEND;TZID={zone}:{end:%Y%m%dT%H%M%S}",
            f"SUMMARY:Event {i}: a title as long as real ones tend to be",
            "DESCRIPTION:A description with a few words\\, the way calendars export them.",
            "LOCATION:12 rue de la Paix\\, 75002 Paris",
        ]
        if i < series:
            rule = RULES[i % len(RULES)]
            if i % 4 == 0:
                rule += f";UNTIL={now + timedelta(days=rnd.randint(-30, 120)):%Y%m%dT%H%M%SZ}"
            lines.append(f"RRULE:{rule}")
            if i % 3 == 0:
                skipped = start + timedelta(weeks=rnd.randint(1, 40))
                lines.append(f"EXDATE;TZID={zone}:{skipped:%Y%m%dT%H%M%S}")
        if i % 19 == 0:
            lines.append("TRANSP:TRANSPARENT")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def timed(func: Callable[[], Any]) -> float:
    gc.collect()
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def main() -> None:
    data = generate_feed(NOW)
    window = sync_window(NOW, 60)
    start, end = window.start, window.end + COVER_SLACK  # exactly what the sync expands

    def bare() -> None:
        calendar = icalendar.Calendar.from_ical(data)
        list(recurring_ical_events.of(calendar).between(start, end))

    with IcsServer() as server, tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite",
                "SECRET_KEY": "bench",
                "CLOCK": lambda: NOW,
                "CADRE_ALLOW_LOOPBACK_FEEDS": True,
                "BACKGROUND_JOBS": False,
            }
        )
        with app.app_context():
            db.create_all()
            etag_url = server.route("/etag.ics", Static(data))
            plain_url = server.route("/plain.ics", Static(data, validators=False))
            create_owner(calendars=[{"name": "ETag", "ics": etag_url}])
            ids = dict(db.session.execute(select(CalendarSource.name, CalendarSource.id)).all())
            etag_id = ids["ETag"]

            def forget_state() -> None:
                db.session.execute(
                    update(CalendarSource)
                    .where(CalendarSource.id == etag_id)
                    .values(sync_state=None, etag=None, last_modified=None, content_hash=None)
                )
                db.session.commit()

            def full() -> None:
                outcome = sync_source(etag_id)
                assert outcome.status == "synced", outcome

            bare()  # warm-up: imports, zoneinfo caches
            forget_state()
            full()
            bare_times, full_times = [], []
            for _ in range(FULL_RUNS):
                bare_times.append(timed(bare))
                forget_state()
                full_times.append(timed(full))
            blocks = db.session.scalar(select(db.func.count()).select_from(BusyBlock))
            first = sync_source(etag_id)  # state is fresh: this one is a 304

            def unchanged(source_id: int) -> Callable[[], None]:
                def run() -> None:
                    outcome = sync_source(source_id)
                    assert outcome.status == "unchanged", outcome

                return run

            not_modified = [timed(unchanged(etag_id)) for _ in range(UNCHANGED_RUNS)]
            create_owner(calendars=[{"name": "Plain", "ics": plain_url}], owner={"slug": "plain"})
            plain_id = db.session.scalar(
                select(CalendarSource.id).where(CalendarSource.name == "Plain")
            )
            assert sync_source(plain_id).status == "synced"
            same_hash = [timed(unchanged(plain_id)) for _ in range(UNCHANGED_RUNS)]

    bare_s, full_s = statistics.median(bare_times), statistics.median(full_times)
    nm_s, hash_s = statistics.median(not_modified), statistics.median(same_hash)
    print(
        f"feed: {len(data) / 1e6:.2f} MB, {EVENTS} VEVENTs ({SERIES} series), "
        f"{first.events} occurrences in the window, {blocks} busy blocks stored"
    )
    print(f"bare parse + expand      median {bare_s * 1000:8.1f} ms  ({FULL_RUNS} runs)")
    print(f"full sync                median {full_s * 1000:8.1f} ms  ({FULL_RUNS} runs)")
    print(f"  ratio full / bare      {full_s / bare_s:.3f}   (target <= 1.15)")
    print(f"unchanged, 304           median {nm_s * 1000:8.2f} ms  ({UNCHANGED_RUNS} runs)")
    print(f"  fraction of full sync  {nm_s / full_s:.2%}   (target < 2%)")
    print(f"unchanged, same hash     median {hash_s * 1000:8.2f} ms  ({UNCHANGED_RUNS} runs)")
    print(f"  fraction of full sync  {hash_s / full_s:.2%}   (target < 2%)")


if __name__ == "__main__":
    main()
