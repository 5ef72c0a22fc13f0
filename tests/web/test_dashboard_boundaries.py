"""The boundaries editor: each section saves through the file's validation, with its words.

Every refusal is compared with what ``parse_boundaries`` says for the same document, so
the editor and the boundaries file cannot drift apart. Clock: Monday 2027-01-04 09:00
in Paris.
"""

from __future__ import annotations

import copy
import io
import re
import tomllib

import pytest

from schedules import BoundariesError, dump_boundaries, load_boundaries, parse_boundaries
from tests.factories import boundaries_doc
from tests.web.dashboard_helpers import (
    EN,
    field_error,
    html,
    input_value,
    post,
    setup_owners,
    sign_in,
    stored_boundaries,
    token,
)


@pytest.fixture
def owner(app, client):
    owners = setup_owners(app)
    sign_in(client)
    return owners


def file_says(**sections) -> dict[str, str]:
    """What the boundaries file reports for this document: path → reason."""
    try:
        parse_boundaries(boundaries_doc(**sections))
    except BoundariesError as exc:
        return {error.field: error.reason for error in exc.errors}
    return {}


HOURS = {
    "hours.mon[0]": "09:00-12:30",
    "hours.mon[1]": "14:00-18:00",
    "hours.tue[0]": "09:00-12:30",
    "hours.tue[1]": "14:00-18:00",
    "hours.wed[0]": "09:00-12:30",
    "hours.thu[0]": "09:00-12:30",
    "hours.thu[1]": "14:00-18:00",
    "hours.fri[0]": "09:00-12:30",
}


def save(client, section, fields, action="save", csrf=True):
    return post(client, f"/dashboard/boundaries/{section}", {**fields, "action": action}, csrf=csrf)


def slot_times(client, day, offer="discovery"):
    body = client.get(f"/api/v1/camille/{offer}/slots?from={day}&to={day}").get_json()
    return [slot["start"][11:16] for slot in body["slots"]]


# --- working hours -------------------------------------------------------------------


def test_the_hours_page_shows_the_stored_ranges_and_a_preview(client, owner):
    page = html(client.get("/dashboard/boundaries/hours", headers=EN))
    assert input_value(page, "hours.mon[1]") == "14:00-18:00"
    assert input_value(page, "hours.sat[0]") is None  # Saturday is closed
    legends = re.findall(r'data-day="(\w+)">\s*<legend>(\w+)</legend>', page)
    assert legends[0] == ("mon", "Monday") and legends[6] == ("sun", "Sunday")
    assert "A message sent now is answered by" in page
    assert "Tuesday, January 5, 2027 at 9:30 AM" in page  # 8h of working time from Mon 09:00


def test_saving_hours_changes_the_public_page(app, client, owner):
    assert slot_times(client, "2027-01-09") == []  # a Saturday
    response = save(client, "hours", {**HOURS, "hours.sat[0]": "10:00-11:00", "hours.sat[1]": ""})
    assert response.status_code == 303
    assert stored_boundaries(app)["hours"]["sat"] == ["10:00-11:00"]
    assert slot_times(client, "2027-01-09") == ["10:00", "10:30"]
    assert "Saved." in html(client.get(response.headers["Location"], headers=EN))


BAD_HOURS = [
    ("14:00-13:00", "hours.mon[1]"),
    ("9h-10h", "hours.mon[1]"),
    ("14:00-00:00", "hours.mon[1]"),
    ("12:00-15:00", "hours.mon"),  # overlaps 09:00-12:30: the day's message
]


def test_bad_hours_get_the_files_message_on_their_field_and_nothing_changes(app, client, owner):
    before = stored_boundaries(app)
    for typed, path in BAD_HOURS:
        response = save(client, "hours", {**HOURS, "hours.mon[1]": typed})
        page = html(response)
        assert response.status_code == 400, typed
        expected = file_says(hours={"mon": ["09:00-12:30", typed]})
        assert list(expected) == [path], typed
        assert field_error(page, path) == expected[path], typed
        assert "1 problem: nothing was saved." in page
        assert input_value(page, "hours.mon[1]") == typed  # kept as typed
        assert input_value(page, "hours.fri[0]") == "09:00-12:30"
    assert stored_boundaries(app) == before


