"""The Calendars page's failed jobs when an outage has filled RQ's failed registry.

    python bench/bench_failed_jobs.py [--others 5000]

Needs Redis (TEST_REDIS_URL; a queue of its own, deleted afterwards). ``--others`` sync
jobs of another owner, and 1 of Camille's, are put in the failed registry as a worker
leaves them (status failed, indexed under their owner by ``app.jobs.failed_for_good``).
Measured, median of 5, what Camille's page asks for:

* **index**: ``failed_jobs`` as built — her entries of the per-owner index, then those jobs;
* **scan** (baseline, same run): every job of the registry fetched and filtered on its
  owner, which is what the page did before the index (it also asked the database for
  each job's owner; that part is left out here, so the baseline is a lower bound).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def median_ms(func: Callable[[], Any], runs: int = 5) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--others", type=int, default=5000)
    parser.add_argument("--redis", default=os.environ.get("TEST_REDIS_URL"))
    args = parser.parse_args()
    if not args.redis:
        print("failed jobs: skipped (needs TEST_REDIS_URL)")
        return
    from rq.job import Job, JobStatus
    from rq.registry import FailedJobRegistry

    from app import create_app
    from app.extensions import db
    from app.jobs import enqueue, failed_for_good, rq_queue
    from app.services.failed_jobs import failed_jobs
    from app.services.sync import sync_source_job

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {"SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{Path(tmp) / 'f.sqlite'}",
             "REDIS_URL": args.redis, "RQ_QUEUE": f"cadre-bench-{uuid.uuid4().hex[:8]}",
             "JOBS_MODE": "rq", "JOBS_RETRY_INTERVALS": []}
        )  # fmt: skip
        with app.test_request_context():
            db.create_all()
            queue = rq_queue(app)
            registry = FailedJobRegistry(queue=queue)
            try:
                began = time.perf_counter()
                for _ in range(args.others):
                    enqueue(sync_source_job, 2, 60.0, owner_id=2)
                enqueue(sync_source_job, 1, 60.0, owner_id=1)
                for job in queue.get_jobs(0, -1):
                    queue.remove(job)
                    job.set_status(JobStatus.FAILED)
                    registry.add(job, ttl=3600, exc_string="OperationalError: unreachable")
                    failed_for_good(job, queue.connection)
                print(
                    f"failed jobs: {registry.count:,} in the failed registry"
                    f" ({args.others:,} of another owner, 1 of Camille's;"
                    f" set up in {time.perf_counter() - began:.0f} s)"
                )

                def scan() -> list[Any]:
                    ids = registry.get_job_ids()
                    jobs = Job.fetch_many(ids, connection=queue.connection)
                    return [j for j in jobs if j is not None and j.meta.get("owner_id") == 1]

                index_ms, shown = median_ms(lambda: failed_jobs(1))
                scan_ms, scanned = median_ms(scan)
                assert len(shown) == len(scanned) == 1
                print(f"  index (as built)        {index_ms:9.2f} ms   shown: {len(shown)}")
                print(f"  scan of the registry    {scan_ms:9.2f} ms   (baseline, same run)")
                print(f"  index / scan            {index_ms / scan_ms:9.4f}")
            finally:
                queue.delete(delete_jobs=True)
                for job_id in registry.get_job_ids():
                    registry.remove(job_id, delete_job=True)
                for key in queue.connection.scan_iter(f"cadre:failed:{queue.name}:*"):
                    queue.connection.delete(key)


if __name__ == "__main__":
    main()
