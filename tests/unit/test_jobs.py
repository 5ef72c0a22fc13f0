"""The in-process job pool (the embedded setup): unique job ids and worker settings."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from app import create_app
from app.jobs import enqueue, run_worker, unique_job_id

gate = threading.Event()
ran: list[str] = []


def wait_then_record(name: str) -> None:
    gate.wait(10)
    ran.append(name)


def make_app(tmp_path: Path, **config: object):  # type: ignore[no-untyped-def]
    return create_app(
        {"SECRET_KEY": "t", "DATABASE_URL": f"sqlite:///{tmp_path / 'j.sqlite'}", **config}
    )


def test_a_unique_job_is_refused_while_the_first_is_waiting_or_running(tmp_path: Path) -> None:
    app = make_app(tmp_path, JOBS_MODE="thread", BACKGROUND_JOBS=False)
    gate.clear()
    ran.clear()
    with app.app_context():
        job_id = unique_job_id("sync", 1, 99)
        assert enqueue(wait_then_record, "first", job_id=job_id, unique=True) is True
        assert enqueue(wait_then_record, "second", job_id=job_id, unique=True) is False
        assert enqueue(wait_then_record, "other", job_id=unique_job_id("sync", 2, 99), unique=True)
        gate.set()
        app.extensions["cadre_jobs"]["executor"].shutdown(wait=True)
        assert sorted(ran) == ["first", "other"]
        # Once the first has finished, the same id may run again.
        app.extensions["cadre_jobs"].pop("executor")
        assert enqueue(wait_then_record, "again", job_id=job_id, unique=True) is True
        app.extensions["cadre_jobs"]["executor"].shutdown(wait=True)
        assert ran[-1] == "again"


def test_unique_needs_an_id_and_ids_are_safe_for_rq(tmp_path: Path) -> None:
    app = make_app(tmp_path, JOBS_MODE="thread", RQ_QUEUE="cadre:eu west")
    with app.app_context():
        with pytest.raises(ValueError, match="job_id"):
            enqueue(wait_then_record, "x", unique=True)
        assert unique_job_id("sync", 3, 10) == "cadre_eu_west-sync-3-10"


def test_an_unknown_worker_class_is_refused_by_name(tmp_path: Path) -> None:
    app = make_app(tmp_path, REDIS_URL="redis://127.0.0.1:1/0", RQ_WORKER_CLASS="threaded")
    with pytest.raises(ValueError, match="RQ_WORKER_CLASS: 'threaded'"):
        run_worker(app, burst=True)
