"""Migrations build the schema the models describe, on both databases (``alembic check``)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from app.config import database_uri
from tests.live import LiveServer, fresh_postgres, scratch_name


def urls(tmp_path: Path) -> list[str]:
    found = [f"sqlite:///{tmp_path / 'migrated.sqlite'}"]
    if os.environ.get("TEST_DATABASE_URL"):
        found.append(
            fresh_postgres(os.environ["TEST_DATABASE_URL"], scratch_name("cadre_migrations_test"))
        )
    return found


def test_upgrade_then_check_is_clean(tmp_path: Path) -> None:
    for url in urls(tmp_path):
        server = LiveServer(url)
        server.flask("db", "upgrade")
        result = server.flask("db", "check")
        assert "No new upgrade operations detected" in result.stdout + result.stderr
        engine = create_engine(database_uri(url))
        tables = set(inspect(engine).get_table_names())
        engine.dispose()
        assert {"owners", "bookings", "busy_blocks", "calendar_sources", "outbox"} <= tables


def test_downgrade_to_base_and_back(tmp_path: Path) -> None:
    server = LiveServer(f"sqlite:///{tmp_path / 'roundtrip.sqlite'}")
    server.flask("db", "upgrade")
    server.flask("db", "downgrade", "base")
    server.flask("db", "upgrade")
    with pytest.raises(subprocess.CalledProcessError):
        server.flask("policy", "dump", "nobody")
