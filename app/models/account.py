"""Owner logins: one account per owner, and the sign-in attempts that drive the lockout."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .owner import Owner


class OwnerAccount(db.Model):  # type: ignore[name-defined,misc]
    """The login of one owner: an e-mail address and a password hash (scrypt by default).

    ``email`` is the sign-in address, kept lowercased; it may differ from the contact
    address in the boundaries document. ``session_version`` is part of every session
    cookie: raising it (password change) signs every other browser out.
    ``password_hash`` is empty for accounts that only sign in with Google.
    """

    __tablename__ = "owner_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"), unique=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(512))
    google_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner: Mapped[Owner] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<OwnerAccount {self.email}>"


class LoginAttempt(db.Model):  # type: ignore[name-defined,misc]
    """One password sign-in attempt, kept for a day: failures per address drive the lockout.

    Attempts are recorded for unknown addresses too, so the lockout cannot be used to
    find out which addresses have an account.
    """

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_email_at", "email", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    address: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
