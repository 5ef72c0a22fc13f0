"""Benchmark 2: booking contention: 200 concurrent attempts on 10 slots.

    python bench/bench_contention.py [--attempts 200] [--slots 10] [--workers 4]

gunicorn with 4 workers; 200 client threads held at a barrier, then released together,
20 per slot. Exactly one booking per slot must be created (201) and every other attempt
refused with 409 ``slot_taken``; the benchmark asserts it, counts the confirmed rows in
the database, and prints the latency p50/p99/max and the wall time of the burst.
SQLite always; PostgreSQL too when TEST_DATABASE_URL (or ``--postgres``) is set.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests
from sqlalchemy import create_engine, text

from app.config import database_uri
from bench.common import percentile
from tests.factories import boundaries_doc
from tests.live import LiveServer, fresh_postgres

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PARIS = ZoneInfo("Europe/Paris")


def owner_document() -> dict:
    return boundaries_doc(
        owner={"slug": "race", "name": "Race", "email": "race@example.org",
               "timezone": "Europe/Paris", "locale": "en"},
        hours={day: ["08:00-20:00"] for day in DAYS},
        limits={"min_notice": "1h", "buffer_before": "0m", "buffer_after": "0m",
                "max_bookings_per_day": 40, "max_booked_per_day": "12h",
                "max_bookings_per_week": 200},
        offers=[{"slug": "short", "title": "Short", "duration": "30m"}],
    )  # fmt: skip


def slot_starts(count: int) -> list[str]:
    day = datetime.now(UTC).astimezone(PARIS).date() + timedelta(days=7)
    first = datetime(day.year, day.month, day.day, 9, tzinfo=PARIS)
    return [(first + timedelta(minutes=30 * i)).isoformat() for i in range(count)]


def confirmed(url: str) -> int:
    engine = create_engine(database_uri(url))
    try:
        with engine.connect() as conn:
            query = text("SELECT count(*) FROM bookings WHERE status = 'confirmed'")
            return int(conn.execute(query).scalar_one())
    finally:
        engine.dispose()


def run(label: str, url: str, args: argparse.Namespace, tmp: Path) -> None:
    server = LiveServer(url, workers=args.workers)
    server.flask("db", "upgrade")
    server.load([owner_document()], tmp)
    starts = slot_starts(args.slots)
    barrier = threading.Barrier(args.attempts)

    def attempt(index: int) -> tuple[int, str, float]:
        start = starts[index % len(starts)]
        with requests.Session() as session:
            barrier.wait()
            began = time.perf_counter()
            response = session.post(
                f"{server.base}/api/v1/race/short/bookings",
                json={"start": start, "name": f"Client {index}",
                      "email": f"c{index}@example.com", "accept_terms": True},
                timeout=120,
            )  # fmt: skip
            elapsed = time.perf_counter() - began
        code = response.json().get("error", "") if response.status_code != 201 else ""
        return response.status_code, code, elapsed

    with server:
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.attempts) as pool:
            results = list(pool.map(attempt, range(args.attempts)))
        wall = time.perf_counter() - began
    statuses = Counter(status for status, _, _ in results)
    codes = Counter(code for status, code, _ in results if status != 201)
    latencies = [elapsed for _, _, elapsed in results]
    rows = confirmed(url)
    print(
        f"{label:11s} {args.attempts} attempts on {args.slots} slots: "
        f"{statuses.get(201, 0)} created, {rows} confirmed rows, refusals {dict(codes)}"
    )
    print(
        f"{'':11s} p50 {statistics.median(latencies) * 1000:7.1f} ms  "
        f"p99 {percentile(latencies, 0.99) * 1000:7.1f} ms  "
        f"max {max(latencies) * 1000:7.1f} ms  burst {wall:5.2f} s"
    )
    assert statuses == {201: args.slots, 409: args.attempts - args.slots}, statuses
    assert codes == {"slot_taken": args.attempts - args.slots}, codes
    assert rows == args.slots, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--attempts", type=int, default=200)
    parser.add_argument("--slots", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    args = parser.parse_args()
    print(f"booking contention: gunicorn {args.workers} workers, all attempts released at once")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        targets = [("sqlite", f"sqlite:///{tmp / 'bench.sqlite'}")]
        if args.postgres:
            targets.append(("postgresql", fresh_postgres(args.postgres, "cadre_bench_race")))
        for label, url in targets:
            run(label, url, args, tmp)


if __name__ == "__main__":
    main()
