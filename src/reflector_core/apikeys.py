"""API keys: ``rk_<id>_<secret>``, shown once; only the id and a hash are stored.

The id (12 hex characters) names the key in listings and revocation without revealing it. The secret
is 32 random bytes (256 bits). A plain SHA-256 of the whole key is the stored hash: slow password
hashes (bcrypt, argon2) exist to make guessing *low-entropy* secrets expensive, and nobody can guess a
256-bit random value however fast the hash is. A fast, deterministic hash also lets the repository
find a key by its hash in one indexed lookup, without a per-key salt to try.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

from attrs import field, frozen

from reflector_core.errors import InvalidInputError

PREFIX = "rk_"
_ID_BYTES = 6
_SECRET_BYTES = 32
# token_urlsafe uses [A-Za-z0-9_-]; the id is hex, so the first "_" after it ends the id unambiguously.
_KEY = re.compile(rf"^{PREFIX}(?P<id>[0-9a-f]{{{2 * _ID_BYTES}}})_(?P<secret>[A-Za-z0-9_-]{{43}})$")


@frozen
class ApiKeyInfo:
    """A key as its owner sees it in a listing: never the key itself, which only its creator saw once."""

    key_id: str
    created_at: datetime
    revoked: bool


@frozen
class NewApiKey:
    key_id: str
    plaintext: str = field(repr=False)
    """Given to the user once; never stored."""
    key_hash: str


def hash_key(plaintext: str) -> str:
    """The stored form of a secret token (a whole API key, a share link's token): hex SHA-256."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def generate() -> NewApiKey:
    key_id = secrets.token_hex(_ID_BYTES)
    plaintext = f"{PREFIX}{key_id}_{secrets.token_urlsafe(_SECRET_BYTES)}"
    return NewApiKey(key_id=key_id, plaintext=plaintext, key_hash=hash_key(plaintext))


def key_id_of(plaintext: str) -> str:
    """The id part of a key; ``InvalidInputError`` when the text is not shaped like one of our keys."""
    match = _KEY.match(plaintext)
    if match is None:
        # The key itself is never echoed back: it may be a real key pasted in the wrong place.
        raise InvalidInputError("not a Reflector API key (expected rk_<12 hex>_<43 characters>)")
    return match["id"]


def matches(plaintext: str, key_hash: str) -> bool:
    """Whether ``plaintext`` is the key stored as ``key_hash``, compared in constant time."""
    return hmac.compare_digest(hash_key(plaintext).encode(), key_hash.encode())
