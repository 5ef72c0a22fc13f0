"""The owner edits working hours in headless Chromium and the public page follows.

Camille (``examples/boundaries.toml``) works Monday to Friday; the clock is Monday
2027-01-04 09:00 in Paris. She signs in, opens Sundays 10:00–12:00 (after a typo the
page points out without losing anything), and her booking page offers Sunday times.
"""

from __future__ import annotations

import re

import pytest

from app.auth.accounts import attach_login
from tests.web.dashboard_helpers import CHEAP_HASH

pytestmark = pytest.mark.e2e

EMAIL, PASSWORD = "camille@login.example.org", "camille's password"
PARIS = "Europe/Paris"
SUNDAY = "2027-01-10"


def sunday_slots(page, live) -> int:
    page.goto(f"{live.url}/camille?tz={PARIS}&lang=en")
    return page.locator(f'[data-day="{SUNDAY}"] [data-slot-start]').count()


def test_editing_hours_changes_the_public_page(live, new_page):
    live.app.config["PASSWORD_HASH_METHOD"] = CHEAP_HASH
    live.query(lambda: attach_login("camille", EMAIL, PASSWORD, live.clock()))
    page = new_page(timezone_id=PARIS, locale="en-US")
    assert sunday_slots(page, live) == 0
    assert "Sunday" not in page.locator("table.hours").inner_text()

    # Signing in from the hours page brings the owner back to it.
    page.goto(f"{live.url}/dashboard/boundaries/hours")
    page.wait_for_url(re.compile(r"/login\?next="))
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_url(f"{live.url}/dashboard/boundaries/hours")

    # Sunday is closed: add a range; a typo is refused with the file's words, kept as typed.
    page.click("[data-add='hours.sun']")
    page.fill("input[name='hours.sun[0]']", "12:00-10:00")
    page.click("#save")
    error = page.locator("#f-hours-sun-0-error")
    assert error.inner_text() == '"12:00-10:00" ends before it starts'
    assert page.locator("input[name='hours.sun[0]']").input_value() == "12:00-10:00"
    assert page.locator("input[name='hours.mon[1]']").input_value() == "14:00-18:00"
    assert "1 problem: nothing was saved." in page.locator("#error-summary").inner_text()

    # Fixed, and saved with Enter (the form's first button is Save, not a row's Remove).
    page.fill("input[name='hours.sun[0]']", "10:00-12:00")
    page.press("input[name='hours.sun[0]']", "Enter")
    page.wait_for_selector(".notice.success")
    assert "Saved." in page.locator(".notice.success").inner_text()
    assert "Sunday" in page.locator("#preview-hours").inner_text()
    assert page.locator("input[name='hours.sun[0]']").input_value() == "10:00-12:00"

    assert sunday_slots(page, live) == 4  # 10:00 to 11:30 for the 30-minute first offer
    hours = page.locator("table.hours").inner_text()
    assert re.search(r"Sunday\s+10:00\sAM\s–\s12:00\sPM", hours), hours
