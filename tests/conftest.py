"""Shared fixtures: an app on SQLite (always) and on PostgreSQL (when TEST_DATABASE_URL is set).

Tests that take ``app`` run once per database. SQLite gets a fresh file per test;
PostgreSQL gets the schema once per session and its tables emptied after each test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from app import create_app
from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TEST_DATABASE_URL")
DATABASES = ["sqlite"] + (["postgresql"] if PG_URL else [])


class FixedClock:
    """A settable clock for the app (``CLOCK`` config)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def set(self, moment: datetime) -> None:
        assert moment.tzinfo is not None
        self.moment = moment.astimezone(UTC)


_pg_database: dict[str, str] = {}


def pg_url() -> str:
    """A database of this test process's own on the TEST_DATABASE_URL server.

    The server's ``test`` database is shared (other runs, leftover tables); a fresh
    database per process makes every run start from nothing, and parallel runs can't meet.
    """
    if "url" not in _pg_database:
        from tests.live import fresh_postgres, scratch_name

        assert PG_URL is not None
        _pg_database["url"] = fresh_postgres(PG_URL, scratch_name("cadre_pytest"))
    return _pg_database["url"]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop every scratch database this process made (``tests.live.scratch_name``)."""
    if not PG_URL:
        return
    import psycopg

    from tests.live import admin_url

    with psycopg.connect(admin_url(PG_URL), autocommit=True) as conn:
        names = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            (f"cadre\\_%\\_{os.getpid()}",),
        ).fetchall()
        for (name,) in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def base_config(tmp_path: Path, database: str) -> dict[str, Any]:
    uri = pg_url() if database == "postgresql" else f"sqlite:///{tmp_path / 'test.sqlite'}"
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": uri,
        "SERVER_NAME": "cadre.test",
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": True,
        "BACKGROUND_JOBS": False,
        "JOBS_MODE": "inline",
    }


_pg_schema_ready = False


def _prepare_schema(app: Flask, database: str) -> None:
    global _pg_schema_ready
    with app.app_context():
        if database == "postgresql":
            if not _pg_schema_ready:
                db.create_all()
                _pg_schema_ready = True
        else:
            db.create_all()


def _empty_tables(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture(params=DATABASES)
def database(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2027, 1, 4, 8, 0, tzinfo=UTC))  # Monday 09:00 in Paris


@pytest.fixture
def app(tmp_path: Path, database: str, clock: FixedClock) -> Iterator[Flask]:
    config = base_config(tmp_path, database)
    config["CLOCK"] = clock
    app = create_app(config)
    _prepare_schema(app, database)
    yield app
    if database == "postgresql":
        _empty_tables(app)
    else:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()
