"""A client's whole visit in headless Chromium, against the real server.

Camille (``examples/boundaries.toml``) works in Paris and writes in French; the clock is
Monday 2027-01-04 09:00 in Paris. Free cancellation ends 48 hours before a start, so a
booking for Tuesday morning is already inside the late window.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Booking, OutboxMail

pytestmark = pytest.mark.e2e

NY = "America/New_York"
TUE_0900_PARIS_IN_NY = "2027-01-05T03:00:00-05:00"


def test_a_new_york_client_books_a_paris_slot_and_cancels_late(live, new_page):
    page = new_page(timezone_id=NY, locale="en-US")
    page.goto(f"{live.url}/camille")
    # The script noticed the browser's zone and asked for the page in it.
    page.wait_for_url(re.compile(r"tz=America%2FNew_York"))
    assert page.locator("body").get_attribute("data-zone") == NY
    promise = page.locator("#reply-due")
    assert promise.get_attribute("datetime") == "2027-01-05T03:30:00-05:00"
    assert re.fullmatch(r"Tuesday, January 5, 2027 at 3:30\sAM", promise.inner_text())
    assert page.locator("#boundaries").is_visible()
    assert "Séance due en cas d'annulation" in page.locator("#boundaries").inner_text()

    # The day picker opened on the first day with free times (Monday is too soon).
    slot = page.locator(f'[data-slot-start="{TUE_0900_PARIS_IN_NY}"]')
    assert slot.is_visible()
    assert not page.locator('[data-day="2027-01-04"]').is_visible()
    slot.click()
    assert page.locator("[data-choice-summary]").inner_text().startswith("Your choice:")
    page.fill("#name", "Ana Client")
    page.fill("#email", "ana@example.com")
    page.fill("#message", "Looking forward to it")
    page.check("#accept_terms")
    page.click("text=Book this time")

    page.wait_for_selector("#confirmation")
    assert page.locator("#confirmation").inner_text() == "You’re booked"
    assert page.locator("#booking-start").get_attribute("datetime") == TUE_0900_PARIS_IN_NY
    facts = page.locator(".facts-list").inner_text()
    assert "3:00" in facts and "9:00" in facts and "Paris" in facts
    assert "cancelling now counts as late" in page.locator("#free-until").inner_text()
    assert page.locator("a[download]").get_attribute("href").endswith("/booking.ics")

    page.click("#manage-link")
    assert "Cancelling now is late" in page.locator("#policy").inner_text()
    page.click("text=Cancel this booking…")
    # The fee is on the screen before anything is cancelled.
    assert "Séance due" in page.locator("#late-fee").inner_text()
    assert live.query(lambda: db.session.scalars(select(Booking)).one().active)
    page.click("text=Cancel and accept the fee")
    page.wait_for_selector("#late-fee")
    assert page.locator("#booking-status").inner_text() == "Cancelled."
    assert "Late cancellation fee: Séance due" in page.locator("#late-fee").inner_text()

    booking = live.query(lambda: db.session.scalars(select(Booking)).one())
    assert booking.late_cancellation and booking.client_timezone == NY
    kinds = live.query(lambda: sorted(db.session.scalars(select(OutboxMail.kind)).all()))
    assert kinds.count("booking_confirmed") == 1 and kinds.count("booking_cancelled") == 1


def test_booking_without_javascript(live, new_page):
    page = new_page(java_script_enabled=False, locale="en-US", timezone_id=NY)
    page.goto(f"{live.url}/camille")
    assert page.locator("body").get_attribute("data-zone") == "Europe/Paris"  # nothing detected
    assert page.locator(".day-tabs").count() == 0
    # The no-JS zone field.
    page.select_option("#tz", NY)
    page.click("text=Show times")
    page.wait_for_url(re.compile(r"tz=America%2FNew_York"))
    page.locator('[data-slot-start="2027-01-06T03:00:00-05:00"]').click()
    page.fill("#name", "Noa Script")
    page.fill("#email", "noa@example.com")
    page.click("text=Book this time")
    # Forgot the terms: told so, with the slot and the typed fields kept.
    assert "the terms must be accepted" in page.locator("#accept_terms-error").inner_text()
    assert page.locator('input[value="2027-01-06T03:00:00-05:00"]').is_checked()
    assert page.input_value("#name") == "Noa Script"
    page.check("#accept_terms")
    page.click("text=Book this time")
    assert page.locator("#confirmation").inner_text() == "You’re booked"
    assert page.locator("#booking-start").get_attribute("datetime") == "2027-01-06T03:00:00-05:00"


def test_the_french_page_is_keyboard_usable_and_fits_a_phone(live, new_page):
    page = new_page(
        locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 360, "height": 780}
    )
    page.goto(f"{live.url}/camille")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("#boundaries h2").inner_text() == "Comment nous travaillons ensemble"
    assert page.locator("#reply-due").inner_text() == "mardi 5 janvier 2027 à 09:30"
    assert "Appel découverte" in page.locator("#offers").inner_text()
    # Nothing sticks out sideways on a 360 px screen, even with two zones' hours side by side.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(f"{live.url}/camille?tz=America/Los_Angeles&lang=en")
    assert page.locator("table.hours th").nth(1).inner_text().startswith("Your time")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(f"{live.url}/camille?lang=fr")

    tabs = page.locator(".day-tabs [role=tab]")
    assert tabs.nth(1).inner_text().startswith("mar. 5 janv.")
    assert tabs.nth(1).get_attribute("aria-selected") == "true"
    tabs.nth(1).focus()
    page.keyboard.press("ArrowRight")
    assert tabs.nth(2).get_attribute("aria-selected") == "true"
    assert page.evaluate("document.activeElement.getAttribute('role')") == "tab"
    assert page.locator('[data-day="2027-01-06"]').is_visible()
    assert not page.locator('[data-day="2027-01-05"]').is_visible()
    page.keyboard.press("Tab")  # into the day's times, then pick one with the keyboard
    page.keyboard.press("Space")
    checked = page.locator("input[name=start]:checked")
    assert checked.get_attribute("value") == "2027-01-06T09:00:00+01:00"
    outline = page.evaluate(
        "getComputedStyle(document.activeElement.nextElementSibling).outlineStyle"
    )
    assert outline == "solid"  # the focused time is visibly marked
