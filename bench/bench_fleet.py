"""Benchmark 4: a fleet of owners synced by 2 RQ workers; syncs per minute, never twice at once.

    python bench/bench_fleet.py [--owners 1000] [--workers 2] [--worker-class simple]
                                [--duration 300] [--feed-delay-ms 20]

Needs PostgreSQL (TEST_DATABASE_URL; the benchmark makes its own database with
``fresh_postgres``) and Redis (TEST_REDIS_URL; a queue of its own, deleted afterwards).

* ``--owners`` owners, each with **3 sources**: 2 ICS feeds served by the loopback ICS
  server (``tests/integration/ics_server.py``) and 1 Google calendar on the fake Google
  (``tests/fake_google``), reached through google-api-python-client and Authlib as in
  production. Each owner's Google account is connected with tokens the fake issues out
  of band (no consent screen at this scale), its calendar chosen as busy time and synced
  once during set-up, then one of its events is moved at the fake: the fleet's Google
  syncs are incremental (sync token) and each brings back that one change, as the
  periodic syncs of a connected account do.
* Jobs are queued as the workers' schedulers queue them (``sync_due``, one RQ job id per
  source and interval, refused by RQ when already queued) **twice** — two schedulers
  ticking at the same moment — and then once more **without** a job id, as a manual
  "sync now" racing the periodic one would: that duplicate reaches a worker, and the
  claim in the database must refuse it while the first sync runs. Two real
  ``flask --app wsgi worker`` processes drain the queue; their own schedulers run too.
* Every feed and the fake Google answer after ``--feed-delay-ms`` (a real server is never
  instant, and the delay widens the window in which two syncs of one source could overlap).
* The ICS server and the fake Google count, per feed and per calendar, the requests in
  flight: two at once would be two syncs of one source at once. The benchmark asserts the
  maximum is 1 everywhere, that every source ended with a success and no error, and that
  no RQ job failed.

Prints syncs per minute (first to last fetch), jobs run vs syncs, and the checks. Stops at
``--duration`` seconds whatever happens.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.jobs import enqueue, rq_queue
from app.models import CalendarSource
from app.models.google import GoogleCalendar
from app.services.google_accounts import Choices, connect, save_choices
from app.services.owners import save_boundaries
from app.services.sync import periodic_gap, sync_due, sync_source_job
from schedules import parse_boundaries
from tests.factories import boundaries_doc
from tests.fake_google import FakeGoogle
from tests.integration.ics_server import IcsServer, Static
from tests.live import BIN, ROOT, LiveServer, fresh_postgres

FEEDS_PER_OWNER = 2  # and one Google calendar
SOURCES_PER_OWNER = FEEDS_PER_OWNER + 1


def feed_body(now: datetime, index: int) -> bytes:
    """A small feed: three one-hour events in the coming days."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//cadre//bench-fleet//EN"]
    for n in range(3):
        start = (now + timedelta(days=n + 1, hours=index % 8)).replace(microsecond=0)
        stamp, end = start.strftime("%Y%m%dT%H%M%SZ"), (start + timedelta(hours=1))
        lines += [
            "BEGIN:VEVENT",
            f"UID:fleet-{index}-{n}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{stamp}",
            f"DTEND:{end.strftime('%Y%m%dT%H%M%SZ')}",
            "SUMMARY:Busy",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


class InFlight:
    """Per-path counters shared by every feed: requests in flight, their maximum, fetches."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.lock = threading.Lock()
        self.now: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.fetches: Counter[str] = Counter()
        self.first: float | None = None
        self.last: float | None = None

    def feed(self, path: str, body: bytes) -> Static:
        inner = Static(body)
        tracker = self

        class Tracked(Static):
            def __call__(self, h):  # type: ignore[no-untyped-def]
                with tracker.lock:
                    tracker.now[path] += 1
                    tracker.peak[path] = max(tracker.peak[path], tracker.now[path])
                    tracker.first = tracker.first or time.monotonic()
                try:
                    time.sleep(tracker.delay_s)
                    inner(h)
                finally:
                    with tracker.lock:
                        tracker.now[path] -= 1
                        tracker.fetches[path] += 1
                        tracker.last = time.monotonic()

        return Tracked(body)


def make_owners(  # type: ignore[no-untyped-def]
    app, server: IcsServer, tracker: InFlight, google: FakeGoogle, owners: int
) -> list[int]:
    """Owners with 2 feeds and 1 connected Google calendar, synced once; then every Google
    calendar changes one event and every source is made due: last attempt 20 minutes
    ago, two rounds of 10 minutes, as after an outage."""
    now = datetime.now(UTC)
    moved = []
    with app.app_context():
        for o in range(owners):
            calendars = []
            for s in range(FEEDS_PER_OWNER):
                path = f"/o{o}/s{s}.ics"
                server.route(path, tracker.feed(path, feed_body(now, o * 3 + s)))
                calendars.append({"name": f"Feed {s}", "ics": server.url(path)})
            doc = boundaries_doc(
                owner={"slug": f"owner-{o}", "name": f"Owner {o}",
                       "email": f"owner{o}@example.org", "timezone": "Europe/Paris",
                       "locale": "en"},
                calendars=calendars,
            )  # fmt: skip
            owner = save_boundaries(parse_boundaries(doc)).owner
            user = google.add_user(f"owner{o}@example.org")
            first = now.replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
            events = [
                google.add_event(user, first + timedelta(days=n, hours=o % 8),
                                 first + timedelta(days=n, hours=o % 8 + 1), summary="Busy")
                for n in range(3)
            ]  # fmt: skip
            connect(owner.id, google.issue_tokens(user))  # lists the calendars (inline here)
            calendar = db.session.scalar(
                select(GoogleCalendar.id).where(GoogleCalendar.owner_id == owner.id)
            )
            save_choices(owner.id, Choices(frozenset({calendar}), None, frozenset()))  # 1st sync
            moved.append((user, events[0]["id"], first + timedelta(days=5, hours=o % 8)))
        for user, event_id, start in moved:
            google.change_event(user, event_id, start=start, end=start + timedelta(hours=1))
        source = CalendarSource.__table__.c
        db.session.execute(
            CalendarSource.__table__.update().values(
                last_attempt_at=now - timedelta(minutes=20),
                last_finished_at=now - timedelta(minutes=20),
            )
        )
        db.session.commit()
        ids = list(db.session.scalars(select(source.id).order_by(source.id)))
        db.session.remove()
    google.reset_counts()
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--owners", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=float, default=300.0, help="hard stop, seconds")
    parser.add_argument("--feed-delay-ms", type=float, default=20.0)
    parser.add_argument("--worker-class", choices=("simple", "fork"), default="simple")
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--redis", default=os.environ.get("TEST_REDIS_URL"))
    args = parser.parse_args()
    if not args.postgres or not args.redis:
        print("fleet: skipped (needs TEST_DATABASE_URL and TEST_REDIS_URL)")
        return
    url = fresh_postgres(args.postgres, "cadre_bench_fleet")
    LiveServer(url).flask("db", "upgrade")
    queue_name = f"cadre-bench-{uuid.uuid4().hex[:8]}"
    tracker = InFlight(args.feed_delay_ms / 1000)
    with IcsServer() as server, FakeGoogle() as google:
        google.latency_s = args.feed_delay_ms / 1000
        config = {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "REDIS_URL": args.redis,
            "RQ_QUEUE": queue_name,
            "JOBS_MODE": "inline",  # set-up: connect and first Google sync, here
            "BACKGROUND_JOBS": False,
            "RATELIMIT_ENABLED": False,
            "CADRE_ALLOW_LOOPBACK_FEEDS": True,
            **google.app_config(),
        }
        app = create_app(config)
        began = time.perf_counter()
        ids = make_owners(app, server, tracker, google, args.owners)
        setup_s = time.perf_counter() - began
        app.config["JOBS_MODE"] = "rq"
        with app.app_context():
            gap = periodic_gap(app).total_seconds()
            first_tick = sync_due()
            second_tick = sync_due()  # a second scheduler, same moment: refused by RQ
            for source_id in ids:  # and a racing job RQ cannot refuse (no job id)
                enqueue(sync_source_job, source_id, gap)
            queue = rq_queue(app)
            queued = queue.count
        print(
            f"fleet: {args.owners} owners x ({FEEDS_PER_OWNER} ICS feeds + 1 Google calendar)"
            f" = {len(ids)} sources (set up in {setup_s:.0f} s); {args.workers} workers"
            f" ({args.worker_class}), server delay {args.feed_delay_ms:g} ms"
        )
        print(
            f"  queued: {first_tick} by a scheduler tick, {second_tick} by a second tick"
            f" (RQ refused {len(ids) - second_tick} duplicates by job id),"
            f" {len(ids)} racing jobs without an id: {queued} jobs in the queue"
        )
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": args.redis,
            "SECRET_KEY": "bench",
            "CADRE_RQ_QUEUE": queue_name,
            "CADRE_ALLOW_LOOPBACK_FEEDS": "1",
            "CADRE_BACKGROUND_JOBS": "true",
            "CADRE_LOG_LEVEL": "WARNING",
            **google.app_config(),
        }
        workers = [
            subprocess.Popen(
                [
                    str(BIN / "flask"),
                    "--app",
                    "wsgi",
                    "worker",
                    "--worker-class",
                    args.worker_class,
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(args.workers)
        ]
        started_at = datetime.now(UTC)
        started = time.perf_counter()
        deadline = started + args.duration
        drained = False
        try:
            from rq.registry import FailedJobRegistry, StartedJobRegistry

            running = StartedJobRegistry(queue=queue)
            failed = FailedJobRegistry(queue=queue)
            while time.perf_counter() < deadline:
                time.sleep(1)
                if queue.count == 0 and running.count == 0 and sum(tracker.fetches.values()):
                    drained = True
                    break
            elapsed = time.perf_counter() - started
            failed_jobs = failed.count
            left = queue.count
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
            queue.delete(delete_jobs=True)
        google_fetches = sum(google.served.values())
        google_peak = max(google.most_in_flight.values(), default=0)
        google_per_calendar = Counter(google.served.values())
        google_first, google_last = google.first_served, google.last_served
    with app.app_context():
        source = CalendarSource.__table__.c
        ok = db.session.scalar(select(func.count()).where(source.last_success_at >= started_at))
        errors = db.session.scalar(select(func.count()).where(source.last_error.is_not(None)))
        db.session.remove()
        db.engine.dispose()
    ics_fetches = sum(tracker.fetches.values())
    fetches = ics_fetches + google_fetches
    first = min(t for t in (tracker.first, google_first) if t is not None)
    last = max(t for t in (tracker.last, google_last) if t is not None)
    span = last - first
    ics_peak = max(tracker.peak.values(), default=0)
    per_feed = Counter(tracker.fetches.values())
    print(
        f"  {'drained' if drained else 'STOPPED at the time limit'} after {elapsed:.0f} s;"
        f" {left} jobs left in the queue, {failed_jobs} failed"
    )
    print(
        f"  {fetches} syncs ({ics_fetches} ICS, {google_fetches} Google) in {span:.1f} s"
        f" (first to last fetch): {fetches / span * 60 if span else 0:.0f} syncs/minute"
    )
    print(
        f"  sources synced ok by the workers: {ok}/{len(ids)}, with an error: {errors};"
        f" fetches per feed: {dict(sorted(per_feed.items()))},"
        f" events.list per Google calendar: {dict(sorted(google_per_calendar.items()))}"
    )
    print(
        f"  most requests in flight for one source at any moment: ICS {ics_peak},"
        f" Google {google_peak} (must be 1)"
    )
    assert max(ics_peak, google_peak) <= 1, "a source was synced twice at once"
    assert failed_jobs == 0, f"{failed_jobs} jobs failed"
    if drained:
        assert ok == len(ids) and errors == 0, (ok, errors)


if __name__ == "__main__":
    main()
