"""Benchmark 4: a fleet of owners synced by 2 RQ workers; syncs per minute, never twice at once.

    python bench/bench_fleet.py [--owners 1000] [--workers 2] [--duration 300]
                                [--feed-delay-ms 20]

Needs PostgreSQL (TEST_DATABASE_URL; the benchmark makes its own database with
``fresh_postgres``) and Redis (TEST_REDIS_URL; a queue of its own, deleted afterwards).

* ``--owners`` owners, each with **3 ICS feeds** served by the loopback ICS server
  (``tests/integration/ics_server.py``). Google is left out at this scale: each Google
  source needs an OAuth connection through the fake's consent flow, and the Google sync
  is measured on its own by ``bench/bench_google.py``.
* Every source is queued **twice, back to back** (as when two schedulers tick at the same
  moment), with the periodic job's arguments (``sync_source_job``, gap 540 s for the
  default 10-minute interval). Two real ``flask --app wsgi worker`` processes then drain
  the queue; their own schedulers run too (every 15 s) and queue whatever they find due.
* Each feed answers after ``--feed-delay-ms`` (a real feed is never instant, and the
  delay widens the window in which a second sync of the same source could overlap).
* The ICS server counts, per feed path, the requests in flight: a second request while
  one is still being answered would be two syncs of one source at once. The benchmark
  asserts the maximum is 1 for every feed, that every source ended with a success and
  no error, and that no RQ job failed.

Prints syncs per minute (first to last fetch), jobs run vs syncs (duplicates skipped by
the claim), and the checks. Stops at ``--duration`` seconds whatever happens.
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
from app.services.owners import save_boundaries
from app.services.sync import periodic_gap, sync_source_job
from schedules import parse_boundaries
from tests.factories import boundaries_doc
from tests.integration.ics_server import IcsServer, Static
from tests.live import BIN, ROOT, LiveServer, fresh_postgres

SOURCES_PER_OWNER = 3


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


def make_owners(app, server: IcsServer, tracker: InFlight, owners: int) -> list[int]:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    with app.app_context():
        for o in range(owners):
            calendars = []
            for s in range(SOURCES_PER_OWNER):
                path = f"/o{o}/s{s}.ics"
                server.route(path, tracker.feed(path, feed_body(now, o * 3 + s)))
                calendars.append({"name": f"Feed {s}", "ics": server.url(path)})
            doc = boundaries_doc(
                owner={"slug": f"owner-{o}", "name": f"Owner {o}",
                       "email": f"owner{o}@example.org", "timezone": "Europe/Paris",
                       "locale": "en"},
                calendars=calendars,
            )  # fmt: skip
            save_boundaries(parse_boundaries(doc))
        ids = list(db.session.scalars(select(CalendarSource.id).order_by(CalendarSource.id)))
        db.session.remove()
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--owners", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=float, default=300.0, help="hard stop, seconds")
    parser.add_argument("--feed-delay-ms", type=float, default=20.0)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--redis", default=os.environ.get("TEST_REDIS_URL"))
    args = parser.parse_args()
    if not args.postgres or not args.redis:
        print("fleet: skipped (needs TEST_DATABASE_URL and TEST_REDIS_URL)")
        return
    url = fresh_postgres(args.postgres, "cadre_bench_fleet")
    LiveServer(url).flask("db", "upgrade")
    queue_name = f"cadre-bench-{uuid.uuid4().hex[:8]}"
    config = {
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "REDIS_URL": args.redis,
        "RQ_QUEUE": queue_name,
        "JOBS_MODE": "rq",
        "BACKGROUND_JOBS": False,
        "RATELIMIT_ENABLED": False,
    }
    app = create_app(config)
    tracker = InFlight(args.feed_delay_ms / 1000)
    with IcsServer() as server:
        began = time.perf_counter()
        ids = make_owners(app, server, tracker, args.owners)
        setup_s = time.perf_counter() - began
        with app.app_context():
            gap = periodic_gap(app).total_seconds()
            for source_id in ids:
                enqueue(sync_source_job, source_id, gap)
                enqueue(sync_source_job, source_id, gap)
            queue = rq_queue(app)
        print(
            f"fleet: {args.owners} owners x {SOURCES_PER_OWNER} ICS feeds = {len(ids)} sources"
            f" (set up in {setup_s:.0f} s), {2 * len(ids)} jobs queued, {args.workers} workers,"
            f" feed delay {args.feed_delay_ms:g} ms"
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
        }
        workers = [
            subprocess.Popen(
                [str(BIN / "flask"), "--app", "wsgi", "worker"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(args.workers)
        ]
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
    with app.app_context():
        source = CalendarSource.__table__.c
        ok = db.session.scalar(select(func.count()).where(source.last_success_at.is_not(None)))
        errors = db.session.scalar(select(func.count()).where(source.last_error.is_not(None)))
        db.session.remove()
        db.engine.dispose()
    fetches = sum(tracker.fetches.values())
    span = (tracker.last or 0) - (tracker.first or 0)
    peak = max(tracker.peak.values(), default=0)
    per_source = Counter(tracker.fetches.values())
    print(
        f"  {'drained' if drained else 'STOPPED at the time limit'} after {elapsed:.0f} s;"
        f" {left} jobs left in the queue, {failed_jobs} failed"
    )
    print(
        f"  {fetches} syncs in {span:.1f} s (first to last fetch):"
        f" {fetches / span * 60 if span else 0:.0f} syncs/minute"
    )
    print(
        f"  sources synced ok: {ok}/{len(ids)}, with an error: {errors};"
        f" fetches per source: {dict(sorted(per_source.items()))}"
    )
    print(f"  most requests in flight for one feed at any moment: {peak} (must be 1)")
    assert peak <= 1, "a source was synced twice at once"
    assert failed_jobs == 0, f"{failed_jobs} jobs failed"
    if drained:
        assert ok == len(ids) and errors == 0, (ok, errors)


if __name__ == "__main__":
    main()
