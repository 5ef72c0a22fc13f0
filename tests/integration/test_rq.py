"""The RQ path against the machine's Redis: a real worker process runs real sync jobs."""

from __future__ import annotations

import os
import subprocess
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.jobs import enqueue, rq_queue, unique_job_id
from app.models import BusyBlock, CalendarSource
from tests.factories import create_owner
from tests.live import BIN, ROOT

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set")


def ics_for(start: datetime) -> bytes:
    stamp = start.strftime("%Y%m%dT%H%M%SZ")
    end = (start + timedelta(hours=1)).strftime("%Y%m%dT%H%M%SZ")
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//rq//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:rq-1\r\nDTSTAMP:{stamp}\r\nDTSTART:{stamp}\r\nDTEND:{end}\r\n"
        "SUMMARY:Private\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


@pytest.fixture
def feed() -> Iterator[str]:
    body = ics_for(datetime.now(UTC).replace(microsecond=0) + timedelta(days=3))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/cal.ics"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("worker_class", ["simple", "fork"])
def test_a_worker_process_runs_the_queued_syncs(
    tmp_path: Path, feed: str, worker_class: str
) -> None:
    queue = f"cadre-test-{uuid.uuid4().hex[:8]}"
    database = f"sqlite:///{tmp_path / 'rq.sqlite'}"
    config = {
        "SECRET_KEY": "t",
        "DATABASE_URL": database,
        "REDIS_URL": REDIS_URL,
        "RQ_QUEUE": queue,
        "JOBS_MODE": "rq",
        "CADRE_ALLOW_LOOPBACK_FEEDS": True,
    }
    app = create_app(config)
    with app.app_context():
        db.create_all()
        create_owner(calendars=[{"name": "Perso", "ics": feed}])
        from app.services.sync import sync_due

        assert sync_due() == 1  # queued in Redis, not run here
        # Another scheduler finding the source due in the same interval: RQ refuses the
        # second job by its id, so a backlog does not grow with every tick.
        assert sync_due() == 0
        assert rq_queue(app).count == 1
        source = db.session.scalar(select(CalendarSource))
        assert source.last_success_at is None
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": "t",
        "CADRE_RQ_QUEUE": queue,
        "CADRE_ALLOW_LOOPBACK_FEEDS": "1",
        "CADRE_BACKGROUND_JOBS": "false",
    }
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "worker", "--burst", "--worker-class", worker_class],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with app.app_context():
        source = db.session.scalar(select(CalendarSource))
        assert source.last_error is None
        assert source.last_success_at is not None
        assert db.session.scalar(select(func.count()).select_from(BusyBlock)) == 1


def test_worker_refuses_to_start_without_redis(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}", "SECRET_KEY": "t"}
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "worker", "--burst"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    assert "REDIS_URL is not set" in done.stderr


def test_unique_job_ids_belong_to_their_queue(tmp_path: Path) -> None:
    """RQ job ids are global to the Redis database: two deployments sharing it must not
    refuse each other's jobs."""
    apps = [
        create_app(
            {
                "SECRET_KEY": "t",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'u.sqlite'}",
                "REDIS_URL": REDIS_URL,
                "RQ_QUEUE": f"cadre-test-{uuid.uuid4().hex[:8]}",
                "JOBS_MODE": "rq",
            }
        )
        for _ in range(2)
    ]
    try:
        for app in apps:
            with app.app_context():
                job_id = unique_job_id("sync", 7, 1)
                assert enqueue(print, "x", job_id=job_id, unique=True) is True
                assert enqueue(print, "x", job_id=job_id, unique=True) is False
                assert rq_queue(app).count == 1
    finally:
        for app in apps:
            rq_queue(app).delete(delete_jobs=True)
