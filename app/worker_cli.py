"""``flask --app wsgi worker``: an RQ worker for sync, mail and write-back jobs."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--burst", is_flag=True, help="Process the jobs waiting now, then exit.")
@click.option(
    "--worker-class",
    type=click.Choice(["simple", "fork"]),
    default=None,
    help="simple: jobs run in this process (default, RQ_WORKER_CLASS); "
    "fork: each job in a forked work horse.",
)
@with_appcontext
def worker_command(burst: bool, worker_class: str | None) -> None:
    """Run an RQ worker (needs REDIS_URL); start as many as you like, on any machine."""
    from app.jobs import run_worker

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("REDIS_URL"):
        raise click.UsageError("REDIS_URL is not set: without Redis, jobs run in the web process.")
    run_worker(app, burst=burst, worker_class=worker_class)
