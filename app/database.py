"""Engine set-up per database, and the guarded write transaction.

SQLite: the driver's own transaction handling is switched off so SQLAlchemy's BEGIN is the
one that runs, WAL lets readers go on while one writer holds the lock, and a booking runs
inside ``BEGIN IMMEDIATE`` so two processes can never both read "free" and both insert.

PostgreSQL: a booking takes a row lock on its owner (``SELECT … FOR UPDATE``) so caps are
counted by one transaction at a time per owner; the exclusion constraint on ``bookings``
backs the no-overlap rule whatever happens.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from .extensions import db

SQLITE_BUSY_TIMEOUT_S = 30


def engine_options(uri: str) -> dict[str, Any]:
    if uri.startswith("sqlite"):
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}}
    return {"pool_pre_ping": True}


def install_engine_events(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _install_sqlite_events(engine)


def _install_sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (pysqlite's implicit BEGIN is deferred and too late).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


@contextmanager
def guarded_write(owner_id: int) -> Iterator[None]:
    """A write transaction during which no other booking of this owner can commit.

    Commits on success, rolls back on any exception. The caller must not hold an open
    transaction that has already written; reads are simply discarded.
    """
    session = db.session
    session.rollback()  # start fresh: the guard must read data no older than its lock
    if session.get_bind().dialect.name == "sqlite":
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    else:
        from .models import Owner

        session.execute(select(Owner.id).where(Owner.id == owner_id).with_for_update())
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
