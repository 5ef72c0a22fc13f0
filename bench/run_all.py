"""Every benchmark, one after the other, after a description of the machine (``make bench``).

    python bench/run_all.py [--only NAME ...] [--skip NAME ...] [--owners 1000]

PostgreSQL parts run when TEST_DATABASE_URL is set, the fleet when TEST_REDIS_URL is
set too (e.g. ``postgresql://postgres@127.0.0.1:5432/test`` and
``redis://127.0.0.1:6379/15``). Figures go to stdout; a failed benchmark (a broken
assertion, such as more than 10 bookings created in the contention run) is reported and
makes the exit status non-zero, and the others still run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine

HERE = Path(__file__).resolve().parent

# (name, script, what it measures)
BENCHMARKS = [
    ("core", "bench_slots.py", "the boundaries core: 60 days of slots against 1k-100k busy"),
    ("slots", "bench_slots_load.py", "1. slots endpoint under load vs /healthz"),
    ("contention", "bench_contention.py", "2. 200 concurrent attempts on 10 slots"),
    ("booking", "bench_booking.py", "3. booking throughput on distinct slots"),
    ("fleet", "bench_fleet.py", "4. fleet sync by RQ workers"),
    ("memory", "bench_memory.py", "memory of a web process serving 1,500 owners"),
    ("failed", "bench_failed_jobs.py", "an owner's failed jobs among 5,000 others"),
    ("ics", "bench_ics.py", "ICS sync: full, unchanged (304), same content"),
    ("google", "bench_google.py", "Google sync: full vs incremental"),
]


def main() -> int:
    names = [name for name, _, _ in BENCHMARKS]
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", choices=names, default=names)
    parser.add_argument("--skip", nargs="*", choices=names, default=[])
    parser.add_argument("--owners", type=int, default=1000, help="fleet size")
    args = parser.parse_args()
    print("Cadre benchmarks")
    for line in machine():
        print("  " + line)
    failed = []
    for name, script, title in BENCHMARKS:
        if name not in args.only or name in args.skip:
            continue
        extra = ["--owners", str(args.owners)] if name == "fleet" else []
        print(f"\n== {title} ({script}) ==", flush=True)
        began = time.perf_counter()
        done = subprocess.run([sys.executable, str(HERE / script), *extra], check=False)
        print(f"-- {time.perf_counter() - began:.0f} s", flush=True)
        if done.returncode != 0:
            failed.append(name)
            print(f"!! {name} failed (exit status {done.returncode})", flush=True)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