def test_adding_and_removing_rows_keeps_what_was_typed_and_saves_nothing(app, client, owner):
    before = stored_boundaries(app)
    typed = {**HOURS, "hours.mon[1]": "14:00-19:00"}
    added = html(save(client, "hours", typed, action="add:hours.sun"))
    assert input_value(added, "hours.sun[0]") == ""
    assert input_value(added, "hours.mon[1]") == "14:00-19:00"
    assert "Not saved yet" in added
    removed = html(save(client, "hours", typed, action="remove:hours.mon[0]"))
    assert input_value(removed, "hours.mon[0]") == "14:00-19:00"
    assert input_value(removed, "hours.mon[1]") is None
    assert stored_boundaries(app) == before
    assert save(client, "hours", typed, action="explode").status_code == 400


def test_an_emptied_day_is_closed_and_blank_rows_are_ignored(app, client, owner):
    fields = {**HOURS, "hours.fri[0]": "  ", "hours.mon[2]": ""}
    assert save(client, "hours", fields).status_code == 303
    hours = stored_boundaries(app)["hours"]
    assert "fri" not in hours
    assert hours["mon"] == ["09:00-12:30", "14:00-18:00"]


def test_preview_shows_the_draft_without_saving_it(app, client, owner):
    before = stored_boundaries(app)
    only_afternoons = {"hours.mon[0]": "14:00-18:00", "hours.tue[0]": "14:00-18:00"}
    page = html(save(client, "hours", only_afternoons, action="preview"))
    assert "This shows your changes. They are not saved yet." in page
    # 8h of working time from Monday 09:00 with only 14:00-18:00: Monday 4h + Tuesday 4h.
    assert "Tuesday, January 5, 2027 at 6:00 PM" in page
    assert input_value(page, "hours.mon[0]") == "14:00-18:00"
    assert stored_boundaries(app) == before


# --- days off and special dates ------------------------------------------------------


def test_days_off_and_special_dates_are_saved(app, client, owner):
    fields = {
        "closed[0].from": "2027-01-08",
        "closed[0].to": "",  # one day
        "closed[0].label": "Dentist",
        "override[0].date": "2027-01-05",
        "override[0].hours": "10:00-11:00, 15:00-16:00",
        "override[1].date": "2027-01-07",
        "override[1].hours": "",  # closed that date
    }
    assert save(client, "days-off", fields).status_code == 303
    doc = stored_boundaries(app)
    assert doc["closed"] == [{"from": "2027-01-08", "to": "2027-01-08", "label": "Dentist"}]
    assert doc["override"] == [
        {"date": "2027-01-05", "hours": ["10:00-11:00", "15:00-16:00"]},
        {"date": "2027-01-07", "hours": []},
    ]
    assert slot_times(client, "2027-01-05") == ["10:00", "10:30", "15:00", "15:30"]
    assert slot_times(client, "2027-01-08") == []
    page = html(client.get("/dashboard/boundaries/days-off", headers=EN))
    assert input_value(page, "override[0].hours") == "10:00-11:00, 15:00-16:00"


def test_bad_days_off_are_refused_with_the_files_messages(app, client, owner):
    fields = {
        "closed[0].from": "2027-01-08",
        "closed[0].to": "2027-01-06",
        "closed[0].label": "",
        "override[0].date": "2027-01-05",
        "override[0].hours": "10:00-11:00, 11-12",
        "override[1].date": "2027-01-05",
        "override[1].hours": "",
    }
    response = save(client, "days-off", fields)
    page = html(response)
    assert response.status_code == 400
    expected = file_says(
        closed=[{"from": "2027-01-08", "to": "2027-01-06", "label": ""}],
        override=[
            {"date": "2027-01-05", "hours": ["10:00-11:00", "11-12"]},
            {"date": "2027-01-05", "hours": []},
        ],
    )
    assert set(expected) == {"closed[0].to", "override[0].hours[1]", "override[1].date"}
    assert field_error(page, "closed[0].to") == expected["closed[0].to"]
    # A date's ranges share one box: the message for its second range lands on that box.
    assert field_error(page, "override[0].hours") == expected["override[0].hours[1]"]
    assert field_error(page, "override[1].date") == expected["override[1].date"]
    assert input_value(page, "override[0].hours") == "10:00-11:00, 11-12"


