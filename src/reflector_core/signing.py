"""Signing outbound webhooks, and the check a receiver runs (here for tests and for users to copy).

``X-Reflector-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "{t}.{body}")>``: the Stripe and
Whereby scheme. The timestamp is inside the MAC, so a captured delivery cannot be replayed outside the
receiver's window; the body is the exact bytes sent, so a receiver must verify before parsing JSON.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence

from reflector_core.errors import WebhookRejectedError

SIGNATURE_HEADER = "X-Reflector-Signature"
EVENT_ID_HEADER = "X-Reflector-Event-Id"
EVENT_HEADER = "X-Reflector-Event"
ATTEMPT_HEADER = "X-Reflector-Attempt"
DEFAULT_TOLERANCE = 300
"""Seconds a receiver accepts between the signed timestamp and its own clock, in the past or the future."""

_SENDER = "reflector"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex ``v1`` value for one timestamp and body."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The full header value."""
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def _parse(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            raise WebhookRejectedError(_SENDER, f"malformed signature element {part.strip()!r}")
        if name == "t":
            if not value.isdigit():
                raise WebhookRejectedError(_SENDER, f"non-numeric timestamp {value!r}")
            timestamp = int(value)
        elif name == "v1":
            candidates.append(value)
        # Other schemes (a future v2) are ignored, so a receiver keeps working while senders migrate.
    if timestamp is None:
        raise WebhookRejectedError(_SENDER, "signature has no timestamp")
    if not candidates:
        raise WebhookRejectedError(_SENDER, "signature has no v1 value")
    return timestamp, candidates


def verify(
    secrets: str | Sequence[str],
    body: bytes,
    header: str | None,
    *,
    now: float,
    tolerance: int = DEFAULT_TOLERANCE,
) -> int:
    """Check a delivery over its raw body; returns the signed timestamp or raises ``WebhookRejectedError``.

    Several secrets may be given (a rotation), and a header may carry several ``v1`` values; one match
    of any is enough. Timestamps further than ``tolerance`` seconds from ``now``, either way, are refused.
    """
    if not header:
        raise WebhookRejectedError(_SENDER, f"missing {SIGNATURE_HEADER} header")
    keys = [secrets] if isinstance(secrets, str) else list(secrets)
    if not keys:
        raise WebhookRejectedError(_SENDER, "no secret configured")
    timestamp, candidates = _parse(header)
    if abs(now - timestamp) > tolerance:
        raise WebhookRejectedError(_SENDER, f"timestamp {timestamp} is outside the {tolerance} s window")
    expected = [signature(k, timestamp, body) for k in keys]
    # Every pair is compared (no early exit) in constant time, so timing reveals nothing about a near match.
    ok = False
    for candidate in candidates:
        for want in expected:
            ok |= hmac.compare_digest(candidate.encode(), want.encode())
    if not ok:
        raise WebhookRejectedError(_SENDER, "signature does not match")
    return timestamp


def header_of(headers: Mapping[str, str]) -> str | None:
    """The signature header from a case-insensitive or plain mapping."""
    for name, value in headers.items():
        if name.lower() == SIGNATURE_HEADER.lower():
            return value
    return None
