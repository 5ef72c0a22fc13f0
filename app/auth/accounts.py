"""Account use cases: sign up, sign in (with the lockout), change the password, attach a login.

Each function owns its transaction and commits (or rolls back) before it returns.
Field problems come back as ``AccountError`` (field name → reason); a new owner's details
are validated by ``schedules.parse_boundaries``, so a slug or a time zone is refused here
with the very words the boundaries file would use.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from app.clock import now as clock_now
from app.extensions import db
from app.models import LoginAttempt, Owner, OwnerAccount
from app.public.validation import clean_email
from schedules import Boundaries, BoundariesError, boundaries_to_dict, parse_boundaries

from .passwords import PASSWORD_MAX, PASSWORD_MIN, hash_password, needs_rehash, verify_password

ATTEMPTS_KEPT = timedelta(days=1)
_OWNER_FIELDS = {
    "owner.slug": "slug",
    "owner.name": "name",
    "owner.email": "email",
    "owner.timezone": "timezone",
    "owner.locale": "locale",
}


class AccountError(ValueError):
    """Refused input: ``fields`` maps a form field to the reason."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


def normalize_email(value: str) -> str:
    return value.strip().lower()


def starter_document(
    slug: str, name: str, email: str, timezone: str, locale: str
) -> dict[str, Any]:
    """A new owner's boundaries: weekdays 9–12 and 14–17, one 30-minute call, calm limits.

    Everything here is a starting point the owner edits in the dashboard.
    """
    weekday = ["09:00-12:00", "14:00-17:00"]
    call = "Appel découverte" if locale == "fr" else "Discovery call"
    return {
        "owner": {
            "slug": slug,
            "name": name,
            "email": email,
            "timezone": timezone,
            "locale": locale,
        },
        "hours": {day: list(weekday) for day in ("mon", "tue", "wed", "thu", "fri")},
        "limits": {
            "min_notice": "24h",
            "max_days_ahead": 60,
            "buffer_after": "15m",
            "slot_step": "30m",
            "max_bookings_per_day": 4,
        },
        "response": {"reply_within": "24h"},
        "cancellation": {"free_until": "24h"},
        "offers": [{"slug": "discovery", "title": call, "duration": "30m", "price": ""}],
    }


def check_new_password(password: str, field: str = "password") -> None:
    if len(password) < PASSWORD_MIN:
        raise AccountError({field: _("at least %(n)d characters", n=PASSWORD_MIN)})
    if len(password) > PASSWORD_MAX:
        raise AccountError({field: _("at most %(n)d characters", n=PASSWORD_MAX)})


def check_email(value: str, field: str = "email") -> str:
    """A well-formed address, lowercased; ``AccountError`` naming ``field`` otherwise."""
    email, error = clean_email(value)
    if error or email is None:
        raise AccountError({field: error or _("this is not a valid e-mail address")})
    return normalize_email(email)


def _new_owner(boundaries: Boundaries, now: datetime) -> Owner:
    """An owner row for a validated starter document (not yet added to the session)."""
    info = boundaries.owner
    return Owner(
        slug=info.slug,
        name=info.name,
        email=info.email,
        timezone=info.timezone,
        locale=info.locale,
        boundaries=boundaries_to_dict(boundaries),
        created_at=now,
        updated_at=now,
    )


@dataclass(frozen=True)
class SignupInput:
    name: str
    email: str
    password: str
    slug: str
    timezone: str
    locale: str


