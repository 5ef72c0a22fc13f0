"""Browser tests: the real app behind a real HTTP server on loopback, driven by Chromium.

``LiveApp`` serves ``create_app()`` with werkzeug's threaded server on 127.0.0.1 and a
fresh SQLite file, the French demo owner from ``examples/boundaries.toml`` loaded, and
the clock fixed at Monday 2027-01-04 09:00 in Paris. Chromium is Debian's
(``/usr/bin/chromium``; Playwright cannot download browsers here): without it, these
tests skip and say so.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.services.owners import save_boundaries
from schedules import load_boundaries
from tests.conftest import FixedClock

ROOT = Path(__file__).resolve().parents[2]
MONDAY_0900_PARIS = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    """Debian's Chromium, or ``CHROMIUM`` from the environment."""
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


class LiveApp:
    """The app on ``http://127.0.0.1:<port>`` in a background thread, until ``stop()``."""

    def __init__(self, directory: Path, now: datetime = MONDAY_0900_PARIS) -> None:
        self.clock = FixedClock(now)
        self.app = create_app(
            {
                "SECRET_KEY": "e2e-secret",
                "DATABASE_URL": f"sqlite:///{directory / 'e2e.sqlite'}",
                "RATELIMIT_ENABLED": False,
                "BACKGROUND_JOBS": False,
                "JOBS_MODE": "inline",
                "CLOCK": self.clock,
            }
        )
        with self.app.app_context():
            db.create_all()
            text = (ROOT / "examples" / "boundaries.toml").read_text(encoding="utf-8")
            save_boundaries(load_boundaries(text))
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()

    def query(self, func: Any) -> Any:
        """Run ``func()`` inside the app (to look at what the browser did)."""
        with self.app.app_context():
            try:
                return func()
            finally:
                db.session.remove()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium found (install Debian's chromium: apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveApp]:
    server = LiveApp(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """``new_page(**context_options)``: a page in a fresh browser context (closed after)."""
    contexts = []

    def make(**options: Any) -> Any:
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