# --- limits, replies and terms, offers, page ----------------------------------------------


def test_limits_are_saved_and_an_empty_cap_means_none(app, client, owner):
    fields = {
        "limits.min_notice": "2h",
        "limits.max_days_ahead": "30",
        "limits.slot_step": "15m",
        "limits.buffer_before": "0m",
        "limits.buffer_after": "10m",
        "limits.max_bookings_per_day": "",
        "limits.max_booked_per_day": "4h",
        "limits.max_bookings_per_week": "10",
        "limits.stale_after": "",
        "limits.on_stale_calendar": "allow",
    }
    assert save(client, "limits", fields).status_code == 303
    limits = stored_boundaries(app)["limits"]
    assert limits["min_notice"] == "2h"
    assert limits["max_days_ahead"] == 30
    assert limits["max_bookings_per_week"] == 10
    assert "max_bookings_per_day" not in limits
    assert limits["stale_after"] == "6h"  # left empty: the default
    assert limits["on_stale_calendar"] == "allow"


def test_bad_limits_get_the_files_words(app, client, owner):
    fields = {
        "limits.max_days_ahead": "sixty",
        "limits.min_notice": "1 day",
        "limits.slot_step": "0m",
        "limits.max_bookings_per_week": "0",
    }
    response = save(client, "limits", fields)
    page = html(response)
    assert response.status_code == 400
    expected = file_says(
        limits={
            "max_days_ahead": "sixty",
            "min_notice": "1 day",
            "slot_step": "0m",
            "max_bookings_per_week": 0,
        }
    )
    assert len(expected) == 4
    for path, reason in expected.items():
        assert field_error(page, path) == reason
    assert input_value(page, "limits.max_days_ahead") == "sixty"


def test_replies_cancellation_and_terms_are_saved(app, client, owner):
    fields = {
        "response.reply_within": "4h",
        "response.channels": "e-mail\n\n  phone  \n",
        "response.after_hours": "Tomorrow.",
        "cancellation.free_until": "24h",
        "cancellation.late_fee": "Full price",
        "terms.payment": "On receipt",
        "terms.late_payment_fee": "",
        "terms.refund": "None",
        "terms.termination": "Any time",
    }
    assert save(client, "policies", fields).status_code == 303
    doc = stored_boundaries(app)
    assert doc["response"] == {
        "reply_within": "4h",
        "channels": ["e-mail", "phone"],
        "after_hours": "Tomorrow.",
    }
    assert doc["cancellation"] == {"free_until": "24h", "late_fee": "Full price"}
    assert doc["terms"]["payment"] == "On receipt"
    public = client.get("/api/v1/camille").get_json()
    # 4h of working time from Monday 09:00: 3h30 until 12:30, then 30 minutes from 14:00.
    assert public["reply_due_if_sent_now"].startswith("2027-01-04T14:30")
    refused = html(save(client, "policies", {**fields, "response.reply_within": "soon"}))
    expected = file_says(response={"reply_within": "soon"})["response.reply_within"]
    assert field_error(refused, "response.reply_within") == expected
    assert input_value(refused, "terms.refund") == "None"


def test_offers_can_be_added_and_a_link_name_is_made_from_the_title(app, client, owner):
    page = html(client.get("/dashboard/boundaries/offers", headers=EN))
    fields = {
        f"offers[{i}].{key}": input_value(page, f"offers[{i}].{key}") or ""
        for i in range(2)
        for key in ("title", "slug", "duration", "price", "includes", "extras")
    }
    fields.update(
        {
            "offers[2].title": "Atelier « Mieux gérer »",
            "offers[2].slug": "",
            "offers[2].duration": "90m",
            "offers[2].price": "150 €",
            "offers[2].includes": "slides\nworkbook",
            "offers[2].extras": "",
        }
    )
    assert save(client, "offers", fields).status_code == 303
    offers = stored_boundaries(app)["offers"]
    assert [o["slug"] for o in offers] == ["discovery", "session", "atelier-mieux-gerer"]
    assert offers[2]["includes"] == ["slides", "workbook"]
    assert client.get("/camille?offer=atelier-mieux-gerer").status_code == 200


