"""The boundaries editor's sections: posted text → a section of the boundaries document.

A section keeps what the owner typed as plain text (``raw``) until it is saved, so a page
re-rendered after an error, an added row or a removed one shows every keystroke. Saving
turns ``raw`` into the file's structure and replaces that part of the stored document;
``schedules.parse_boundaries`` then decides, exactly as for a file.

Buttons post ``action``: ``save``, ``preview``, ``add:<list>`` or ``remove:<list>[<i>]``.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from schedules import WEEKDAYS

from .paths import MAX_ROWS, integer_or_text, lines, rows

Raw = dict[str, Any]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return str(value)


def _blank(row: Mapping[str, str]) -> bool:
    return not any(str(value).strip() for value in row.values())


class Section:
    """One page of the editor. Subclasses say which lists have rows and how text maps."""

    name = ""
    title: Any = ""
    lists: tuple[str, ...] = ()

    def from_document(self, doc: Mapping[str, Any]) -> Raw:
        raise NotImplementedError

    def from_form(self, form: Mapping[str, str]) -> Raw:
        raise NotImplementedError

    def to_document(self, doc: Mapping[str, Any], raw: Raw) -> dict[str, Any]:
        raise NotImplementedError

    def fields(self, raw: Raw) -> list[str]:
        raise NotImplementedError

    def blank_row(self, list_name: str) -> Any:
        return ""

    # --- rows: the lists of a section live in ``raw`` under their list name ----------

    def _list(self, raw: Raw, list_name: str) -> list[Any]:
        rows_: list[Any] = raw[list_name]
        return rows_

    def apply(self, raw: Raw, action: str) -> bool:
        """Add or remove a row; False if ``action`` is not one of these."""
        verb, _, target = action.partition(":")
        if verb == "add" and target in self.lists:
            items = self._list(raw, target)
            if len(items) < MAX_ROWS:
                items.append(self.blank_row(target))
            return True
        if verb == "remove":
            match = re.fullmatch(r"(.+)\[([0-9]{1,4})\]", target)
            if match and match[1] in self.lists:
                items = self._list(raw, match[1])
                index = int(match[2])
                if index < len(items):
                    del items[index]
                return True
        return False

    def compact(self, raw: Raw) -> Raw:
        """Drop rows left empty (an empty row says nothing, so nothing typed is lost)."""
        out = copy.deepcopy(raw)
        for list_name in self.lists:
            items = self._list(out, list_name)
            items[:] = [
                item
                for item in items
                if (item.strip() if isinstance(item, str) else not _blank(item))
            ]
        return out


class HoursSection(Section):
    name = "hours"
    title = _l("Working hours")
    lists = tuple(f"hours.{day}" for day in WEEKDAYS)

    def from_document(self, doc: Mapping[str, Any]) -> Raw:
        hours = doc.get("hours") or {}
        return {f"hours.{day}": list(hours.get(day, [])) for day in WEEKDAYS}

    def from_form(self, form: Mapping[str, str]) -> Raw:
        return {
            name: [row.get(None, "").strip() for row in rows(form, name).values()]
            for name in self.lists
        }

    def to_document(self, doc: Mapping[str, Any], raw: Raw) -> dict[str, Any]:
        out = copy.deepcopy(dict(doc))
        out["hours"] = {day: list(raw[f"hours.{day}"]) for day in WEEKDAYS if raw[f"hours.{day}"]}
        return out

    def fields(self, raw: Raw) -> list[str]:
        paths = ["hours"]
        for name in self.lists:
            paths.append(name)
            paths += [f"{name}[{i}]" for i in range(len(raw[name]))]
        return paths


_CLOSED_KEYS = ("from", "to", "label")
_OVERRIDE_KEYS = ("date", "hours")


class DaysOffSection(Section):
    name = "days-off"
    title = _l("Days off and special dates")
    lists = ("closed", "override")

    def blank_row(self, list_name: str) -> Any:
        return dict.fromkeys(_CLOSED_KEYS if list_name == "closed" else _OVERRIDE_KEYS, "")

    def from_document(self, doc: Mapping[str, Any]) -> Raw:
        closed = [
            {key: _text(item.get(key)) for key in _CLOSED_KEYS} for item in doc.get("closed", [])
        ]
        override = [
            {"date": _text(item.get("date")), "hours": ", ".join(item.get("hours", []))}
            for item in doc.get("override", [])
        ]
        return {"closed": closed, "override": override}

    def from_form(self, form: Mapping[str, str]) -> Raw:
        return {
            "closed": [
                {key: row.get(key, "").strip() for key in _CLOSED_KEYS}
                for row in rows(form, "closed").values()
            ],
            "override": [
                {key: row.get(key, "").strip() for key in _OVERRIDE_KEYS}
                for row in rows(form, "override").values()
            ],
        }

    def to_document(self, doc: Mapping[str, Any], raw: Raw) -> dict[str, Any]:
        out = copy.deepcopy(dict(doc))
        closed = []
        for row in raw["closed"]:
            item: dict[str, Any] = {}
            if row["from"]:
                item["from"] = row["from"]
            # One day off: "to" may be left empty and means the same date.
            if row["to"] or row["from"]:
                item["to"] = row["to"] or row["from"]
            item["label"] = row["label"]
            closed.append(item)
        override = []
        for row in raw["override"]:
            entry: dict[str, Any] = {}
            if row["date"]:
                entry["date"] = row["date"]
            # Several ranges in one box, separated by commas; an empty box closes the date.
            entry["hours"] = [part.strip() for part in row["hours"].split(",") if part.strip()]
            override.append(entry)
        out["closed"] = closed
        out["override"] = override
        return out

    def fields(self, raw: Raw) -> list[str]:
        paths = ["closed", "override"]
        for i in range(len(raw["closed"])):
            paths += [f"closed[{i}]"] + [f"closed[{i}].{key}" for key in _CLOSED_KEYS]
        for i in range(len(raw["override"])):
            paths += [f"override[{i}]"] + [f"override[{i}].{key}" for key in _OVERRIDE_KEYS]
        return paths


LIMIT_KEYS = (
    "min_notice",
    "max_days_ahead",
    "slot_step",
    "buffer_before",
    "buffer_after",
    "max_bookings_per_day",
    "max_booked_per_day",
    "max_bookings_per_week",
    "stale_after",
    "on_stale_calendar",
)
_INTEGER_LIMITS = frozenset({"max_days_ahead", "max_bookings_per_day", "max_bookings_per_week"})


class LimitsSection(Section):
    name = "limits"
    title = _l("Booking limits")

    def from_document(self, doc: Mapping[str, Any]) -> Raw:
        limits = doc.get("limits") or {}
        return {f"limits.{key}": _text(limits.get(key)) for key in LIMIT_KEYS}

    def from_form(self, form: Mapping[str, str]) -> Raw:
        return {f"limits.{key}": form.get(f"limits.{key}", "").strip() for key in LIMIT_KEYS}

    def to_document(self, doc: Mapping[str, Any], raw: Raw) -> dict[str, Any]:
        out = copy.deepcopy(dict(doc))
        limits: dict[str, Any] = {}
        for key in LIMIT_KEYS:
            text = raw[f"limits.{key}"]
            if not text:
                continue  # left empty: the file's default (or no cap)
            limits[key] = integer_or_text(text) if key in _INTEGER_LIMITS else text
        out["limits"] = limits
        return out

    def fields(self, raw: Raw) -> list[str]:
        return ["limits", *raw]


POLICY_FIELDS = (
    "response.reply_within",
    "response.channels",
    "response.after_hours",
    "cancellation.free_until",
    "cancellation.late_fee",
    "terms.payment",
    "terms.late_payment_fee",
    "terms.refund",
    "terms.termination",
)
_OPTIONAL_DURATIONS = frozenset({"response.reply_within", "cancellation.free_until"})


class PoliciesSection(Section):
    name = "policies"
    title = _l("Replies, cancellation and terms")

    def from_document(self, doc: Mapping[str, Any]) -> Raw:
        raw: Raw = {}
        for path in POLICY_FIELDS:
            table, key = path.split(".")
            raw[path] = _text((doc.get(table) or {}).get(key))
        return raw

    def from_form(self, form: Mapping[str, str]) -> Raw:
        raw: Raw = {}
        for path in POLICY_FIELDS:
            text = form.get(path, "")
            raw[path] = text.strip() if path != "response.channels" else text
        return raw

    def to_document(self, doc: Mapping[str, Any], raw: Raw) -> dict[str, Any]:
        out = copy.deepcopy(dict(doc))
        tables: dict[str, dict[str, Any]] = {"response": {}, "cancellation": {}, "terms": {}}
        for path in POLICY_FIELDS:
            table, key = path.split(".")
            text = raw[path]
            if path == "response.channels":
                tables[table][key] = lines(text)
            elif path in _OPTIONAL_DURATIONS and not text:
                continue  # the file's default
            else:
                tables[table][key] = text
        out.update(tables)
        return out

    def fields(self, raw: Raw) -> list[str]:
        return ["response", "cancellation", "terms", *raw]


OFFER_KEYS = ("title", "slug", "duration", "price", "includes", "extras")


def slug_from(title: str) -> str:
    """``Atelier « Mieux gérer »`` → ``atelier-mieux-gerer`` (a suggestion for an empty slug)."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].strip("-")


