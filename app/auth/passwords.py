"""Password hashing: werkzeug's scrypt (memory-hard, no extra dependency).

The method is configurable (``PASSWORD_HASH_METHOD``) so tests can use a cheap
``scrypt:1024:8:1``; every stored hash names its own parameters, so raising them later
keeps old hashes valid and ``needs_rehash`` upgrades them at the next sign-in.
"""

from __future__ import annotations

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

DEFAULT_METHOD = "scrypt:32768:8:1"
PASSWORD_MIN = 10
# scrypt reads the whole input: cap it so a megabyte "password" costs nothing.
PASSWORD_MAX = 1024

# A real hash of a random string: checking a password against it takes as long as
# against an account's, so a sign-in for an unknown address is not faster.
_DUMMY: dict[str, str] = {}


def method() -> str:
    return str(current_app.config.get("PASSWORD_HASH_METHOD") or DEFAULT_METHOD)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=method())


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored``; takes a hash's time even without one."""
    if len(password) > PASSWORD_MAX:
        return False
    if not stored:
        key = method()
        if key not in _DUMMY:
            _DUMMY[key] = generate_password_hash("not-a-password", method=key)
        check_password_hash(_DUMMY[key], password)
        return False
    return check_password_hash(stored, password)


def needs_rehash(stored: str) -> bool:
    """True when ``stored`` was made with other parameters than today's method."""
    return not stored.startswith(method() + "$")
