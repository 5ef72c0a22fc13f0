"""The fake's signing key and id_tokens: RSA from ``cryptography``, JWS by joserfc.

joserfc is the JOSE library Authlib itself verifies id_tokens with (``authlib.jose`` is
deprecated and warns, which the test suite turns into errors).
"""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.jwk import RSAKey

_KEY_CACHE: dict[str, RSAKey] = {}


def signing_key(kid: str = "fake-google-1") -> RSAKey:
    """One RSA key per process (generating 2048-bit keys is slow enough to share)."""
    if kid not in _KEY_CACHE:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _KEY_CACHE[kid] = RSAKey.import_key(
            pem, parameters={"kid": kid, "use": "sig", "alg": "RS256"}
        )
    return _KEY_CACHE[kid]


def jwks(key: RSAKey) -> dict[str, Any]:
    return {"keys": [key.as_dict(private=False)]}


def at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode()).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


def id_token(
    key: RSAKey,
    *,
    issuer: str,
    client_id: str,
    sub: str,
    email: str,
    nonce: str | None,
    access_token: str,
) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": client_id,
        "azp": client_id,
        "sub": sub,
        "email": email,
        "email_verified": True,
        "iat": now,
        "exp": now + 3600,
        "at_hash": at_hash(access_token),
    }
    if nonce:
        claims["nonce"] = nonce
    return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key)
