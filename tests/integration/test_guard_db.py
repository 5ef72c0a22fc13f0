"""The database's own guard, independent of the application's check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Booking, BookingStatus
from tests.factories import create_owner

START = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)


def raw_booking(owner_id: int, start: datetime, minutes: int, token: str, **fields) -> Booking:
    end = start + timedelta(minutes=minutes)
    return Booking(
        owner_id=owner_id,
        offer_slug="discovery",
        offer_title="Discovery call",
        start=start,
        end=end,
        occupied_start=start,
        occupied_end=end + timedelta(minutes=15),
        client_name="Ana",
        client_email="ana@example.com",
        manage_token_hash=token,
        **fields,
    )


def test_exclusion_constraint_refuses_overlap_on_postgresql(app, database):
    if database != "postgresql":
        pytest.skip("the exclusion constraint is PostgreSQL's; SQLite relies on BEGIN IMMEDIATE")
    with app.app_context():
        owner = create_owner()
        db.session.add(raw_booking(owner.id, START, 30, "a" * 64))
        db.session.commit()
        # Starts inside the first booking's 15-minute buffer.
        db.session.add(raw_booking(owner.id, START + timedelta(minutes=40), 30, "b" * 64))
        with pytest.raises(IntegrityError, match="bookings_no_overlap"):
            db.session.commit()
        db.session.rollback()
        # A cancelled booking does not hold its time; back-to-back after the buffer is fine.
        db.session.add(raw_booking(owner.id, START, 30, "c" * 64, status=BookingStatus.CANCELLED))
        db.session.add(raw_booking(owner.id, START + timedelta(minutes=45), 30, "d" * 64))
        db.session.commit()


def test_datetimes_come_back_aware_utc(app):
    with app.app_context():
        owner = create_owner()
        paris = datetime(2027, 1, 5, 10, 0).astimezone()  # any aware value
        db.session.add(raw_booking(owner.id, paris, 30, "e" * 64))
        db.session.commit()
        db.session.expire_all()
        booking = db.session.query(Booking).one()
        assert booking.start.tzinfo is UTC
        assert booking.start == paris


def test_naive_datetimes_are_refused(app):
    with app.app_context():
        owner = create_owner()
        db.session.add(raw_booking(owner.id, datetime(2027, 1, 5, 9, 0), 30, "f" * 64))
        with pytest.raises(Exception, match="aware datetime"):
            db.session.commit()
        db.session.rollback()
