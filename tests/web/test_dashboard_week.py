"""The week's energy meter: working hours, busy time, bookings and caps per day.

Owner camille: Monday, Tuesday, Thursday 09:00–12:30 + 14:00–18:00 (7h30), Wednesday and
Friday 09:00–12:30; caps 4 bookings and 5h a day, 12 a week. Week of Monday 2027-01-04.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.web.dashboard_helpers import EN, add_busy, html, insert_booking, setup_owners, sign_in


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 1, day, hour - 1, minute, tzinfo=UTC)  # January: UTC+1


@pytest.fixture
def owner(app, client, clock):
    owners = setup_owners(app)
    with app.app_context():
        a = owners.a_id
        # Tuesday: two 1-hour sessions, 1h30 busy in a calendar → 50 % of the caps.
        insert_booking(a, paris(5, 9), offer="session", title="Coaching session", minutes=60)
        insert_booking(a, paris(5, 10, 30), offer="session", title="Coaching", minutes=60)
        add_busy(a, paris(5, 14), paris(5, 15, 30), synced=clock.moment)
        # Wednesday: four calls → the daily count cap is reached.
        for hour in (9, 10, 11, 12):
            insert_booking(a, paris(6, hour), client=f"Client {hour}")
        # Thursday: three calls → 75 %, near the cap.
        for hour in (9, 10, 11):
            insert_booking(a, paris(7, hour), client=f"Thu {hour}")
        # Owner B's bookings and busy time never show here.
        insert_booking(owners.b_id, paris(5, 15), client="B client")
    sign_in(client)
    return owners


def row(page: str, day: str) -> str:
    match = re.search(rf'<tr data-day="{day}" class="level-(\w+)">(.*?)</tr>', page, re.S)
    assert match, f"no row for {day}"
    cells = re.sub(r"<[^>]+>", "|", match.group(2))
    return (
        match.group(1) + " " + " ".join(part.strip() for part in cells.split("|") if part.strip())
    )


def test_each_day_shows_hours_busy_time_bookings_and_its_caps(client, owner):
    page = html(client.get("/dashboard/week?week=2027-01-06", headers=EN))
    assert "Week of Monday, January 4, 2027" in page
    assert row(page, "2027-01-04") == (
        "calm Mon, Jan 4 7 hours 30 minutes — 0 of 4 0 minutes of 5 hours 7 hours 30 minutes 0 %"
    )
    assert row(page, "2027-01-05") == (
        "calm Tue, Jan 5 7 hours 30 minutes 1 hour 30 minutes 2 of 4 2 hours of 5 hours "
        "4 hours 50 %"
    )
    assert row(page, "2027-01-06").startswith("full Wed, Jan 6 3 hours 30 minutes — 4 of 4")
    assert row(page, "2027-01-06").endswith("100 % full")
    assert row(page, "2027-01-07").endswith("75 % near the cap")
    assert row(page, "2027-01-09") == "closed Sat, Jan 9 closed — 0 of 4 0 minutes of 5 hours — —"
    assert "This week: 9 of 12 bookings." in page


def test_the_meter_is_a_server_drawn_svg(client, owner):
    page = html(client.get("/dashboard/week?week=2027-01-04", headers=EN))
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg
    assert svg.count('class="booking"') == 9
    assert svg.count('class="busy"') == 1
    tuesday = svg.split('data-day="2027-01-05"', 1)[1].split("</g>\n    </g>", 1)[0]
    assert 'class="working"' in tuesday
    assert "Coaching session — Ana Client" in tuesday  # each booking's tooltip
    assert "<script" not in page.split('<main id="main"', 1)[1]


def test_weeks_can_be_browsed(client, owner, clock):
    page = html(client.get("/dashboard/week", headers=EN))
    assert "Week of Monday, January 4, 2027" in page
    assert 'href="/dashboard/week?week=2027-01-11"' in page
    assert 'href="/dashboard/week?week=2026-12-28"' in page
    later = html(client.get("/dashboard/week?week=2027-01-13", headers=EN))
    assert "Week of Monday, January 11, 2027" in later
    assert "This week: 0 of 12 bookings." in later
    clock.set(clock.moment + timedelta(days=7))
    assert "January 11" in html(client.get("/dashboard/week?week=not-a-date", headers=EN))
