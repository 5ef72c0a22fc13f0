"""Benchmark 1: the slots endpoint under load against ``/healthz``, same gunicorn, same run.

    python bench/bench_slots_load.py [--duration 10] [--connections 8] [--workers 2]
                                     [--threads 4] [--busy 2000] [--postgres URL]

One owner (Camille's hours, Europe/Paris, 60-day window) with one calendar source whose
2,000 busy blocks (5–30 min, spread over the window) are inserted directly in the
database, the source marked freshly synced so the guard does not fail closed. gunicorn
runs with the repository's defaults (``gunicorn.conf.py``: 2 workers × 4 threads).

The load generator (``bench/common.py``: Python threads, keep-alive, 127.0.0.1 only)
first hammers ``/healthz`` (one ``SELECT 1``), then
``/api/v1/bench/call/slots?from=<today>&to=<today+59>``, each for ``--duration``
seconds (capped at 100,000 requests). Prints req/s, p50/p99 and the ratio
slots/healthz (target ≥ 0.5). SQLite always; PostgreSQL too when TEST_DATABASE_URL (or
``--postgres``) is set. The load generator shares the machine's cores with gunicorn.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests
from sqlalchemy import func, insert, select, update

from app import create_app
from app.extensions import db
from app.models import BusyBlock, CalendarSource
from bench.common import load
from tests.factories import boundaries_doc
from tests.live import LiveServer, fresh_postgres

SLUG, OFFER = "bench", "call"
PARIS = ZoneInfo("Europe/Paris")


def owner_document() -> dict:
    return boundaries_doc(
        owner={"slug": SLUG, "name": "Bench", "email": "bench@example.org",
               "timezone": "Europe/Paris", "locale": "en"},
        limits={"min_notice": "1h", "max_days_ahead": 60, "max_bookings_per_day": 8,
                "max_booked_per_day": "8h", "max_bookings_per_week": 40},
        offers=[{"slug": OFFER, "title": "Call", "duration": "30m"}],
        # Never fetched here: the blocks are written straight into the database.
        calendars=[{"name": "Busy", "ics": "https://calendar.example.org/busy.ics"}],
    )  # fmt: skip


def insert_busy(url: str, count: int, seed: int = 7) -> int:
    """``count`` busy blocks over the next 62 days for the owner's source; mark it synced."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "BACKGROUND_JOBS": False})
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    with app.app_context():
        source = db.session.scalar(select(CalendarSource))
        assert source is not None
        rows = []
        for _ in range(count):
            start = now + timedelta(minutes=rng.randrange(0, 62 * 24 * 60, 5))
            rows.append(
                {
                    "owner_id": source.owner_id,
                    "source_id": source.id,
                    "start": start,
                    "end": start + timedelta(minutes=rng.randrange(5, 31, 5)),
                }
            )
        db.session.execute(insert(BusyBlock), rows)
        db.session.execute(update(CalendarSource).values(last_success_at=now, last_attempt_at=now))
        db.session.commit()
        stored = int(db.session.scalar(select(func.count()).select_from(BusyBlock)) or 0)
        db.session.remove()
    with app.app_context():
        db.engine.dispose()
    return stored


def worker_rss_mb(master: int) -> list[float]:
    """Resident memory of gunicorn's workers (children of ``master``), from /proc."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sorted(sizes)


def run(label: str, url: str, args: argparse.Namespace, tmp: Path) -> None:
    server = LiveServer(url, workers=args.workers, threads=args.threads)
    server.flask("db", "upgrade")
    server.load([owner_document()], tmp)
    stored = insert_busy(url, args.busy)
    today = datetime.now(UTC).astimezone(PARIS).date()
    slots_url = (
        f"{server.base}/api/v1/{SLUG}/{OFFER}/slots"
        f"?from={today.isoformat()}&to={(today + timedelta(days=59)).isoformat()}"
    )
    with server:
        body = requests.get(slots_url, timeout=30).json()
        offered = len(body["slots"])
        if offered == 0:
            raise RuntimeError(f"{label}: no slots offered; the benchmark would measure nothing")
        # Warm every worker (imports, connections, caches) outside the measurement.
        load(server.base + "/healthz", connections=args.connections, duration_s=1)
        load(slots_url, connections=args.connections, duration_s=1)
        health = load(
            server.base + "/healthz", connections=args.connections, duration_s=args.duration
        )
        slots = load(slots_url, connections=args.connections, duration_s=args.duration)
        assert server.process is not None
        rss = worker_rss_mb(server.process.pid)
    ratio = slots.per_s / health.per_s if health.per_s else 0.0
    print(f"{label}: {stored} busy blocks, {offered} slots offered over 60 days")
    print("  " + health.line("/healthz"))
    print("  " + slots.line("slots (60 days)"))
    print(
        f"  memory of each gunicorn worker after the run: {', '.join(f'{m:.0f} MB' for m in rss)}"
    )
    verdict = "ok" if ratio >= 0.5 else "BELOW TARGET"
    print(f"  throughput ratio slots / healthz = {ratio:.2f} (target >= 0.5: {verdict})")
    if health.errors or slots.errors:
        raise RuntimeError(f"{label}: {health.errors + slots.errors} requests failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--busy", type=int, default=2000)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    args = parser.parse_args()
    print(
        f"slots endpoint vs /healthz: gunicorn {args.workers} workers x {args.threads} threads,"
        f" {args.connections} keep-alive connections, {args.duration:g} s each"
    )
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        targets = [("sqlite", f"sqlite:///{tmp / 'bench.sqlite'}")]
        if args.postgres:
            targets.append(("postgresql", fresh_postgres(args.postgres, "cadre_bench_slots")))
        for label, url in targets:
            run(label, url, args, tmp)


if __name__ == "__main__":
    main()
