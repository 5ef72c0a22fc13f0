"""The guard under real concurrency: gunicorn with 4 worker processes, 50 simultaneous
requests, on SQLite and on PostgreSQL. Exactly the allowed number of bookings is created
and every refusal carries the contract's code."""

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
OFFERS = [
    {"slug": "short", "title": "Short", "duration": "30m"},
    {"slug": "long", "title": "Long", "duration": "60m"},
]


def owner_doc(slug: str, **limits: object) -> dict:
    return boundaries_doc(
        owner={"slug": slug, "name": slug.title(), "email": f"{slug}@example.org",
               "timezone": "Europe/Paris", "locale": "en"},
        hours=EVERY_DAY,
        limits={**LIMITS, **limits},
        offers=OFFERS,
    )  # fmt: skip


def target_day() -> datetime:
    day = datetime.now(UTC).astimezone(PARIS).date() + timedelta(days=7)
    return datetime.combine(day, time(0), PARIS)


@pytest.fixture(params=["sqlite", "postgresql"], scope="module")
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    tmp: Path = tmp_path_factory.mktemp(f"live-{request.param}")
    url = database_url(request.param, tmp, "cadre_live_test")
    if url is None:
        pytest.skip("TEST_DATABASE_URL is not set")
    live = LiveServer(url, workers=4)
    live.flask("db", "upgrade")
    live.load(
        [owner_doc("race"), owner_doc("overlap"), owner_doc("capped", max_bookings_per_day=4)], tmp
    )
    with live:
        yield live


def fire(server: LiveServer, requests_: list[tuple[str, str, str]]) -> list[tuple[int, dict]]:
    """POST all bookings at once (a barrier releases them together)."""
    barrier = threading.Barrier(len(requests_))

    def one(index: int) -> tuple[int, dict]:
        owner, offer, start = requests_[index]
        barrier.wait()
        response = requests.post(
            f"{server.base}/api/v1/{owner}/{offer}/bookings",
            json={"start": start, "name": f"Client {index}", "email": f"c{index}@example.com",
                  "accept_terms": True},
            timeout=60,
        )  # fmt: skip
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=len(requests_)) as pool:
        return list(pool.map(one, range(len(requests_))))


def confirmed(server: LiveServer, owner: str) -> int:
    engine = create_engine(database_uri(server.database_url))
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT count(*) FROM bookings JOIN owners"
                        " ON owners.id = bookings.owner_id"
                        " WHERE owners.slug = :slug AND bookings.status = 'confirmed'"
                    ),
                    {"slug": owner},
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_fifty_clients_race_for_one_slot(server: LiveServer) -> None:
    start = (target_day() + timedelta(hours=10)).isoformat()
    results = fire(server, [("race", "short", start)] * 50)
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 1, 409: 49}
    assert {body["error"] for status, body in results if status == 409} == {"slot_taken"}
    assert confirmed(server, "race") == 1


def test_overlapping_offers_race(server: LiveServer) -> None:
    day = target_day()
    short = (day + timedelta(hours=10)).isoformat()  # 10:00–10:30
    long = (day + timedelta(hours=9, minutes=30)).isoformat()  # 09:30–10:30
    results = fire(server, [("overlap", "short", short), ("overlap", "long", long)] * 25)
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 1, 409: 49}
    assert {body["error"] for status, body in results if status == 409} == {"slot_taken"}
    assert confirmed(server, "overlap") == 1


def test_ten_bookings_race_for_the_last_place_of_the_day(server: LiveServer) -> None:
    day = target_day() + timedelta(days=1)
    # Three of the four places are taken first, one by one.
    for hour in (8, 9, 10):
        [(status, _)] = fire(
            server, [("capped", "short", (day + timedelta(hours=hour)).isoformat())]
        )
        assert status == 201
    # Ten clients race for ten distinct free slots the same afternoon: one place is left.
    starts = [(day + timedelta(hours=14, minutes=30 * i)).isoformat() for i in range(10)]
    results = fire(server, [("capped", "short", start) for start in starts])
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 1, 422: 9}
    assert {body["error"] for status, body in results if status == 422} == {"daily_limit"}
    assert confirmed(server, "capped") == 4


def test_the_guard_still_holds_with_fifty_mixed_requests(server: LiveServer) -> None:
    """Ten slots, five clients each: exactly ten bookings, forty refusals."""
    day = target_day() + timedelta(days=2)
    starts = [(day + timedelta(hours=8, minutes=30 * i)).isoformat() for i in range(10)]
    results = fire(server, [("race", "short", start) for start in starts] * 5)
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 10, 409: 40}
    created = sorted(body["start"] for status, body in results if status == 201)
    assert created == sorted(starts)
