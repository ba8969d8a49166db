"""What both webhook verifiers share: header lookup, the replay window, comparing against several secrets."""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import timedelta

from reflector_adapters.clock import SYSTEM_CLOCK
from reflector_core.errors import ConfigurationError, WebhookRejectedError
from reflector_core.ports import Clock

DEFAULT_TOLERANCE = timedelta(minutes=5)
# Unix times above this are milliseconds: 1e12 s is the year 33658, 1e12 ms is September 2001.
_MS_THRESHOLD = 1e12
_TIMESTAMP = re.compile(r"^[0-9]{1,16}(\.[0-9]{1,6})?$")


def header(headers: Mapping[str, str], name: str, platform: str) -> str:
    """A required header, case-insensitively, stripped; missing, empty or repeated is a rejection."""
    wanted = name.lower()
    found = [value for key, value in headers.items() if isinstance(key, str) and key.lower() == wanted]
    if not found:
        raise WebhookRejectedError(platform, f"missing {name} header")
    if len(found) > 1:
        raise WebhookRejectedError(platform, f"more than one {name} header")
    value = found[0].strip() if isinstance(found[0], str) else ""
    if not value:
        raise WebhookRejectedError(platform, f"empty {name} header")
    return value


def unix_seconds(value: str, platform: str) -> float:
    """A header timestamp as unix seconds; millisecond values (13 digits) are recognised by magnitude."""
    if not _TIMESTAMP.match(value):
        raise WebhookRejectedError(platform, f"timestamp {value[:40]!r} is not a unix time")
    number = float(value)
    return number / 1000 if number >= _MS_THRESHOLD else number


def check_window(sent_at: float, *, clock: Clock | None, tolerance: timedelta, platform: str) -> None:
    """Reject a delivery stamped too far in the past (a replay) or the future (a forged or skewed clock)."""
    now = (clock or SYSTEM_CLOCK).now().timestamp()
    skew = now - sent_at
    if abs(skew) > tolerance.total_seconds():
        direction = "old" if skew > 0 else "in the future"
        raise WebhookRejectedError(platform, f"timestamp {abs(skew):.0f} s {direction} (tolerance {tolerance})")


def matches_any(expected: Callable[[bytes], bytes], keys: Iterable[bytes], provided: Iterable[bytes]) -> bool:
    """Whether any provided signature equals the signature under any key, compared in constant time.

    Every pair is compared even after a match, so the time taken does not reveal which secret matched.
    """
    candidates = list(provided)
    matched = False
    for key in keys:
        digest = expected(key)
        for candidate in candidates:
            matched |= hmac.compare_digest(digest, candidate)
    return matched


class SecretKeys:
    """The base of both platforms' signature checks: their keys (one per secret: two while rotating),
    the replay window and the clock. A subclass names its platform and how a secret becomes a key."""

    label: str
    """The platform's name in configuration errors (``Daily``)."""

    def __init__(
        self, secrets: Sequence[str], *, tolerance: timedelta = DEFAULT_TOLERANCE, clock: Clock | None = None
    ) -> None:
        if isinstance(secrets, str) or not secrets:
            raise ConfigurationError(f"{self.label} webhook verification needs a list of one or more secrets")
        self._keys = [self.key(s) for s in secrets]
        self._tolerance = tolerance
        self._clock = clock

    def key(self, secret: str) -> bytes:
        raise NotImplementedError