def test_bad_offers_are_refused_and_the_last_offer_cannot_go(app, client, owner):
    duplicate = {
        "offers[0].title": "One",
        "offers[0].slug": "same",
        "offers[0].duration": "30m",
        "offers[1].title": "",
        "offers[1].slug": "same",
        "offers[1].duration": "25h",
    }
    page = html(save(client, "offers", duplicate))
    expected = file_says(
        offers=[
            {"title": "One", "slug": "same", "duration": "30m", "price": "", "includes": []},
            {"slug": "same", "duration": "25h", "price": "", "includes": []},
        ]
    )
    assert set(expected) == {"offers[1].title", "offers[1].duration", "offers[1].slug"}
    for path, reason in expected.items():
        assert field_error(page, path) == reason
    none_left = html(save(client, "offers", {}))
    assert field_error(none_left, "offers") == file_says(offers=[])["offers"]


def test_the_page_details_are_saved_but_the_link_is_not_editable(app, client, owner):
    fields = {
        "owner.name": "Camille M.",
        "owner.email": "hello@camille.example",
        "owner.timezone": "America/Montreal",
        "owner.locale": "en",
        "owner.slug": "stolen",  # not a field of the form: ignored
    }
    assert save(client, "profile", fields).status_code == 303
    owner_section = stored_boundaries(app)["owner"]
    assert owner_section["slug"] == "camille"
    assert owner_section["timezone"] == "America/Montreal"
    bad = html(save(client, "profile", {**fields, "owner.email": "nope", "owner.timezone": "X/Y"}))
    expected = file_says(owner={**boundaries_doc()["owner"], "email": "nope", "timezone": "X/Y"})
    assert field_error(bad, "owner.email") == expected["owner.email"]
    assert field_error(bad, "owner.timezone") == expected["owner.timezone"]


# --- import and export -------------------------------------------------------------------


def test_export_downloads_the_boundaries_file(app, client, owner):
    response = client.get("/dashboard/boundaries/export.toml")
    assert response.status_code == 200
    assert (
        response.headers["Content-Disposition"] == 'attachment; filename="camille-boundaries.toml"'
    )
    text = response.get_data(as_text=True)
    assert tomllib.loads(text)["owner"]["slug"] == "camille"
    assert load_boundaries(text) == parse_boundaries(stored_boundaries(app))


def test_import_replaces_the_boundaries(app, client, owner):
    doc = copy.deepcopy(stored_boundaries(app))
    doc["hours"] = {"sat": ["10:00-12:00"]}
    text = dump_boundaries(parse_boundaries(doc))
    data = {
        "csrf_token": token(client, "/dashboard/"),
        "file": (io.BytesIO(text.encode()), "b.toml"),
    }
    response = client.post("/dashboard/boundaries/file", data=data, headers=EN)
    assert response.status_code == 303
    assert stored_boundaries(app)["hours"] == {"sat": ["10:00-12:00"]}


def test_a_bad_file_changes_nothing_and_comes_back_to_be_fixed(app, client, owner):
    before = stored_boundaries(app)
    text = '[owner]\nslug = "camille"\n[limits]\nmin_notice = "soon"\n'
    data = {"csrf_token": token(client, "/dashboard/"), "text": text}
    response = client.post("/dashboard/boundaries/file", data=data, headers=EN)
    page = html(response)
    assert response.status_code == 400
    assert "problems: nothing was changed." in page
    with pytest.raises(BoundariesError) as caught:
        load_boundaries(text)
    for error in caught.value.errors:
        assert error.reason.replace('"', "&#34;") in page or error.reason in page
    assert "min_notice = &#34;soon&#34;" in page  # the text is back in the box
    assert stored_boundaries(app) == before


def test_someone_elses_file_is_refused(app, client, owner):
    text = dump_boundaries(parse_boundaries(boundaries_doc(owner={"slug": "other"})))
    data = {"csrf_token": token(client, "/dashboard/"), "text": text}
    page = html(client.post("/dashboard/boundaries/file", data=data, headers=EN))
    assert "this file is for the page &#34;other&#34;; yours is &#34;camille&#34;" in page
