from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from schedules import Package

from .types import UTCDateTime, utcnow


class ClientPackage(db.Model):  # type: ignore[name-defined,misc]
    """What one client's offer includes: ``count`` bookings per week or month, then refuse or bill.

    ``client_email`` is stored normalized (``schedules.normalize_email``: trimmed, lower
    case) and bookings are matched on their lower-cased address. ``offers`` is a JSON list
    of offer slugs, or NULL for every offer. At most one package of a client covers a given
    offer; the service checks it under the owner's guard.
    """

    __tablename__ = "client_packages"
    __table_args__ = (
        Index("ix_client_packages_owner_email", "owner_id", "client_email"),
        CheckConstraint("count >= 0", name="count_not_negative"),
        CheckConstraint("per IN ('week', 'month')", name="per_known"),
        CheckConstraint("beyond IN ('refuse', 'bill')", name="beyond_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"))
    client_email: Mapped[str] = mapped_column(String(320))
    offers: Mapped[list[str] | None] = mapped_column(JSON)
    per: Mapped[str] = mapped_column(String(8))
    count: Mapped[int] = mapped_column(Integer)
    beyond: Mapped[str] = mapped_column(String(8))
    extra_price: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def to_package(self) -> Package:
        """The core's value for this row."""
        return Package(
            client_email=self.client_email,
            count=self.count,
            per=self.per,  # type: ignore[arg-type]
            offers=None if self.offers is None else frozenset(self.offers),
            beyond=self.beyond,  # type: ignore[arg-type]
            extra_price=self.extra_price or "",
        )

    def __repr__(self) -> str:
        return f"<ClientPackage {self.id} {self.client_email} {self.count}/{self.per}>"
