"""Booking throughput on distinct slots: gunicorn with 4 workers, SQLite vs PostgreSQL.

    python bench/bench_booking.py [--bookings 600] [--concurrency 8]

Prints bookings/s and p50/p99 latency per database. PostgreSQL is used when
TEST_DATABASE_URL (or --postgres URL) is set; the benchmark creates its own database.
Every request must succeed (201): the benchmark fails loudly otherwise.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.factories import boundaries_doc
from tests.live import LiveServer, fresh_postgres

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def owner_document() -> dict:
    return boundaries_doc(
        owner={"slug": "bench", "name": "Bench", "email": "bench@example.org",
               "timezone": "Europe/Paris", "locale": "en"},
        hours={day: ["00:00-24:00"] for day in DAYS},
        limits={"min_notice": "1h", "max_days_ahead": 60, "buffer_before": "0m",
                "buffer_after": "0m", "slot_step": "15m", "max_bookings_per_day": 200,
                "max_booked_per_day": "24h", "max_bookings_per_week": 2000},
        offers=[{"slug": "quick", "title": "Quick", "duration": "15m"}],
    )  # fmt: skip


def distinct_starts(count: int) -> list[str]:
    zone = ZoneInfo("Europe/Paris")
    first = datetime.now(UTC).astimezone(zone).replace(minute=0, second=0, microsecond=0)
    first += timedelta(days=2)
    return [(first + timedelta(minutes=15 * i)).isoformat() for i in range(count)]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run(label: str, url: str, bookings: int, concurrency: int, tmp: Path) -> dict[str, float]:
    server = LiveServer(url, workers=4)
    server.flask("db", "upgrade")
    server.load([owner_document()], tmp)
    starts = distinct_starts(bookings)
    latencies: list[float] = []
    with server:
        session_per_thread: dict[int, requests.Session] = {}

        def book(index: int) -> float:
            import threading

            session = session_per_thread.setdefault(threading.get_ident(), requests.Session())
            began = time.perf_counter()
            response = session.post(
                f"{server.base}/api/v1/bench/quick/bookings",
                json={"start": starts[index], "name": "Bench", "email": f"b{index}@example.com",
                      "accept_terms": True},
                timeout=60,
            )  # fmt: skip
            elapsed = time.perf_counter() - began
            if response.status_code != 201:
                raise RuntimeError(f"{label}: booking {index} got {response.status_code}")
            return elapsed

        # Warm-up (imports, connections) outside the measurement.
        for i in range(8):
            book(i)
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            latencies = list(pool.map(book, range(8, bookings)))
        wall = time.perf_counter() - began
    done = len(latencies)
    return {
        "bookings": done,
        "per_s": done / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookings", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    args = parser.parse_args()
    print(f"booking throughput, distinct slots, gunicorn 4 workers, {args.concurrency} clients")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        targets = [("sqlite", f"sqlite:///{tmp / 'bench.sqlite'}")]
        if args.postgres:
            targets.append(("postgresql", fresh_postgres(args.postgres, "cadre_bench")))
        for label, url in targets:
            r = run(label, url, args.bookings, args.concurrency, tmp)
            print(
                f"{label:11s} {r['bookings']:5.0f} bookings  {r['per_s']:7.1f}/s  "
                f"p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms"
            )


if __name__ == "__main__":
    main()
