"""Clients: who has booked (known by e-mail), their packages and what they used this period."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Booking, BookingStatus, Owner
from app.services.packages import PackageUsage, package_usage, packages_of
from schedules import normalize_email

# Clients seen in bookings from this long ago on (and every client with a package).
SEEN_WITHIN = timedelta(days=365)
CLIENTS_LIMIT = 500


@dataclass
class ClientRow:
    email: str
    name: str = ""
    upcoming: int = 0
    last_start: datetime | None = None
    packages: list[PackageUsage] = field(default_factory=list)


def clients_overview(owner: Owner, now: datetime) -> list[ClientRow]:
    """The owner's clients, by e-mail (compared without case): the name they last booked
    under, their upcoming confirmed bookings, and each package with this period's use."""
    rows: dict[str, ClientRow] = {}
    found = db.session.execute(
        select(
            func.lower(Booking.client_email),
            Booking.client_name,
            Booking.start,
            Booking.status,
        )
        .where(Booking.owner_id == owner.id, Booking.start >= now - SEEN_WITHIN)
        .order_by(Booking.start)
    ).all()
    for email, name, start, status in found:
        row = rows.setdefault(normalize_email(email), ClientRow(normalize_email(email)))
        row.name = name
        row.last_start = start
        if status is BookingStatus.CONFIRMED and start >= now:
            row.upcoming += 1
    for package in packages_of(owner.id):
        row = rows.setdefault(package.client_email, ClientRow(package.client_email))
        row.packages.append(package_usage(owner, package, now))
    ordered = sorted(rows.values(), key=lambda r: (not r.packages, r.email))
    return ordered[:CLIENTS_LIMIT]
