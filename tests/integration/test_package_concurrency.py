"""Client packages under real concurrency: gunicorn with 4 worker processes, on SQLite and
PostgreSQL. One client races ten requests for their last included place: exactly one wins;
with a billing package, exactly one of ten is included and nine are billed extras."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import create_engine, text

from app.config import database_uri
from tests.factories import boundaries_doc
from tests.live import LiveServer, database_url

pytestmark = pytest.mark.slow

PARIS = ZoneInfo("Europe/Paris")
EVERY_DAY = {day: ["08:00-20:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
LIMITS = {
    "min_notice": "1h",
    "buffer_before": "0m",
    "buffer_after": "0m",
    "max_bookings_per_day": 40,
    "max_booked_per_day": "12h",
    "max_bookings_per_week": 200,
}
CLIENT = "ana@example.com"


def owner_doc(slug: str) -> dict:
    return boundaries_doc(
        owner={"slug": slug, "name": slug.title(), "email": f"{slug}@example.org",
               "timezone": "Europe/Paris", "locale": "en"},
        hours=EVERY_DAY,
        limits=LIMITS,
        offers=[{"slug": "session", "title": "Session", "duration": "30m"}],
    )  # fmt: skip


def next_monday() -> datetime:
    """00:00 Paris on a Monday at least a week ahead: one whole ISO week inside the window."""
    day = datetime.now(UTC).astimezone(PARIS).date() + timedelta(days=7)
    day += timedelta(days=(7 - day.weekday()) % 7)
    return datetime.combine(day, time(0), PARIS)


@pytest.fixture(params=["sqlite", "postgresql"], scope="module")
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    tmp: Path = tmp_path_factory.mktemp(f"live-packages-{request.param}")
    url = database_url(request.param, tmp, "cadre_live_packages_test")
    if url is None:
        pytest.skip("TEST_DATABASE_URL is not set")
    live = LiveServer(url, workers=4)
    with live:  # migrates, then serves; owners and packages are added before any request
        live.load([owner_doc("refusing"), owner_doc("billing")], tmp)
        # Through the real CLI: three included per ISO week; one, then billed extras.
        live.flask("package", "add", "refusing", CLIENT, "--per", "week", "--count", "3")
        live.flask("package", "add", "billing", CLIENT, "--per", "week", "--count", "1",
                   "--beyond", "bill", "--price", "60 EUR")  # fmt: skip
        yield live


def fire(server: LiveServer, owner: str, starts: list[str], **extra: object) -> list:
    """POST one client's bookings all at once (a barrier releases them together)."""
    barrier = threading.Barrier(len(starts))

    def one(start: str) -> tuple[int, dict]:
        barrier.wait()
        response = requests.post(
            f"{server.base}/api/v1/{owner}/session/bookings",
            json={"start": start, "name": "Ana", "email": CLIENT, "accept_terms": True, **extra},
            timeout=60,
        )
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=len(starts)) as pool:
        return list(pool.map(one, starts))


def client_bookings(server: LiveServer, owner: str) -> list[tuple[bool, str | None]]:
    engine = create_engine(database_uri(server.database_url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT bookings.billable_extra, bookings.extra_price FROM bookings"
                    " JOIN owners ON owners.id = bookings.owner_id"
                    " WHERE owners.slug = :slug AND bookings.status = 'confirmed'"
                    " AND bookings.client_email = :email"
                ),
                {"slug": owner, "email": CLIENT},
            ).all()
            return [(bool(extra), price) for extra, price in rows]
    finally:
        engine.dispose()


def test_ten_requests_for_the_last_included_place(server: LiveServer) -> None:
    monday = next_monday()
    # Two of the week's three places are taken first, one by one.
    for day in (0, 1):
        [(status, _)] = fire(
            server, "refusing", [(monday + timedelta(days=day, hours=9)).isoformat()]
        )
        assert status == 201
    # Ten distinct free slots on Wednesday, all at once: one place is left.
    wednesday = monday + timedelta(days=2, hours=9)
    starts = [(wednesday + timedelta(minutes=30 * i)).isoformat() for i in range(10)]
    results = fire(server, "refusing", starts)
    assert Counter(status for status, _ in results) == {201: 1, 422: 9}
    assert {body["error"] for status, body in results if status == 422} == {"quota_exceeded"}
    assert len(client_bookings(server, "refusing")) == 3


def test_ten_requests_beyond_a_billing_package(server: LiveServer) -> None:
    tuesday = next_monday() + timedelta(days=1, hours=9)
    starts = [(tuesday + timedelta(minutes=30 * i)).isoformat() for i in range(10)]
    results = fire(server, "billing", starts, accept_extra_charge=True)
    assert Counter(status for status, _ in results) == {201: 10}
    extras = [body["billable_extra"] for _, body in results]
    assert extras.count(None) == 1
    assert extras.count({"price": "60 EUR"}) == 9
    assert sorted(client_bookings(server, "billing"), key=str) == sorted(
        [(False, None)] + [(True, "60 EUR")] * 9, key=str
    )