class OffersSection(Section):
    name = "offers"
    title = _l("Offers")
    lists = ("offers",)

    def blank_row(self, list_name: str) -> Any:
        return dict.fromkeys(OFFER_KEYS, "")

    def from_document(self, doc: Mapping[str, Any]) -> Raw:
        return {
            "offers": [
                {key: _text(item.get(key)) for key in OFFER_KEYS} for item in doc.get("offers", [])
            ]
        }

    def from_form(self, form: Mapping[str, str]) -> Raw:
        return {
            "offers": [
                {
                    key: row.get(key, "") if key == "includes" else row.get(key, "").strip()
                    for key in OFFER_KEYS
                }
                for row in rows(form, "offers").values()
            ]
        }

    def to_document(self, doc: Mapping[str, Any], raw: Raw) -> dict[str, Any]:
        out = copy.deepcopy(dict(doc))
        offers = []
        for row in raw["offers"]:
            if not row["slug"] and row["title"]:
                row["slug"] = slug_from(row["title"])  # shown back to the owner after saving
            item: dict[str, Any] = {}
            for key in ("slug", "title", "duration"):
                if row[key]:
                    item[key] = row[key]
            item["price"] = row["price"]
            item["includes"] = lines(row["includes"])
            item["extras"] = row["extras"]
            offers.append(item)
        out["offers"] = offers
        return out

    def fields(self, raw: Raw) -> list[str]:
        paths = ["offers"]
        for i in range(len(raw["offers"])):
            paths += [f"offers[{i}]"] + [f"offers[{i}].{key}" for key in OFFER_KEYS]
        return paths


PROFILE_KEYS = ("name", "email", "timezone", "locale")


class ProfileSection(Section):
    name = "profile"
    title = _l("Your page")

    def from_document(self, doc: Mapping[str, Any]) -> Raw:
        owner = doc.get("owner") or {}
        return {f"owner.{key}": _text(owner.get(key)) for key in PROFILE_KEYS}

    def from_form(self, form: Mapping[str, str]) -> Raw:
        return {f"owner.{key}": form.get(f"owner.{key}", "").strip() for key in PROFILE_KEYS}

    def to_document(self, doc: Mapping[str, Any], raw: Raw) -> dict[str, Any]:
        out = copy.deepcopy(dict(doc))
        owner = dict(out.get("owner") or {})
        for key in PROFILE_KEYS:
            owner[key] = raw[f"owner.{key}"]
        out["owner"] = owner  # the slug stays: it is the page's address, not edited here
        return out

    def fields(self, raw: Raw) -> list[str]:
        return ["owner", "owner.slug", *raw]


SECTIONS: dict[str, Section] = {
    section.name: section
    for section in (
        HoursSection(),
        DaysOffSection(),
        LimitsSection(),
        PoliciesSection(),
        OffersSection(),
        ProfileSection(),
    )
}
