"""Memory of a web process serving many owners: the slots caches stay within their budget.

    python bench/bench_memory.py [--owners 1500]

One SQLite database with ``--owners`` owners (Camille's hours, 60-day window, 30-minute
slots: about 400 slots each over 60 days). Each variant runs in a fresh Python process
that asks, through the Flask test client, for every owner's 60 days of slots once, then
reports its resident memory (``VmRSS``) before and after, and what the caches hold:

* **budget**: the default ``SLOTS_CACHE_MAX`` (200,000 slots);
* **baseline**: the budget lifted (``SLOTS_CACHE_MAX`` = 10^9), which is what an entry
  count bound of 1,024 lists would allow for 1,024 owners and more: every list is kept.

Prints both and the ratio of memory growth budget / baseline (same run, same machine).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def prepare(url: str, owners: int) -> None:
    from app import create_app
    from app.extensions import db
    from app.services.owners import save_boundaries
    from schedules import parse_boundaries
    from tests.factories import boundaries_doc

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "BACKGROUND_JOBS": False})
    with app.app_context():
        db.create_all()
        for n in range(owners):
            doc = boundaries_doc(
                owner={"slug": f"owner-{n}", "name": f"Owner {n}",
                       "email": f"owner{n}@example.org", "timezone": "Europe/Paris",
                       "locale": "en"},
                limits={"min_notice": "1h", "max_bookings_per_day": 8,
                        "max_booked_per_day": "8h", "max_bookings_per_week": 40},
                calendars=[],
            )  # fmt: skip
            save_boundaries(parse_boundaries(doc))
        db.session.remove()


def variant(url: str, owners: int, budget: int) -> dict[str, float]:
    """Run in a fresh process: ask every owner's slots once, report memory."""
    from app import create_app
    from app.public.serialize import slot_item

    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "BACKGROUND_JOBS": False,
            "RATELIMIT_ENABLED": False,
            "SLOTS_CACHE_MAX": budget,
        }
    )
    client = app.test_client()
    today = datetime.now(UTC).date()
    window = f"from={today.isoformat()}&to={(today + timedelta(days=59)).isoformat()}"
    client.get(f"/api/v1/owner-0/discovery/slots?{window}")  # imports, first connection
    before = rss_mb()
    started = time.perf_counter()
    served = 0
    for n in range(owners):
        answer = client.get(f"/api/v1/owner-{n}/discovery/slots?{window}")
        assert answer.status_code == 200, answer.get_data(as_text=True)
        served += len(answer.get_json()["slots"])
    elapsed = time.perf_counter() - started
    cache = app.extensions["cadre_slot_cache"]
    return {
        "rss_before_mb": before,
        "rss_after_mb": rss_mb(),
        "slots_served": served,
        "cached_lists": len(cache),
        "cached_slots": cache.slots,
        "formatted_memo": slot_item.cache_info().currsize,
        "seconds": elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--owners", type=int, default=1500)
    parser.add_argument("--variant", choices=("budget", "baseline"))
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.variant:
        budget = 200_000 if args.variant == "budget" else 10**9
        print(json.dumps(variant(args.url, args.owners, budget)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'memory.sqlite'}"
        began = time.perf_counter()
        prepare(url, args.owners)
        print(f"memory: {args.owners} owners, 60 days of slots each (set up in "
              f"{time.perf_counter() - began:.0f} s); each variant in a fresh process")  # fmt: skip
        results = {}
        for name in ("budget", "baseline"):
            done = subprocess.run(
                [sys.executable, __file__, "--variant", name, "--url", url,
                 "--owners", str(args.owners)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            r = results[name] = json.loads(done.stdout.strip().splitlines()[-1])
            grown = r["rss_after_mb"] - r["rss_before_mb"]
            print(
                f"  {name:8s} RSS {r['rss_before_mb']:.0f} -> {r['rss_after_mb']:.0f} MB"
                f" (+{grown:.0f} MB); {r['slots_served']:,} slots served in"
                f" {r['seconds']:.1f} s; cache holds {r['cached_lists']:,} lists,"
                f" {r['cached_slots']:,} slots; formatted memo {r['formatted_memo']:,}"
            )
        growth = {k: v["rss_after_mb"] - v["rss_before_mb"] for k, v in results.items()}
        print(f"  memory growth budget / baseline = {growth['budget'] / growth['baseline']:.2f}")
        assert results["budget"]["cached_slots"] <= 200_000


if __name__ == "__main__":
    main()