def signup(data: SignupInput, now: datetime) -> OwnerAccount:
    """Create an owner (starter boundaries) and their login in one transaction."""
    errors: dict[str, str] = {}
    try:
        email = check_email(data.email)
    except AccountError as exc:
        errors.update(exc.fields)
        email = data.email.strip()
    try:
        check_new_password(data.password)
    except AccountError as exc:
        errors.update(exc.fields)
    document = starter_document(
        data.slug.strip(), data.name.strip(), email, data.timezone, data.locale
    )
    try:
        boundaries = parse_boundaries(document)
    except BoundariesError as exc:
        for item in exc.errors:
            errors.setdefault(_OWNER_FIELDS.get(item.field, "form"), item.reason)
        boundaries = None
    if not errors and db.session.scalar(select(OwnerAccount.id).where(OwnerAccount.email == email)):
        errors["email"] = _("An account with this e-mail address exists. Sign in instead.")
    if not errors and db.session.scalar(
        select(Owner.id).where(Owner.slug == document["owner"]["slug"])
    ):
        errors["slug"] = _("This link is taken. Please choose another.")
    if errors or boundaries is None:
        db.session.rollback()
        raise AccountError(errors)
    owner = _new_owner(boundaries, now)
    account = OwnerAccount(
        owner=owner,
        email=email,
        password_hash=hash_password(data.password),
        created_at=now,
        password_changed_at=now,
        last_login_at=now,
    )
    db.session.add_all([owner, account])
    try:
        db.session.commit()
    except IntegrityError:
        # Someone took the link or the address between our check and this commit.
        db.session.rollback()
        raise AccountError({"slug": _("This link is taken. Please choose another.")}) from None
    return account


@dataclass(frozen=True)
class SignIn:
    """The outcome of a password sign-in: an account, or a refusal (maybe a lockout)."""

    account: OwnerAccount | None = None
    locked_until: datetime | None = None


def lockout_settings() -> tuple[int, timedelta]:
    config = current_app.config
    return int(config["LOGIN_MAX_FAILURES"]), timedelta(seconds=int(config["LOGIN_LOCKOUT_S"]))


def locked_until(email: str, now: datetime) -> datetime | None:
    """When sign-ins for ``email`` open again, if ``LOGIN_MAX_FAILURES`` failed in a row
    within the last ``LOGIN_LOCKOUT_S`` (a success resets the count); else None."""
    limit, window = lockout_settings()
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(True)
        )
    )
    since = max(now - window, last_success) if last_success else now - window
    failures = db.session.scalars(
        select(LoginAttempt.at)
        .where(
            LoginAttempt.email == email,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at > since,
        )
        .order_by(LoginAttempt.at.desc())
        .limit(limit)
    ).all()
    if len(failures) < limit:
        return None
    return failures[-1] + window


def authenticate(email: str, password: str, address: str | None, now: datetime) -> SignIn:
    """Check a password sign-in and record it. While locked, the password is not even read.

    Unknown addresses are answered exactly like wrong passwords (same time, same lockout).
    """
    email = normalize_email(email)[:320]
    until = locked_until(email, now)
    if until is not None:
        db.session.rollback()
        return SignIn(locked_until=until)
    account = account_by_email(email)
    stored = account.password_hash if account is not None else None
    ok = verify_password(stored, password) and account is not None
    db.session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.email == email, LoginAttempt.at < now - ATTEMPTS_KEPT
        )
    )
    db.session.add(LoginAttempt(email=email, address=(address or "")[:64], at=now, succeeded=ok))
    if ok and account is not None:
        account.last_login_at = now
        if stored and needs_rehash(stored):
            account.password_hash = hash_password(password)
    db.session.commit()
    if not ok:
        return SignIn(locked_until=locked_until(email, now))
    return SignIn(account=account)


# --- forgotten passwords ------------------------------------------------------------------

RESET_VALID = timedelta(hours=1)


class _ClockSigner(TimestampSigner):
    """Timestamps from the app's clock, so the link's hour is the app's hour (and testable)."""

    def get_timestamp(self) -> int:
        return int(clock_now().timestamp())


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt="cadre-password-reset", signer=_ClockSigner
    )


def _reset_fingerprint(account: OwnerAccount) -> str:
    """Changes with the password and the session version: a link works once, and none
    survives a password change or a sign-out of every browser."""
    material = f"{account.id}|{account.password_hash or ''}|{account.session_version}"
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def reset_token(account: OwnerAccount) -> str:
    return str(_reset_serializer().dumps({"a": account.id, "f": _reset_fingerprint(account)}))


