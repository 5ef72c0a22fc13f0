"""Run the real app under gunicorn on loopback, on a fresh database (tests and benchmarks).

``LiveServer`` migrates the database with ``flask db upgrade``, loads owners with
``flask policy load`` (the real CLI), starts gunicorn and waits for ``/healthz``.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import requests

from schedules import dump_boundaries, parse_boundaries

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def admin_url(base_url: str) -> str:
    """``base_url`` as a plain libpq URL (psycopg's own connect does not take the driver)."""
    return re.sub(r"^postgresql(\+psycopg)?://", "postgresql://", base_url)


def scratch_name(name: str) -> str:
    """A database name of this process's own (tests run in parallel must never meet);
    ``tests/conftest.py`` drops them when the session ends."""
    return f"{name}_{os.getpid()}"


def database_url(kind: str, tmp: Path, name: str) -> str | None:
    """A fresh database for a live server: a SQLite file in ``tmp``, or a scratch
    PostgreSQL database on TEST_DATABASE_URL's server (None when it is not set)."""
    if kind == "sqlite":
        return f"sqlite:///{tmp / (name + '.sqlite')}"
    base = os.environ.get("TEST_DATABASE_URL")
    return fresh_postgres(base, scratch_name(name)) if base else None


def fresh_postgres(base_url: str, name: str) -> str:
    """Drop and create database ``name`` on the server of ``base_url``; return its URL."""
    import psycopg

    admin = admin_url(base_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return re.sub(r"/[^/?]+(\?|$)", f"/{name}\\1", admin, count=1)


class LiveServer:
    def __init__(
        self,
        database_url: str,
        workers: int = 4,
        env: dict[str, str] | None = None,
        threads: int = 1,
    ) -> None:
        self.database_url = database_url
        self.workers = workers
        self.threads = threads
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "live-test-secret",
            "CADRE_RATELIMIT_ENABLED": "false",
            "CADRE_BACKGROUND_JOBS": "false",
            "CADRE_JOBS_MODE": "inline",
            **(env or {}),
        }
        self.env.pop("REDIS_URL", None)
        self.process: subprocess.Popen[bytes] | None = None

    def flask(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )

    def load(self, documents: Iterable[dict[str, Any]], tmp: Path) -> None:
        for index, document in enumerate(documents):
            path = tmp / f"owner-{index}.toml"
            path.write_text(dump_boundaries(parse_boundaries(document)), encoding="utf-8")
            self.flask("policy", "load", str(path))

    def start(self) -> LiveServer:
        self.flask("db", "upgrade")
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--workers", str(self.workers),
                "--threads", str(self.threads),
                "--bind", f"127.0.0.1:{self.port}",
                "--log-level", "warning",
                "--access-logfile", "/dev/null",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=self.env,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                if requests.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not become healthy in 30 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
