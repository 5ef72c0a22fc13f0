"""Encryption at rest for Google tokens (and the manage links kept for write-back).

``TOKEN_ENCRYPTION_KEYS`` is a comma-separated list of Fernet keys (each from
``Fernet.generate_key()``): the first encrypts, every one decrypts. Rotation:

1. put a new key in front: ``TOKEN_ENCRYPTION_KEYS=new,old`` and restart;
2. run ``flask --app wsgi google rotate-keys`` (re-encrypts every stored token with ``new``);
3. drop ``old`` from the list.

Without the setting (the embedded default), one key is derived from ``SECRET_KEY`` with
HKDF, so ``make run`` works without any setup; changing ``SECRET_KEY`` then makes stored
tokens unreadable and accounts show "reconnect needed".
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, current_app

HKDF_INFO = b"cadre google token encryption v1"


class TokenKeyError(RuntimeError):
    """``TOKEN_ENCRYPTION_KEYS`` is malformed."""


def derived_key(secret_key: str) -> bytes:
    """A Fernet key derived from ``SECRET_KEY`` (HKDF-SHA256, fixed salt and info)."""
    raw = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"cadre-token-keys", info=HKDF_INFO
    ).derive(secret_key.encode())
    return base64.urlsafe_b64encode(raw)


def configured_keys(app: Flask) -> list[bytes]:
    setting = app.config.get("TOKEN_ENCRYPTION_KEYS")
    if not setting:
        return [derived_key(str(app.config["SECRET_KEY"]))]
    if isinstance(setting, (list, tuple)):
        parts = [str(p).strip() for p in setting]
    else:
        parts = [p.strip() for p in str(setting).split(",")]
    keys = [p.encode() for p in parts if p]
    for index, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError) as exc:
            raise TokenKeyError(
                f"TOKEN_ENCRYPTION_KEYS: key {index} is not a Fernet key "
                "(32 url-safe base64-encoded bytes)"
            ) from exc
    if not keys:
        raise TokenKeyError("TOKEN_ENCRYPTION_KEYS is set but empty")
    return keys


def _fernet(app: Flask | None = None) -> MultiFernet:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    state = app.extensions.setdefault("cadre_google", {})
    if "fernet" not in state:
        state["fernet"] = MultiFernet([Fernet(key) for key in configured_keys(app)])
    fernet: MultiFernet = state["fernet"]
    return fernet


def encrypt(data: dict[str, Any] | str) -> str:
    raw = data if isinstance(data, str) else json.dumps(data, sort_keys=True)
    return _fernet().encrypt(raw.encode()).decode("ascii")


def decrypt_text(ciphertext: str) -> str:
    """Raises ``InvalidToken`` when no configured key opens it."""
    return _fernet().decrypt(ciphertext.encode("ascii")).decode()


def decrypt(ciphertext: str) -> dict[str, Any]:
    value = json.loads(decrypt_text(ciphertext))
    if not isinstance(value, dict):
        raise InvalidToken
    return value


def rotate(ciphertext: str) -> str:
    """Re-encrypt with the first key (MultiFernet.rotate keeps the original timestamp)."""
    return _fernet().rotate(ciphertext.encode("ascii")).decode("ascii")


def token_hash(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()


__all__ = [
    "InvalidToken",
    "TokenKeyError",
    "configured_keys",
    "decrypt",
    "decrypt_text",
    "derived_key",
    "encrypt",
    "rotate",
    "token_hash",
]
