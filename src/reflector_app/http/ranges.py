"""HTTP ``Range: bytes=...`` parsing (RFC 9110 §14), for the audio player's seeking."""

from __future__ import annotations

import re

from attrs import frozen

_SPEC = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")
_MAX_DIGITS = 18
"""A position of 19 or more digits lies past any object we store (10^18 bytes is an exabyte)."""
_BEYOND = 10**_MAX_DIGITS


def _position(digits: str) -> int:
    # ``int()`` refuses more than 4,300 digits (ValueError); a huge position only means "past the end".
    significant = digits.lstrip("0")
    return int(significant or "0") if len(significant) <= _MAX_DIGITS else _BEYOND


@frozen
class ByteRange:
    start: int
    end: int
    """Inclusive."""

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


class UnsatisfiableRange(ValueError):
    """A ``bytes`` range that is malformed or lies outside the object (HTTP 416)."""


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one range to serve, or ``None`` for the whole object.

    Other units and multi-range requests are answered with the whole object, which RFC 9110 allows
    (a multipart/byteranges reply buys a player nothing).
    """
    if header is None:
        return None
    unit, sep, spec = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    if "," in spec:
        return None
    m = _SPEC.match(spec)
    if m is None or (not m[1] and not m[2]):
        raise UnsatisfiableRange(f"malformed range {header!r}")
    if not m[1]:  # suffix: the last N bytes
        n = _position(m[2])
        if n == 0 or size == 0:
            raise UnsatisfiableRange(f"empty suffix range {header!r}")
        return ByteRange(max(0, size - n), size - 1)
    start = _position(m[1])
    end = _position(m[2]) if m[2] else size - 1
    if end < start:
        raise UnsatisfiableRange(f"range ends before it starts: {header!r}")
    if start >= size:
        raise UnsatisfiableRange(f"range starts at {start}, the object has {size} bytes")
    return ByteRange(start, min(end, size - 1))
