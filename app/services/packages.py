"""Client packages: add, list and remove them; load what the booking guard needs.

The rule itself lives in ``schedules.packages``; this module reads and writes rows.
``client_quota`` is called by ``create_booking`` and ``reschedule_booking`` *inside*
their guarded transaction, so the client's bookings it counts are as fresh as the lock:
two concurrent requests of one client cannot both take the last included place.
Writes of packages take the same guard, so "at most one package of a client covers an
offer" holds even if two are added at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email
from flask import has_request_context
from flask_babel import gettext
from sqlalchemy import func, select

from app.database import guarded_write
from app.extensions import db
from app.models import Booking, BookingStatus, ClientPackage, Owner
from schedules import (
    BEYOND,
    PERIODS,
    Boundaries,
    ClientBooking,
    Package,
    Quota,
    Usage,
    covering,
    local_date,
    normalize_email,
    period_span,
    usage,
)

EMAIL_MAX = 320
PRICE_MAX = 200
COUNT_MAX = 1000


def _(text: str, **variables: object) -> str:
    """Translated in a request (the dashboard), plain English outside one (the CLI)."""
    if has_request_context():
        return gettext(text, **variables)
    return text % variables if variables else text


class PackageError(ValueError):
    """A package that cannot be saved; ``fields`` names each bad field with the reason."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


def clean_client_email(value: str | None) -> str:
    """A client's address as packages store it; raises ``PackageError`` if it is not one."""
    value = (value or "").strip()
    if not value:
        raise PackageError({"email": _("an e-mail address is required")})
    if len(value) > EMAIL_MAX:
        raise PackageError({"email": _("at most %(n)d characters", n=EMAIL_MAX)})
    try:
        normalized = validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        raise PackageError({"email": _("this is not a valid e-mail address")}) from None
    return normalize_email(normalized)


def add_package(
    owner: Owner,
    boundaries: Boundaries,
    email: str | None,
    *,
    per: str | None,
    count: int | None,
    offers: Sequence[str] | None,
    beyond: str | None,
    price: str | None = None,
) -> ClientPackage:
    """Give the client ``email`` a package; commit. Raises ``PackageError`` naming every bad
    field (texts in the request's language: the dashboard shows them as they are).

    ``offers`` None (or empty) covers every offer; named offers must exist. A client's
    packages may not cover the same offer twice.
    """
    errors: dict[str, str] = {}
    client = ""
    try:
        client = clean_client_email(email)
    except PackageError as exc:
        errors.update(exc.fields)
    slugs = sorted(set(offers)) if offers else None
    known = [offer.slug for offer in boundaries.offers]
    unknown = [slug for slug in slugs or () if slug not in known]
    if unknown:
        errors["offers"] = _(
            "no such offer: %(names)s (offers: %(known)s)",
            names=", ".join(unknown),
            known=", ".join(known),
        )
    if per not in PERIODS:
        errors["per"] = _("choose week or month")
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= COUNT_MAX:
        errors["count"] = _("a whole number from 0 to %(n)d", n=COUNT_MAX)
    price = (price or "").strip() or None
    if beyond not in BEYOND:
        errors["beyond"] = _("choose refuse or bill")
    elif beyond == "bill" and price is None:
        errors["price"] = _("billed extras need a price")
    elif beyond == "refuse" and price is not None:
        errors["price"] = _("a price only applies to billed extras")
    if price is not None and len(price) > PRICE_MAX:
        errors["price"] = _("at most %(n)d characters", n=PRICE_MAX)
    if errors:
        raise PackageError(errors)
    package = Package(
        client,
        count,  # type: ignore[arg-type]
        per,  # type: ignore[arg-type]
        offers=None if slugs is None else frozenset(slugs),
        beyond=beyond,  # type: ignore[arg-type]
        extra_price=price or "",
    )
    with guarded_write(owner.id):
        for existing in client_packages(owner.id, client):
            if existing.to_package().overlaps(package):
                raise PackageError(
                    {
                        "offers": _(
                            "this client's package %(id)d already covers these offers",
                            id=existing.id,
                        )
                    }
                )
        row = ClientPackage(
            owner_id=owner.id,
            client_email=client,
            offers=slugs,
            per=per,
            count=count,
            beyond=beyond,
            extra_price=price,
        )
        db.session.add(row)
        db.session.flush()
    return row


def remove_package(package_id: int, owner_id: int | None = None) -> str | None:
    """Delete a package (one of ``owner_id``'s, if given) and commit; return its client's
    e-mail, or None if there is no such package.

    Bookings already made keep their billing; the client simply has no quota any more.
    """
    row = db.session.get(ClientPackage, package_id)
    if row is None or (owner_id is not None and row.owner_id != owner_id):
        return None
    with guarded_write(row.owner_id):
        row = db.session.get(ClientPackage, package_id)
        if row is None:
            return None
        email = row.client_email
        db.session.delete(row)
    return email


