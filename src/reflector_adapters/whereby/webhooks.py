"""Whereby webhooks: signature verification over the raw body, and parsing into domain events.

Signature: ``Whereby-Signature: t=<unix s>,v1=<hex>`` with ``v1 = hex(HMAC-SHA256(utf8(secret), "{t}.{body}"))``.
Whereby's own example re-serialises the parsed JSON; we verify the raw bytes only, because a
re-serialised body is no longer what was signed and would let a modified body through.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reflector_adapters.inbound import SignedWebhooks, dispatch
from reflector_adapters.payload import from_iso, loads_object, structure
from reflector_adapters.signatures import SecretKeys, check_window, header, matches_any, unix_seconds
from reflector_adapters.whereby.wire import (
    ClientPayloadWire,
    EnvelopeWire,
    RecordingFinishedWire,
    SessionPayloadWire,
    converter,
    finished_recording,
    with_slash,
)
from reflector_core import events
from reflector_core.errors import ConfigurationError, WebhookRejectedError
from reflector_core.model import Platform

SIGNATURE_HEADER = "Whereby-Signature"
_PLATFORM = "whereby"
_SOURCE = "whereby webhook"
_HEX_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
# Roles that join a room without being a person who speaks in it.
_MACHINE_ROLES = frozenset({"recorder", "streamer", "captioner", "assistant"})


def parse_signature_header(value: str) -> tuple[str, list[str]]:
    """``t=…,v1=…[,v1=…]`` as the timestamp string and the v1 digests; other schemes are ignored."""
    stamp: str | None = None
    digests: list[str] = []
    for part in value.split(","):
        name, sep, item = part.strip().partition("=")
        if not sep:
            raise WebhookRejectedError(_PLATFORM, f"signature header part {part.strip()[:40]!r} is not name=value")
        if name == "t":
            if stamp is not None:
                raise WebhookRejectedError(_PLATFORM, "signature header has more than one t=")
            stamp = item.strip()
        elif name == "v1":
            if not _HEX_SHA256.match(item.strip()):
                raise WebhookRejectedError(_PLATFORM, "v1 is not a hex SHA-256 digest")
            digests.append(item.strip().lower())
    if stamp is None:
        raise WebhookRejectedError(_PLATFORM, "signature header has no t=")
    if not digests:
        raise WebhookRejectedError(_PLATFORM, "signature header has no v1=")
    return stamp, digests


class WherebySignatureCheck(SecretKeys):
    """Checks ``Whereby-Signature`` against one or more secrets (two while rotating)."""

    label = "Whereby"

    def key(self, secret: str) -> bytes:
        if not isinstance(secret, str) or not secret:
            raise ConfigurationError("a Whereby webhook secret is empty")
        # The secret is used as its UTF-8 bytes, not decoded (unlike Daily's base64 secret).
        return secret.encode("utf-8")

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """Return if ``body`` was signed by Whereby within the window; else raise ``WebhookRejectedError``."""
        if not isinstance(body, bytes | bytearray):
            raise WebhookRejectedError(_PLATFORM, "body must be the raw request bytes")
        stamp, digests = parse_signature_header(header(headers, SIGNATURE_HEADER, _PLATFORM))
        check_window(unix_seconds(stamp, _PLATFORM), clock=self._clock, tolerance=self._tolerance, platform=_PLATFORM)
        message = stamp.encode("ascii") + b"." + bytes(body)

        def expected(key: bytes) -> bytes:
            return hmac.new(key, message, hashlib.sha256).hexdigest().encode("ascii")

        if not matches_any(expected, self._keys, [d.encode("ascii") for d in digests]):
            raise WebhookRejectedError(_PLATFORM, "signature does not match")


# --- parsing -----------------------------------------------------------------------------------


def _client(env: EnvelopeWire, left: bool) -> events.PlatformEvent:
    source = f"{_SOURCE} {env.type}"
    p = structure(converter, env.data, ClientPayloadWire, source)
    at = from_iso(env.created_at, source, "createdAt")
    room = with_slash(p.room_name)
    if p.role_name == "recorder" and not left:
        # Whereby has no recording.started event: the recorder joining the room is that moment.
        return events.RecordingStarted(Platform.WHEREBY, env.id, at, recording_id=None, platform_room_name=room, at=at)
    if p.role_name in _MACHINE_ROLES:
        return events.IgnoredEvent(Platform.WHEREBY, env.id, at, env.type, f"{p.role_name} is not a participant")
    if left:
        return events.ParticipantLeft(
            Platform.WHEREBY, env.id, at, room, p.participant_id, p.external_id or None, p.display_name or None, at
        )
    return events.ParticipantJoined(
        Platform.WHEREBY, env.id, at, room, p.participant_id, p.external_id or None, p.display_name or None, at
    )


def _session(env: EnvelopeWire, ended: bool) -> events.PlatformEvent:
    source = f"{_SOURCE} {env.type}"
    p = structure(converter, env.data, SessionPayloadWire, source)
    at = from_iso(env.created_at, source, "createdAt")
    room = with_slash(p.room_name)
    if ended:
        return events.MeetingEnded(Platform.WHEREBY, env.id, at, room, p.meeting_id, at)
    return events.MeetingStarted(Platform.WHEREBY, env.id, at, room, p.meeting_id, at)


def _recording(env: EnvelopeWire, bucket: str, prefix: str) -> events.PlatformEvent:
    source = f"{_SOURCE} {env.type}"
    p = structure(converter, env.data, RecordingFinishedWire, source)
    at = from_iso(env.created_at, source, "createdAt")
    if p.status not in {None, "completed"}:
        return events.RecordingFailed(
            Platform.WHEREBY, env.id, at, p.recording_id, with_slash(p.room_name), f"recording status {p.status!r}"
        )
    return events.RecordingReady(
        Platform.WHEREBY, env.id, at, finished_recording(p, bucket=bucket, prefix=prefix, source=source)
    )


def parse_whereby_event(body: bytes, *, bucket: str, prefix: str = "") -> events.PlatformEvent:
    """A verified Whereby webhook body as a domain event.

    ``bucket`` and ``prefix`` say where our meetings upload recordings (the event names only the file).
    Room names come back with their leading ``/``. Events we do not act on become ``IgnoredEvent``;
    anything malformed raises ``PayloadError``.
    """
    data = loads_object(body, _SOURCE)
    env = structure(converter, data, EnvelopeWire, f"{_SOURCE} envelope")
    handlers: dict[str, Callable[[], events.PlatformEvent]] = {
        "room.client.joined": lambda: _client(env, left=False),
        "room.client.left": lambda: _client(env, left=True),
        "room.session.started": lambda: _session(env, ended=False),
        "room.session.ended": lambda: _session(env, ended=True),
        "recording.finished": lambda: _recording(env, bucket, prefix),
    }
    occurred = lambda: from_iso(env.created_at, f"{_SOURCE} {env.type}", "createdAt")  # noqa: E731
    return dispatch(Platform.WHEREBY, handlers, env.type, env.id, occurred)


class WherebyWebhooks(SignedWebhooks):
    """Whereby's receiver (``SignedWebhooks``): recordings are found under ``prefix`` in ``bucket``."""

    platform = Platform.WHEREBY
    signature = WherebySignatureCheck

    def __init__(self, secrets: Sequence[str], *, prefix: str = "", **receiver: Any) -> None:
        """``receiver``: ``SignedWebhooks``' ``bucket``, ``tolerance`` and ``clock``."""
        super().__init__(secrets, **receiver)
        self.prefix = prefix

    def parse_verified(self, body: bytes) -> events.PlatformEvent:
        return parse_whereby_event(bytes(body), bucket=self.bucket, prefix=self.prefix)
