"""Form fields named by their place in the boundaries file, and errors put back on them.

Every input of the boundaries editor is named by its path in the file: ``hours.mon[1]``,
``limits.min_notice``, ``offers[2].title``. ``schedules.parse_boundaries`` reports
``FieldError("offers[2].title", "must not be empty")``: the same path, so each message
lands on the field it is about, worded exactly as for the file. A path with no field of
its own (``override[0].hours[1]`` when a date's hours are one text box) goes to the
closest field above it (``override[0].hours``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from schedules import FieldError

# ``hours.mon[0]``, ``closed[1].from``, ``offers[0].includes``: a list, an index, maybe a key.
_ROW = re.compile(
    r"^(?P<list>[a-z_]+(?:\.[a-z_]+)?)\[(?P<index>[0-9]{1,4})\](?:\.(?P<key>[a-z_]+))?$"
)
MAX_ROWS = 200  # more rows than any real policy has; bounds what one POST can allocate


def field_id(path: str) -> str:
    """An HTML id for a path: ``offers[2].title`` → ``f-offers-2-title``."""
    return "f-" + re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")


def rows(form: Mapping[str, str], list_name: str) -> dict[int, dict[str | None, str]]:
    """The rows of ``list_name`` posted in ``form``: index → {key (None for plain rows): text}."""
    found: dict[int, dict[str | None, str]] = {}
    for name, value in form.items():
        match = _ROW.match(name)
        if match is None or match["list"] != list_name:
            continue
        index = int(match["index"])
        if index >= MAX_ROWS:
            continue
        found.setdefault(index, {})[match["key"]] = value
    return dict(sorted(found.items()))


def lines(text: str) -> list[str]:
    """A textarea's non-blank lines, trimmed (one list item per line)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _covers(field_path: str, error_path: str) -> bool:
    if error_path == field_path:
        return True
    return error_path.startswith(field_path) and error_path[len(field_path)] in ".["


@dataclass
class Placed:
    """Errors sorted onto fields: ``at[path]`` lists the reasons shown beside that field."""

    at: dict[str, list[str]] = field(default_factory=dict)
    all: list[FieldError] = field(default_factory=list)

    def __call__(self, path: str) -> list[str]:
        return self.at.get(path, [])

    def anchor(self, error: FieldError) -> str | None:
        """The id of the field showing ``error`` (for the summary's links)."""
        for path, reasons in self.at.items():
            if _covers(path, error.field) and error.reason in reasons:
                return field_id(path)
        return None

    def __bool__(self) -> bool:
        return bool(self.all)


def place(errors: Iterable[FieldError], fields: Iterable[str]) -> Placed:
    """Put each error on the deepest field whose path contains the error's path."""
    known = sorted(set(fields), key=len, reverse=True)
    placed = Placed()
    for error in errors:
        placed.all.append(error)
        for path in known:
            if _covers(path, error.field):
                placed.at.setdefault(path, []).append(error.reason)
                break
    return placed


def integer_or_text(text: str) -> Any:
    """``"12"`` → 12 for the file's integer keys; anything else as typed, so the file's
    own message (``expected an integer, got "twelve"``) names the mistake."""
    stripped = text.strip()
    if re.fullmatch(r"-?[0-9]{1,9}", stripped):
        return int(stripped)
    return stripped
