"""Reading ICS feeds into UTC busy time: the corpus in tests/data, hand-checked.

Every expected instant below was worked out by hand from the zone's rules, e.g. Paris
moves from +01:00 to +02:00 on 2027-03-28, New York from −05:00 to −04:00 on 2027-03-14,
Lord Howe from +11:00 to +10:30 on 2027-04-04 (01:30–02:00 happens twice) and back on
2027-10-03 (02:00–02:30 never happens).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from integrations.ics import IcsCalendar, IcsError, content_hash, parse_busy
from schedules import Interval

from .ics_server import IcsServer, Static, corpus

YEAR = Interval(datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 12, 31, tzinfo=UTC))
PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


def z(text: str) -> datetime:
    """``"2027-03-15 09:00"`` as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def spans(*pairs: tuple[str, str]) -> list[Interval]:
    return [Interval(z(a), z(b)) for a, b in pairs]


CASES = {
    # RRULE weekly across Paris' spring change; EXDATE removes Apr 5, RDATE adds Wed
    # Mar 24, RECURRENCE-ID moves Mar 22 to 14:00. 10:00 local is 09:00Z, then 08:00Z.
    ("paris_weekly_dst.ics", "Europe/Paris"): spans(
        ("2027-03-15 09:00", "2027-03-15 10:00"),
        ("2027-03-22 13:00", "2027-03-22 14:00"),
        ("2027-03-24 09:00", "2027-03-24 10:00"),
        ("2027-03-29 08:00", "2027-03-29 09:00"),
        ("2027-04-12 08:00", "2027-04-12 09:00"),
    ),
    # THISANDFUTURE from Mar 15 moves the rest of the series to 11:00, across the change.
    ("new_york_thisandfuture.ics", "Europe/Paris"): spans(
        ("2027-03-12 14:00", "2027-03-12 14:30"),
        ("2027-03-13 14:00", "2027-03-13 14:30"),
        ("2027-03-14 13:00", "2027-03-14 13:30"),
        ("2027-03-15 15:00", "2027-03-15 15:30"),
        ("2027-03-16 15:00", "2027-03-16 15:30"),
    ),
    # 09:00 at +11:00 then at +10:30; 01:40–01:50 on Apr 4 happens twice (first at
    # +11:00, 14:40Z, then at +10:30, 15:10Z): busy over both. 02:10–02:20 on Oct 3 never
    # happens: both readings (+10:30 and +11:00) are covered.
    ("lord_howe_dst.ics", "Europe/Paris"): spans(
        ("2027-04-02 22:00", "2027-04-02 23:00"),
        ("2027-04-03 14:40", "2027-04-03 15:20"),
        ("2027-04-03 22:30", "2027-04-03 23:30"),
        ("2027-10-02 15:10", "2027-10-02 15:50"),
    ),
    # All-day events are the owner's local days; the holiday is TRANSP:TRANSPARENT;
    # Mar 28 in Paris is 23 hours long.
    ("all_day.ics", "Europe/Paris"): spans(
        ("2027-01-07 23:00", "2027-01-08 23:00"),
        ("2027-01-10 23:00", "2027-01-12 23:00"),
        ("2027-01-14 23:00", "2027-01-15 23:00"),
        ("2027-01-19 23:00", "2027-01-20 23:00"),
        ("2027-01-26 23:00", "2027-01-27 23:00"),
        ("2027-03-27 23:00", "2027-03-28 22:00"),
    ),
    ("all_day.ics", "America/New_York"): spans(
        ("2027-01-08 05:00", "2027-01-09 05:00"),
        ("2027-01-11 05:00", "2027-01-13 05:00"),
        ("2027-01-15 05:00", "2027-01-16 05:00"),
        ("2027-01-20 05:00", "2027-01-21 05:00"),
        ("2027-01-27 05:00", "2027-01-28 05:00"),
        ("2027-03-28 04:00", "2027-03-29 04:00"),
    ),
    # Floating times are the owner's wall clock, on each side of Paris' autumn change.
    ("floating.ics", "Europe/Paris"): spans(
        ("2027-01-05 09:00", "2027-01-05 10:30"),
        ("2027-10-30 07:00", "2027-10-30 08:00"),
        ("2027-10-31 08:00", "2027-10-31 09:00"),
    ),
    ("floating.ics", "America/New_York"): spans(
        ("2027-01-05 15:00", "2027-01-05 16:30"),
        ("2027-10-30 13:00", "2027-10-30 14:00"),
        ("2027-10-31 13:00", "2027-10-31 14:00"),
    ),
    # Transparent, cancelled, a cancelled instance, a zero-length reminder and a VTODO
    # are free; TENTATIVE is busy; DURATION instead of DTEND works.
    ("free_and_cancelled.ics", "Europe/Paris"): spans(
        ("2027-01-05 12:00", "2027-01-05 12:30"),
        ("2027-01-05 18:00", "2027-01-05 19:30"),
        ("2027-01-06 14:00", "2027-01-06 15:00"),
        ("2027-01-08 14:00", "2027-01-08 15:00"),
    ),
    # Windows names (with and without a VTIMEZONE); Outlook's BUSYSTATUS:FREE is free.
    ("windows_zones.ics", "Europe/Paris"): spans(
        ("2027-01-06 09:00", "2027-01-06 10:00"),
        ("2027-01-06 14:00", "2027-01-06 15:00"),
    ),
    # A zone defined only by the file's VTIMEZONE (+05:30) is honoured.
    ("custom_vtimezone.ics", "Europe/Paris"): spans(("2027-01-05 04:30", "2027-01-05 05:30")),
    # Google style: UTC times, and a floating time read in X-WR-TIMEZONE (New York).
    ("google_xwr.ics", "Europe/Paris"): spans(
        ("2027-01-05 15:00", "2027-01-05 16:00"),
        ("2027-01-06 14:00", "2027-01-06 15:00"),
    ),
}


