"""Object key rules shared by every storage adapter: a key names an object inside its bucket, never a path out of it.

S3 itself accepts almost any string, but the same key must also be safe as a path below the local
bucket folder, so one rule set applies to both adapters and a key that works locally works on S3.
"""

from __future__ import annotations

from reflector_core.errors import InvalidKeyError

MAX_KEY_BYTES = 1024
"""S3's limit on the UTF-8 length of a key."""

_FORBIDDEN_SEGMENTS = frozenset({".", ".."})


def _check_text(key: str) -> None:
    if "\x00" in key:
        raise InvalidKeyError(key, "contains NUL")
    if "\\" in key:
        # A backslash is a separator on Windows and in some S3 gateways: it could hide a "..".
        raise InvalidKeyError(key, "contains a backslash")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in key):
        # Control characters cannot round-trip through S3's XML listings.
        raise InvalidKeyError(key, "contains a control character")
    if key.startswith("/"):
        raise InvalidKeyError(key, "is absolute (starts with '/')")
    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError:
        raise InvalidKeyError(key, "is not valid Unicode (lone surrogate)") from None
    if size > MAX_KEY_BYTES:
        raise InvalidKeyError(key, f"is longer than {MAX_KEY_BYTES} bytes in UTF-8")


def validate_key(key: str) -> str:
    """Return ``key`` unchanged if it is a safe object key, else raise ``InvalidKeyError``.

    Rejected: empty keys, NUL, backslashes, control characters, a leading ``/``, empty segments
    (``a//b``, a trailing ``/``), ``.`` and ``..`` segments, and keys over 1024 UTF-8 bytes.
    """
    if not isinstance(key, str):
        raise InvalidKeyError(repr(key), "is not a string")
    if not key:
        raise InvalidKeyError(key, "is empty")
    _check_text(key)
    for segment in key.split("/"):
        if not segment:
            raise InvalidKeyError(key, "has an empty segment")
        if segment in _FORBIDDEN_SEGMENTS:
            raise InvalidKeyError(key, f"has a {segment!r} segment")
    return key


def validate_prefix(prefix: str) -> str:
    """A listing prefix: ``""``, a key, a folder ending in ``/`` or a partial last segment (``raw/cons``)."""
    if not isinstance(prefix, str):
        raise InvalidKeyError(repr(prefix), "prefix is not a string")
    if not prefix:
        return prefix
    _check_text(prefix)
    segments = prefix.split("/")
    # The last segment may be empty (a folder prefix) or partial; earlier ones are whole segments.
    for segment in segments[:-1]:
        if not segment:
            raise InvalidKeyError(prefix, "prefix has an empty segment")
        if segment in _FORBIDDEN_SEGMENTS:
            raise InvalidKeyError(prefix, f"prefix has a {segment!r} segment")
    # The last segment only ever takes part in a string comparison, never in a path.
    return prefix
