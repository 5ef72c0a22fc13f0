"""Background jobs: RQ on Redis at scale, a thread pool inside the web process otherwise.

``enqueue(func, *args)`` is the only call sites use. ``func`` must be a module-level
function (RQ imports it by name in the worker); it runs inside an application context.

Modes (``JOBS_MODE``): ``rq`` (default when ``REDIS_URL`` is set), ``thread`` (default on
the embedded setup) and ``inline`` (run at once in the caller; the test suite uses it).
Periodic tasks (``every``) run from a small scheduler thread when ``BACKGROUND_JOBS`` is
true; each task must claim its work atomically in the database, because every web
process runs the scheduler.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    name: str
    interval_s: float
    func: Callable[[], Any]


_periodic: list[Periodic] = []
RETRY_INTERVALS = (10, 30, 120, 600, 1800)


def every(name: str, interval_s: float, func: Callable[[], Any]) -> None:
    """Register ``func`` to run about every ``interval_s`` seconds (with jitter)."""
    _periodic[:] = [p for p in _periodic if p.name != name]
    _periodic.append(Periodic(name, interval_s, func))


def mode(app: Flask) -> str:
    configured = app.config.get("JOBS_MODE")
    if configured:
        return str(configured)
    return "rq" if app.config.get("REDIS_URL") else "thread"


def enqueue(
    func: Callable[..., Any],
    *args: Any,
    job_id: str | None = None,
    unique: bool = False,
    owner_id: int | None = None,
) -> bool:
    """Run ``func(*args)`` in the background; False if ``unique`` and ``job_id`` is taken.

    With ``unique``, a second job under the same id is refused while the first is queued,
    running, retrying, or kept as a result or failure (RQ's atomic unique enqueue; in the
    thread pool, while the first is waiting or running). ``owner_id``: whose work it is;
    if it fails for good, that owner's dashboard lists it (``failed_for_good``).
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    how = mode(app)
    if how == "inline":
        func(*args)
        return True
    if unique and not job_id:
        raise ValueError("unique jobs need a job_id")
    if how == "rq":
        from rq import Callback
        from rq.exceptions import DuplicateJobError

        owned: dict[str, Any] = {}
        if owner_id is not None:
            owned = {"meta": {"owner_id": owner_id}, "on_failure": Callback(failed_for_good)}
        try:
            rq_queue(app).enqueue(
                run_in_worker,
                f"{func.__module__}:{func.__qualname__}",
                *args,
                job_id=job_id,
                unique=unique,
                retry=_rq_retry(app),
                failure_ttl=FAILURE_TTL_S,
                description=f"{func.__qualname__}{args!r}",
                **owned,
            )
        except DuplicateJobError:
            return False
        return True
    state = app.extensions.setdefault("cadre_jobs", {})
    pending: set[str] = state.setdefault("pending", set())
    if unique:
        with _pending_lock:
            if job_id in pending:
                return False
            pending.add(str(job_id))
    _executor(app).submit(_run_in_context, app, func, args, job_id if unique else None)
    return True


_pending_lock = threading.Lock()
FAILURE_TTL_S = 7 * 24 * 3600  # how long RQ keeps a job that failed for good
FAILED_KEPT = 100  # per owner, the newest


def failed_index_key(queue_name: str, owner_id: int) -> str:
    return f"cadre:failed:{queue_name}:{owner_id}"


def failed_for_good(job: Any, connection: Any, *exc_info: Any) -> None:
    """RQ's failure callback (in the worker, before RQ retries or gives up): on the last
    failure, index the job under its owner, so their dashboard reads their own failures
    without scanning everyone's — and without the database, often the very thing that is
    down when jobs fail for good."""
    owner_id = (job.meta or {}).get("owner_id")
    if owner_id is None or job.should_retry:
        return
    key = failed_index_key(job.origin, int(owner_id))
    with connection.pipeline() as pipe:
        pipe.zadd(key, {job.id: time.time()})
        pipe.zremrangebyrank(key, 0, -FAILED_KEPT - 1)
        pipe.expire(key, FAILURE_TTL_S)
        pipe.execute()


def unique_job_id(*parts: object) -> str:
    """A job id for ``enqueue(..., unique=True)``, scoped to this deployment's queue (RQ
    job ids are global to a Redis database, which two deployments may share)."""
    joined = "-".join([str(current_app.config.get("RQ_QUEUE", "cadre")), *map(str, parts)])
    return re.sub(r"[^A-Za-z0-9_-]", "_", joined)