@pytest.mark.parametrize(("name", "zone"), list(CASES), ids=[f"{n}-{z}" for n, z in CASES])
def test_corpus_busy_time_is_exact(name, zone):
    parsed = parse_busy(corpus(name), YEAR, ZoneInfo(zone))
    assert parsed.busy == CASES[name, zone]
    assert parsed.warnings == ()
    assert all(iv.start.utcoffset() == timedelta(0) for iv in parsed.busy)


def test_free_occurrences_are_counted_as_events_but_not_busy():
    parsed = parse_busy(corpus("free_and_cancelled.ics"), YEAR, PARIS)
    assert parsed.events == 8  # 7 VEVENT occurrences + the cancelled instance; no VTODO
    assert len(parsed.busy) == 4


@pytest.mark.parametrize(
    ("zone", "expected"),
    [("Europe/Paris", "2027-01-05 09:00"), ("America/New_York", "2027-01-05 15:00")],
)
def test_unknown_tzid_is_read_in_the_owner_zone_with_a_warning(zone, expected):
    parsed = parse_busy(corpus("unknown_tzid.ics"), YEAR, ZoneInfo(zone))
    assert Interval(z(expected), z(expected) + timedelta(hours=1)) in parsed.busy
    assert Interval(z("2027-01-05 15:00"), z("2027-01-05 16:00")) in parsed.busy
    (warning,) = parsed.warnings
    assert "Mars/Olympus_Mons" in warning and zone in warning


def test_only_the_window_is_expanded():
    window = Interval(z("2027-03-20 00:00"), z("2027-03-30 00:00"))
    parsed = parse_busy(corpus("paris_weekly_dst.ics"), window, PARIS)
    assert [iv.start for iv in parsed.busy] == [
        z("2027-03-22 13:00"),
        z("2027-03-24 09:00"),
        z("2027-03-29 08:00"),
    ]


def test_overlapping_events_are_merged():
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
        b"BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20270101T000000Z\r\n"
        b"DTSTART:20270105T090000Z\r\nDTEND:20270105T100000Z\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:b\r\nDTSTAMP:20270101T000000Z\r\n"
        b"DTSTART:20270105T093000Z\r\nDTEND:20270105T110000Z\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )
    parsed = parse_busy(data, YEAR, PARIS)
    assert parsed.busy == spans(("2027-01-05 09:00", "2027-01-05 11:00"))
    assert parsed.events == 2


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("login_page.html", "web page"),
        ("garbage.ics", "not an iCalendar file"),
        ("truncated.ics", "incomplete"),
        ("bad_rrule.ics", "recurrence rule"),
        ("bad_date.ics", "cannot be read"),
        ("no_dtstart.ics", "cannot be read"),
    ],
)
def test_malformed_feeds_raise_a_readable_error(name, reason):
    with pytest.raises(IcsError, match=reason):
        parse_busy(corpus(name), YEAR, PARIS)


