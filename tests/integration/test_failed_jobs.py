"""A job that fails on every try lands in RQ's failed registry, and its owner — only its
owner — sees it on the dashboard's Calendars page."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import CalendarSource
from app.services.failed_jobs import failed_jobs
from tests.factories import create_owner
from tests.live import BIN, ROOT

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set")


def run_worker_without_database(tmp_path: Path, queue: str) -> None:
    """A real worker, in burst mode, whose database is out of reach: every job crashes."""
    broken = f"sqlite:///{tmp_path / 'missing' / 'nowhere.sqlite'}"
    env = {**os.environ, "DATABASE_URL": broken, "REDIS_URL": REDIS_URL, "SECRET_KEY": "t",
           "CADRE_RQ_QUEUE": queue, "CADRE_BACKGROUND_JOBS": "false"}  # fmt: skip
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "worker", "--burst"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_a_crashed_sync_is_shown_to_its_owner_only(tmp_path: Path) -> None:
    queue = f"cadre-test-{uuid.uuid4().hex[:8]}"
    database = f"sqlite:///{tmp_path / 'jobs.sqlite'}"
    app = create_app(
        {"SECRET_KEY": "t", "DATABASE_URL": database, "REDIS_URL": REDIS_URL,
         "RQ_QUEUE": queue, "JOBS_MODE": "rq", "JOBS_RETRY_INTERVALS": []}
    )  # fmt: skip
    with app.app_context():
        db.create_all()
        owner = create_owner(calendars=[{"name": "Perso", "ics": "https://e.org/p.ics"}])
        other = create_owner(
            owner={"slug": "jordan", "name": "Jordan", "email": "j@example.org",
                   "timezone": "America/New_York", "locale": "en"},
        )  # fmt: skip
        owner_id, other_id = owner.id, other.id
        from app.services.sync import sync_due

        assert sync_due() == 1
        assert db.session.scalar(select(CalendarSource.owner_id)) == owner_id
    # The worker cannot reach the database: the job crashes instead of recording an error.
    run_worker_without_database(tmp_path, queue)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        mine = failed_jobs(owner_id)
        assert [str(job.what) for job in mine] == ["calendar sync"]
        assert "OperationalError" in mine[0].reason
        assert mine[0].failed_at is not None
        assert failed_jobs(other_id) == []
    # The owner's Calendars page lists it; another owner's page does not.
    from app.clock import now
    from tests.web.dashboard_helpers import PASSWORD, attach_login, fast_app, sign_in

    fast_app(app).config.update(JOBS_MODE="rq", WTF_CSRF_ENABLED=True)
    with app.app_context():
        attach_login("camille", "camille@example.org", PASSWORD, now())
        attach_login("jordan", "j@example.org", PASSWORD, now())
    client = app.test_client()
    sign_in(client, email="camille@example.org")
    page = client.get("/dashboard/calendars", headers={"Accept-Language": "en"}).text
    assert 'id="failed-jobs"' in page and "OperationalError" in page
    other = app.test_client()
    sign_in(other, email="j@example.org")
    assert 'id="failed-jobs"' not in other.get("/dashboard/calendars").text


def test_each_owner_reads_only_their_own_failures(tmp_path: Path) -> None:
    """Failures are indexed per owner by the worker (no database needed to attribute
    them); a job deleted or requeued since drops out of the list and of the index."""
    from rq.job import Job
    from rq.registry import FailedJobRegistry

    from app.jobs import enqueue, failed_index_key, rq_queue
    from app.services.sync import sync_source_job

    queue_name = f"cadre-test-{uuid.uuid4().hex[:8]}"
    app = create_app(
        {"SECRET_KEY": "t", "DATABASE_URL": f"sqlite:///{tmp_path / 'j.sqlite'}",
         "REDIS_URL": REDIS_URL, "RQ_QUEUE": queue_name, "JOBS_MODE": "rq",
         "JOBS_RETRY_INTERVALS": []}
    )  # fmt: skip
    with app.app_context():
        for source_id in (11, 12, 13):
            enqueue(sync_source_job, source_id, 60.0, owner_id=1)
        enqueue(sync_source_job, 21, 60.0, owner_id=2)
        enqueue(sync_source_job, 99, 60.0)  # nobody's: in the registry, on no page
    run_worker_without_database(tmp_path, queue_name)
    try:
        with app.test_request_context(headers={"Accept-Language": "en"}):
            queue = rq_queue(app)
            registry = FailedJobRegistry(queue=queue)
            assert registry.count == 5
            assert len(failed_jobs(1)) == 3 and len(failed_jobs(2)) == 1
            assert failed_jobs(3) == []
            index = failed_index_key(queue.name, 1)
            first, second, _ = (i.decode() for i in queue.connection.zrange(index, 0, -1))
            Job.fetch(first, connection=queue.connection).delete()
            registry.requeue(second)
            assert len(failed_jobs(1)) == 1
            assert queue.connection.zcard(index) == 1  # the two stale entries are gone
    finally:
        rq_queue(app).delete(delete_jobs=True)