def account_for_reset(token: str) -> OwnerAccount | None:
    """The account a reset link is for, if it is genuine, under an hour old and unused."""
    try:
        data = _reset_serializer().loads(token, max_age=int(RESET_VALID.total_seconds()))
    except BadData:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("a"), int):
        return None
    account = db.session.get(OwnerAccount, data["a"])
    if account is None or not account.active:
        return None
    if not hmac.compare_digest(_reset_fingerprint(account), str(data.get("f", ""))):
        return None
    return account


def account_by_email(email: str) -> OwnerAccount | None:
    account = db.session.scalar(
        select(OwnerAccount).where(OwnerAccount.email == normalize_email(email)[:320])
    )
    return account if account is not None and account.active else None


def reset_password(account: OwnerAccount, new: str, address: str | None, now: datetime) -> None:
    """Set a new password from a reset link: other browsers are signed out, the link dies
    with the old password, and a lockout on the address is lifted (a success is recorded)."""
    _set_password(account, new, now)
    account.last_login_at = now
    db.session.add(
        LoginAttempt(email=account.email, address=(address or "")[:64], at=now, succeeded=True)
    )
    db.session.commit()


def change_email(account: OwnerAccount, current: str, new: str) -> str:
    """Sign in with another address from now on (the password is asked again). Returns the
    previous address, which the caller tells about the change."""
    if not verify_password(account.password_hash, current):
        raise AccountError({"email_password": _("This is not your current password.")})
    email = check_email(new, "new_email")
    if email == account.email:
        raise AccountError({"new_email": _("This is already the address you sign in with.")})
    taken = AccountError({"new_email": _("Another account signs in with this address.")})
    if db.session.scalar(select(OwnerAccount.id).where(OwnerAccount.email == email)):
        raise taken
    previous = account.email
    account.email = email
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # taken by another sign-up between the check and the commit
        raise taken from None
    return previous


def change_password(account: OwnerAccount, current: str, new: str, now: datetime) -> None:
    """Replace the password (the current one is asked again) and sign out other browsers."""
    if not verify_password(account.password_hash, current):
        raise AccountError({"current_password": _("This is not your current password.")})
    _set_password(account, new, now)
    db.session.commit()


def _set_password(account: OwnerAccount, new: str, now: datetime) -> None:
    """Check and store a new password; every other browser is signed out."""
    check_new_password(new, "new_password")
    account.password_hash = hash_password(new)
    account.password_changed_at = now
    account.session_version = (account.session_version or 1) + 1


@dataclass(frozen=True)
class AttachResult:
    account: OwnerAccount
    created_owner: bool
    created_account: bool


def attach_login(
    slug: str,
    email: str,
    password: str | None,
    now: datetime,
    *,
    name: str | None = None,
    timezone: str = "UTC",
    locale: str = "en",
) -> AttachResult:
    """Give owner ``slug`` a login (creating the owner with starter boundaries if needed).

    For an owner that already has a login, the address and (if given) the password are
    replaced and other sessions are signed out: the server's way to reset a password.
    """
    login = check_email(email)
    if password is not None:
        check_new_password(password)
    owner = db.session.scalar(select(Owner).where(Owner.slug == slug))
    created_owner = owner is None
    if owner is None:
        document = starter_document(slug, name or login.split("@")[0], login, timezone, locale)
        try:
            boundaries = parse_boundaries(document)
        except BoundariesError as exc:
            raise AccountError({item.field: item.reason for item in exc.errors}) from None
        owner = _new_owner(boundaries, now)
        db.session.add(owner)
        db.session.flush()
    taken = db.session.scalar(
        select(OwnerAccount).where(OwnerAccount.email == login, OwnerAccount.owner_id != owner.id)
    )
    if taken is not None:
        db.session.rollback()
        raise AccountError({"email": _("This address already signs in to another owner.")})
    account = db.session.scalar(select(OwnerAccount).where(OwnerAccount.owner_id == owner.id))
    created_account = account is None
    if account is None:
        account = OwnerAccount(owner_id=owner.id, email=login, created_at=now)
        db.session.add(account)
    elif password is not None or account.email != login:
        account.session_version = (account.session_version or 1) + 1
    account.email = login
    if password is not None:
        account.password_hash = hash_password(password)
        account.password_changed_at = now
    db.session.commit()
    return AttachResult(account, created_owner, created_account)