def _run_in_context(
    app: Flask, func: Callable[..., Any], args: tuple[Any, ...], unique_id: str | None = None
) -> None:
    with app.app_context():
        try:
            func(*args)
        except Exception:
            log.exception("background job %s failed", getattr(func, "__name__", func))
        finally:
            if unique_id is not None:
                with _pending_lock:
                    app.extensions["cadre_jobs"]["pending"].discard(unique_id)


_worker_state: dict[str, Any] = {}


def run_in_worker(path: str, *args: Any) -> None:
    """What an RQ worker runs: the named job inside an application context.

    The simple worker runs every job in its own process and keeps its connection pool; the
    fork worker runs each in a forked work horse, where a database connection inherited
    from the parent must not be shared, so each new process starts with a fresh pool.
    """
    import os
    from importlib import import_module

    from .extensions import db

    app = _worker_state.get("app")
    if app is None:
        from . import create_app

        app = _worker_state["app"] = create_app()
    module_name, _, name = path.partition(":")
    func = getattr(import_module(module_name), name)
    with app.app_context():
        if _worker_state.get("pid") != os.getpid():
            db.engine.dispose(close=False)
            _worker_state["pid"] = os.getpid()
        func(*args)


def _executor(app: Flask) -> ThreadPoolExecutor:
    state = app.extensions.setdefault("cadre_jobs", {})
    if "executor" not in state:
        state["executor"] = ThreadPoolExecutor(
            max_workers=int(app.config.get("JOBS_THREADS", 2)), thread_name_prefix="cadre-job"
        )
    executor: ThreadPoolExecutor = state["executor"]
    return executor


def rq_queue(app: Flask) -> Any:
    from redis import Redis
    from rq import Queue

    state = app.extensions.setdefault("cadre_jobs", {})
    if "queue" not in state:
        state["queue"] = Queue(
            app.config.get("RQ_QUEUE", "cadre"), connection=Redis.from_url(app.config["REDIS_URL"])
        )
    return state["queue"]


def _rq_retry(app: Flask) -> Any:
    """Retries with growing waits (``JOBS_RETRY_INTERVALS`` seconds); none if empty."""
    from rq import Retry

    intervals = [int(s) for s in app.config.get("JOBS_RETRY_INTERVALS", RETRY_INTERVALS)]
    return Retry(max=len(intervals), interval=intervals) if intervals else None


def start_scheduler(app: Flask) -> None:
    """Run the periodic tasks in a daemon thread of this process."""
    stop = threading.Event()
    app.extensions.setdefault("cadre_jobs", {})["stop"] = stop

    def loop() -> None:
        next_run: dict[str, float] = {}
        tick = float(app.config.get("SCHEDULER_TICK_S", 15))
        while not stop.wait(tick):
            moment = time.monotonic()
            for task in list(_periodic):
                if next_run.get(task.name, 0.0) > moment:
                    continue
                next_run[task.name] = moment + task.interval_s * random.uniform(0.9, 1.1)
                with app.app_context():
                    try:
                        task.func()
                    except Exception:
                        log.exception("periodic task %s failed", task.name)

    threading.Thread(target=loop, name="cadre-scheduler", daemon=True).start()


def start_scheduler_if_enabled(app: Flask) -> bool:
    """Called once per web process (gunicorn's ``post_worker_init``)."""
    if app.config.get("BACKGROUND_JOBS") and mode(app) == "thread":
        start_scheduler(app)
        return True
    return False


WORKER_CLASSES = ("simple", "fork")


def run_worker(app: Flask, burst: bool = False, worker_class: str | None = None) -> None:
    """``flask --app wsgi worker``: process RQ jobs; also run the periodic tasks, which
    enqueue work (claims in the database keep two workers from syncing one source).

    ``simple`` (the default, ``RQ_WORKER_CLASS``) runs each job in the worker process,
    keeping its database connections; ``fork`` runs each in a forked work horse, which
    isolates jobs from each other at a cost of tens of milliseconds per job.
    """
    from rq import SimpleWorker, Worker

    chosen = worker_class or str(app.config.get("RQ_WORKER_CLASS") or "simple")
    if chosen not in WORKER_CLASSES:
        raise ValueError(f"RQ_WORKER_CLASS: {chosen!r} is not one of {', '.join(WORKER_CLASSES)}")
    _worker_state["app"] = app
    queue = rq_queue(app)
    if not burst and app.config.get("BACKGROUND_JOBS"):
        start_scheduler(app)
    cls = SimpleWorker if chosen == "simple" else Worker
    cls([queue], connection=queue.connection).work(burst=burst, with_scheduler=True)