def test_empty_body_is_an_error():
    with pytest.raises(IcsError, match="empty"):
        parse_busy(b"\r\n", YEAR, PARIS)


def test_content_hash_ignores_dtstamp_only():
    data = corpus("sync_week.ics")
    restamped = data.replace(b"DTSTAMP:20270101T120000Z", b"DTSTAMP:20270104T075959Z")
    assert restamped != data
    assert content_hash(restamped) == content_hash(data)
    moved = data.replace(b"20270105T090000", b"20270105T091500")
    assert content_hash(moved) != content_hash(data)


# --- the adapter over HTTP ----------------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    with IcsServer() as running:
        yield running


WINDOW = Interval(z("2027-01-03 08:00"), z("2027-03-06 08:00"))


@pytest.mark.parametrize(("name", "zone"), list(CASES), ids=[f"{n}-{z}" for n, z in CASES])
def test_adapter_reads_each_corpus_file_over_http(server, name, zone):
    url = server.url(f"/data/{name}")
    result = IcsCalendar(url, ZoneInfo(zone), allow_loopback=True).fetch_busy(YEAR, {})
    assert result.busy is not None
    assert result.busy == [iv for iv in CASES[name, zone] if iv.start < YEAR.end]


def test_adapter_answers_unchanged_on_304_and_keeps_its_state(server):
    url = server.route("/etag.ics", Static(corpus("sync_week.ics")))
    adapter = IcsCalendar(url, PARIS, allow_loopback=True)
    first = adapter.fetch_busy(WINDOW, {})
    assert first.busy and first.state["etag"] and first.state["zone"] == "Europe/Paris"
    second = adapter.fetch_busy(WINDOW, first.state)
    assert second.unchanged and second.events == first.events
    assert second.state == first.state
    assert server.hits("/etag.ics")[-1]["If-None-Match"] == first.state["etag"]


def test_adapter_answers_unchanged_on_same_content_without_validators(server):
    body = corpus("sync_week.ics")
    url = server.route("/plain.ics", Static(body, validators=False))
    adapter = IcsCalendar(url, PARIS, allow_loopback=True)
    first = adapter.fetch_busy(WINDOW, {})
    server.route(
        "/plain.ics",
        Static(body.replace(b"20270101T120000Z", b"20270104T080000Z"), validators=False),
    )
    second = adapter.fetch_busy(WINDOW, first.state)
    assert second.unchanged
    assert "If-None-Match" not in server.hits("/plain.ics")[-1]
    server.route("/plain.ics", Static(corpus("sync_week_v2.ics"), validators=False))
    third = adapter.fetch_busy(WINDOW, second.state)
    assert third.busy == spans(("2027-01-05 13:00", "2027-01-05 14:00"))


def test_stored_result_is_not_reused_beyond_what_it_covered(server):
    url = server.route("/cover.ics", Static(corpus("sync_week.ics")))
    adapter = IcsCalendar(url, PARIS, allow_loopback=True)
    first = adapter.fetch_busy(WINDOW, {})
    # Two days later the window reaches past what was expanded: parse again, and ask
    # unconditionally (a 304 would leave nothing to parse).
    later = Interval(WINDOW.start + timedelta(days=2), WINDOW.end + timedelta(days=2))
    again = adapter.fetch_busy(later, first.state)
    assert not again.unchanged
    assert "If-None-Match" not in server.hits("/cover.ics")[-1]
    assert max(iv.end for iv in again.busy) > max(iv.end for iv in first.busy)


def test_stored_result_is_not_reused_after_a_zone_change(server):
    url = server.route("/zone.ics", Static(corpus("floating.ics")))
    paris = IcsCalendar(url, PARIS, allow_loopback=True).fetch_busy(YEAR, {})
    new_york = IcsCalendar(url, NEW_YORK, allow_loopback=True).fetch_busy(YEAR, paris.state)
    assert not new_york.unchanged
    assert new_york.busy == CASES["floating.ics", "America/New_York"]