def packages_of(owner_id: int) -> list[ClientPackage]:
    """All the owner's packages, by client then age."""
    return list(
        db.session.scalars(
            select(ClientPackage)
            .where(ClientPackage.owner_id == owner_id)
            .order_by(ClientPackage.client_email, ClientPackage.id)
        ).all()
    )


def client_packages(owner_id: int, email: str) -> list[ClientPackage]:
    return list(
        db.session.scalars(
            select(ClientPackage)
            .where(
                ClientPackage.owner_id == owner_id,
                ClientPackage.client_email == normalize_email(email),
            )
            .order_by(ClientPackage.id)
        ).all()
    )


def client_bookings(
    owner_id: int,
    email: str,
    since: datetime,
    until: datetime | None,
    exclude_id: str | None = None,
) -> list[ClientBooking]:
    """The client's bookings (any status) starting in ``[since, until)``, for the core."""
    query = select(Booking.offer_slug, Booking.start, Booking.billable_extra, Booking.status).where(
        Booking.owner_id == owner_id,
        func.lower(Booking.client_email) == normalize_email(email),
        Booking.start >= since,
    )
    if until is not None:
        query = query.where(Booking.start < until)
    if exclude_id is not None:
        query = query.where(Booking.id != exclude_id)
    return [
        ClientBooking(
            offer, start, billable_extra=bool(extra), active=status is BookingStatus.CONFIRMED
        )
        for offer, start, extra, status in db.session.execute(query).all()
    ]


def client_quota(
    owner_id: int,
    email: str,
    offer_slug: str,
    zone: ZoneInfo,
    *,
    start: datetime | None = None,
    since: datetime | None = None,
    exclude_id: str | None = None,
    moving: bool = False,
) -> Quota | None:
    """The client's package covering ``offer_slug`` with the bookings the rule must count;
    None when no package covers it (no quota applies).

    For one decision give ``start``: the bookings of the period holding it are read. For a
    listing give ``since``: those of every period from the one holding it on. ``moving``
    is for moving a booking (``exclude_id``): beyond the allowance it is refused, never billed.
    """
    package = covering([row.to_package() for row in client_packages(owner_id, email)], offer_slug)
    if package is None:
        return None
    if moving and package.beyond == "bill":
        package = replace(package, beyond="refuse", extra_price="")
    if start is not None:
        span = period_span(package.per, local_date(start, zone), zone)
        low, high = span.start, span.end
    elif since is not None:
        # A day earlier: a listing in the client's zone may begin on the owner's yesterday.
        low = period_span(package.per, local_date(since, zone) - timedelta(days=1), zone).start
        high = None
    else:
        raise ValueError("client_quota needs start or since")
    return Quota(package, tuple(client_bookings(owner_id, email, low, high, exclude_id)))


def moving_quota(
    booking: Booking,
    offer_slug: str,
    zone: ZoneInfo,
    *,
    start: datetime | None = None,
    since: datetime | None = None,
) -> Quota | None:
    """The quota that applies to moving ``booking`` (to ``start``, or for a listing ``since``).

    An included booking may only move into a period with an included place left, not
    counting itself; a billable extra stays an extra at its price, so no quota applies.
    """
    if booking.billable_extra:
        return None
    return client_quota(
        booking.owner_id,
        booking.client_email,
        offer_slug,
        zone,
        start=start,
        since=since,
        exclude_id=booking.id,
        moving=True,
    )


def extra_charge_agreed(accept: bool | str | None, price: str) -> bool:
    """Whether the client agreed to pay ``price`` for an extra.

    ``True`` agrees to the package's current price; a string agrees only to that price
    (the page sends the price it showed, so a price changed in between is asked again).
    """
    if accept is True:
        return True
    return isinstance(accept, str) and accept.strip() == price.strip()


@dataclass(frozen=True)
class PackageUsage:
    row: ClientPackage
    package: Package
    usage: Usage


def package_usage(owner: Owner, row: ClientPackage, now: datetime) -> PackageUsage:
    """How much of the package the client has used in the period holding today (owner's zone)."""
    zone = ZoneInfo(owner.timezone)
    package = row.to_package()
    today: date = local_date(now, zone)
    span = period_span(package.per, today, zone)
    bookings = client_bookings(owner.id, row.client_email, span.start, span.end)
    return PackageUsage(row, package, usage(package, bookings, today, zone))
