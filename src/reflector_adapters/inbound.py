"""What the Daily and Whereby webhook receivers share: check the signature, then parse the body.

Each platform supplies its signature check (``verify``) and its parser (``parse_verified``); this base
is the ``WebhookVerifier`` port. ``parse_verified`` alone re-reads a body that was verified when it
arrived (the worker handling a queued delivery).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import ClassVar, Protocol

from reflector_adapters.signatures import DEFAULT_TOLERANCE
from reflector_core.events import IgnoredEvent, PlatformEvent
from reflector_core.model import Platform
from reflector_core.ports import Clock


class SignatureCheck(Protocol):
    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """Raises ``WebhookRejectedError`` unless the body is signed by a known secret, in time."""
        ...


class SignedWebhooks:
    """A platform's receiver: ``signature`` is its check's class, ``bucket`` where its recordings land."""

    platform: Platform
    signature: ClassVar[Callable[..., SignatureCheck]]

    def __init__(
        self,
        secrets: Sequence[str],
        *,
        bucket: str,
        tolerance: timedelta = DEFAULT_TOLERANCE,
        clock: Clock | None = None,
    ) -> None:
        self.verifier = type(self).signature(secrets, tolerance=tolerance, clock=clock)
        self.bucket = bucket

    def parse(self, body: bytes, headers: Mapping[str, str]) -> PlatformEvent:
        """Raises ``WebhookRejectedError`` (answer 401) or ``PayloadError`` (signed but unreadable)."""
        self.verifier.verify(body, headers)
        return self.parse_verified(body)

    def parse_verified(self, body: bytes) -> PlatformEvent:
        raise NotImplementedError


def dispatch(
    platform: Platform,
    handlers: Mapping[str, Callable[[], PlatformEvent]],
    event_type: str,
    event_id: str | None,
    occurred: Callable[[], datetime | None],
) -> PlatformEvent:
    """The handler of ``event_type``, or an ``IgnoredEvent`` for a type this service does not handle."""
    handler = handlers.get(event_type)
    if handler is None:
        return IgnoredEvent(platform, event_id, occurred(), event_type, "event type not handled")
    return handler()
