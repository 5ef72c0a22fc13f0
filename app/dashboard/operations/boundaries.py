"""Saving the boundaries from the dashboard: validate like a file, then the one save service.

The document is always checked by ``schedules.parse_boundaries`` (or ``load_boundaries``
for an uploaded file) and stored by ``app.services.owners.save_boundaries``, the service
behind ``flask policy load``: the editor, the import and the CLI cannot disagree.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from app import display
from app.models import Owner
from app.services.owners import dump_owner, owner_boundaries, save_boundaries
from schedules import (
    Boundaries,
    BoundariesError,
    FieldError,
    Offer,
    load_boundaries,
    parse_boundaries,
    reply_due,
)


def with_slug(owner: Owner, doc: Mapping[str, Any]) -> dict[str, Any]:
    """``doc`` addressed to ``owner`` (the dashboard never renames or creates an owner)."""
    out = copy.deepcopy(dict(doc))
    section = out.get("owner")
    out["owner"] = {**(section if isinstance(section, Mapping) else {}), "slug": owner.slug}
    return out


def validate(owner: Owner, doc: Mapping[str, Any]) -> Boundaries:
    """The document as boundaries, or ``BoundariesError`` with the file's messages."""
    return parse_boundaries(with_slug(owner, doc))


def save(owner: Owner, doc: Mapping[str, Any]) -> Boundaries:
    """Validate and store ``doc`` as ``owner``'s boundaries (commits).

    Raises ``BoundariesError`` (nothing stored) with the file's messages.
    """
    boundaries = validate(owner, doc)
    save_boundaries(boundaries)
    return boundaries


def import_file(owner: Owner, text: str) -> Boundaries:
    """Replace ``owner``'s boundaries with a boundaries file's. Nothing changes on an error.

    The file must be this owner's: its ``owner.slug`` is the page's address.
    """
    boundaries = load_boundaries(text)
    if boundaries.owner.slug != owner.slug:
        raise BoundariesError(
            [
                FieldError(
                    "owner.slug",
                    _(
                        'this file is for the page "%(file)s"; yours is "%(mine)s"',
                        file=boundaries.owner.slug,
                        mine=owner.slug,
                    ),
                )
            ]
        )
    save_boundaries(boundaries)
    return boundaries


def export_file(owner: Owner) -> str:
    return dump_owner(owner.slug)


@dataclass(frozen=True)
class Preview:
    """What the public page says about these boundaries, for the owner to check."""

    reply_due: datetime | None
    zone: ZoneInfo
    hours: list[display.HoursRow]
    days_off: list[display.DayOff]
    terms: list[display.Term]
    offers: tuple[Offer, ...]
    boundaries: Boundaries


def preview(boundaries: Boundaries, now: datetime) -> Preview:
    zone = ZoneInfo(boundaries.policy.timezone)
    today = display.today_for(now, zone)
    return Preview(
        reply_due=reply_due(boundaries.policy, now),
        zone=zone,
        hours=display.hours_rows(boundaries, zone, today),
        days_off=display.days_off(boundaries, today, zone),
        terms=display.terms_summary(boundaries),
        offers=boundaries.offers,
        boundaries=boundaries,
    )


def saved(owner: Owner) -> Boundaries:
    return owner_boundaries(owner)
