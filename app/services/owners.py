"""Owners and their boundaries: load a boundaries file into the database, read it back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import current_app
from sqlalchemy import inspect, select

from app.extensions import db
from app.models import CalendarSource, Owner, SourceKind
from schedules import (
    Boundaries,
    Offer,
    boundaries_to_dict,
    dump_boundaries,
    parse_boundaries,
)


class NotFound(LookupError):
    """An owner or offer that does not exist (or is not reachable through this owner)."""


@dataclass(frozen=True)
class SaveResult:
    owner: Owner
    created: bool
    changed: bool


def save_boundaries(boundaries: Boundaries) -> SaveResult:
    """Create or update the owner described by ``boundaries`` (idempotent), and commit.

    ICS calendars listed in the file become sources; sources no longer listed are removed
    (with their busy time); sources that stay keep their sync state.
    """
    document = boundaries_to_dict(boundaries)
    info = boundaries.owner
    owner = db.session.scalar(select(Owner).where(Owner.slug == info.slug))
    created = owner is None
    if owner is None:
        owner = Owner(slug=info.slug)
        db.session.add(owner)
    before = None if created else _owner_fields(owner)
    owner.name = info.name
    owner.email = info.email
    owner.timezone = info.timezone
    owner.locale = info.locale
    owner.boundaries = document
    db.session.flush()
    sources_changed = _sync_ics_sources(owner, boundaries)
    changed = created or sources_changed or before != _owner_fields(owner)
    db.session.commit()
    return SaveResult(owner=owner, created=created, changed=changed)


def _owner_fields(owner: Owner) -> tuple[Any, ...]:
    return (owner.name, owner.email, owner.timezone, owner.locale, owner.boundaries)


def _sync_ics_sources(owner: Owner, boundaries: Boundaries) -> bool:
    existing = db.session.scalars(
        select(CalendarSource).where(
            CalendarSource.owner_id == owner.id, CalendarSource.kind == SourceKind.ICS
        )
    ).all()
    by_url = {source.url: source for source in existing}
    wanted = {feed.ics: feed for feed in boundaries.calendars}
    changed = False
    for url, source in by_url.items():
        if url not in wanted:
            db.session.delete(source)
            changed = True
    for url, feed in wanted.items():
        source = by_url.get(url)
        if source is None:
            db.session.add(
                CalendarSource(owner_id=owner.id, kind=SourceKind.ICS, name=feed.name, url=url)
            )
            changed = True
        elif source.name != feed.name:
            source.name = feed.name
            changed = True
    return changed


def get_owner(slug: str) -> Owner:
    owner = db.session.scalar(select(Owner).where(Owner.slug == slug))
    if owner is None:
        raise NotFound(slug)
    return owner


def owner_boundaries(owner: Owner) -> Boundaries:
    """The owner's boundaries as core values (parsed once per stored version).

    An owner loaded with the document deferred (``public_owner``) is looked up by its
    ``availability_version``, which the database bumps on every change to the document
    (app/models/triggers.py) and which was read in the same row: a hit reads nothing more.
    Otherwise the document itself, as loaded or as edited in this session, is the key.
    """
    if "boundaries" in inspect(owner).dict:
        return _parse_cached(json.dumps(owner.boundaries, sort_keys=True))
    cache: dict[tuple[int, int], Boundaries] = current_app.extensions.setdefault(
        "cadre_boundaries_by_version", {}
    )
    key = (owner.id, owner.availability_version)
    found = cache.get(key)
    if found is None:
        found = _parse_cached(json.dumps(owner.boundaries, sort_keys=True))  # loads it
        if len(cache) >= 4096:
            cache.clear()
        cache[key] = found
    return found


def find_offer(boundaries: Boundaries, slug: str) -> Offer:
    for offer in boundaries.offers:
        if offer.slug == slug:
            return offer
    raise NotFound(slug)


def dump_owner(slug: str) -> str:
    return dump_boundaries(owner_boundaries(get_owner(slug)))


# Parsing validates the whole document; caching by its canonical JSON text means a
# request never re-validates a version it has already seen.
@lru_cache(maxsize=512)
def _parse_cached(document: str) -> Boundaries:
    return parse_boundaries(json.loads(document))
