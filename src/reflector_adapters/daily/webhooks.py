"""Daily webhooks: signature verification over the raw body, and parsing into domain events.

Signature: ``X-Webhook-Signature = base64(HMAC-SHA256(base64decode(secret), "{X-Webhook-Timestamp}.{body}"))``.

The timestamp's unit is undocumented (seconds in most code, milliseconds in some test suites). The
header string is signed verbatim whatever it is; for the replay window a value of 10^12 or more is read
as milliseconds, anything smaller as seconds. The two ranges cannot be confused for any date after 2001.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping

from reflector_adapters.daily.wire import (
    EnvelopeWire,
    MeetingPayloadWire,
    ParticipantPayloadWire,
    RecordingErrorWire,
    RecordingStartedWire,
    converter,
    recording_wire,
    to_recording,
    user_id,
)
from reflector_adapters.inbound import SignedWebhooks, dispatch
from reflector_adapters.payload import from_unix, loads_object, structure
from reflector_adapters.signatures import SecretKeys, check_window, header, matches_any, unix_seconds
from reflector_core.errors import ConfigurationError, PayloadError, WebhookRejectedError
from reflector_core.events import (
    IgnoredEvent,
    MeetingEnded,
    MeetingStarted,
    ParticipantJoined,
    ParticipantLeft,
    PlatformEvent,
    RecordingFailed,
    RecordingReady,
    RecordingStarted,
    VerificationPing,
)
from reflector_core.model import Platform, RecordingKind

SIGNATURE_HEADER = "X-Webhook-Signature"
TIMESTAMP_HEADER = "X-Webhook-Timestamp"
_PLATFORM = "daily"
_SOURCE = "daily webhook"
_PING = {"test": "test"}


def decode_secret(secret: str) -> bytes:
    """The HMAC key of a Daily webhook secret (``hmac`` is base64); a bad secret is a configuration error."""
    if not isinstance(secret, str) or not secret.strip():
        raise ConfigurationError("Daily webhook secret is empty")
    try:
        key = base64.b64decode(secret.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ConfigurationError(f"Daily webhook secret is not valid base64 ({exc})") from exc
    if not key:
        raise ConfigurationError("Daily webhook secret decodes to nothing")
    return key


class DailySignatureCheck(SecretKeys):
    """Checks ``X-Webhook-Signature`` against one or more secrets (two during a rotation)."""

    label = "Daily"

    def key(self, secret: str) -> bytes:
        return decode_secret(secret)

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """Return if ``body`` was signed by Daily within the window; else raise ``WebhookRejectedError``."""
        if not isinstance(body, bytes | bytearray):
            raise WebhookRejectedError(_PLATFORM, "body must be the raw request bytes")
        provided = header(headers, SIGNATURE_HEADER, _PLATFORM)
        stamp = header(headers, TIMESTAMP_HEADER, _PLATFORM)
        check_window(unix_seconds(stamp, _PLATFORM), clock=self._clock, tolerance=self._tolerance, platform=_PLATFORM)
        message = stamp.encode("ascii") + b"." + bytes(body)
        try:
            signature = base64.b64decode(provided, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise WebhookRejectedError(_PLATFORM, "signature is not base64") from exc

        def expected(key: bytes) -> bytes:
            return hmac.new(key, message, hashlib.sha256).digest()

        if not matches_any(expected, self._keys, [signature]):
            raise WebhookRejectedError(_PLATFORM, "signature does not match")


def is_verification_ping(body: bytes) -> bool:
    """Daily's ``{"test":"test"}`` sent when a webhook is created or updated (maybe unsigned)."""
    try:
        return bool(json.loads(body) == _PING)
    except (ValueError, RecursionError):
        return False


# --- parsing -----------------------------------------------------------------------------------


def _participant(env: EnvelopeWire, left: bool) -> PlatformEvent:
    source = f"{_SOURCE} {env.type}"
    p = structure(converter, env.payload, ParticipantPayloadWire, source)
    joined = from_unix(p.joined_at, source, "joined_at")
    occurred = from_unix(env.event_ts, source, "event_ts")
    if not left:
        return ParticipantJoined(
            Platform.DAILY, env.id, occurred, p.room, p.session_id, user_id(p.user_id), p.user_name or None, joined
        )
    if p.duration is not None and p.duration < 0:
        raise PayloadError(source, f"negative duration {p.duration}")
    left_at = occurred
    if p.joined_at is not None and p.duration is not None:
        left_at = from_unix(p.joined_at + p.duration, source, "joined_at + duration")
    return ParticipantLeft(
        Platform.DAILY,
        env.id,
        occurred,
        p.room,
        p.session_id,
        user_id(p.user_id),
        p.user_name or None,
        left_at,
        duration=p.duration,
    )


def _meeting(env: EnvelopeWire, ended: bool) -> PlatformEvent:
    source = f"{_SOURCE} {env.type}"
    p = structure(converter, env.payload, MeetingPayloadWire, source)
    occurred = from_unix(env.event_ts, source, "event_ts")
    if ended:
        return MeetingEnded(
            Platform.DAILY, env.id, occurred, p.room, p.meeting_id, from_unix(p.end_ts, source, "end_ts")
        )
    return MeetingStarted(
        Platform.DAILY, env.id, occurred, p.room, p.meeting_id, from_unix(p.start_ts, source, "start_ts")
    )


def _recording_started(env: EnvelopeWire) -> PlatformEvent:
    source = f"{_SOURCE} {env.type}"
    p = structure(converter, env.payload, RecordingStartedWire, source)
    return RecordingStarted(
        Platform.DAILY,
        env.id,
        from_unix(env.event_ts, source, "event_ts"),
        recording_id=p.recording_id,
        platform_room_name=p.room_name,
        at=from_unix(p.start_ts, source, "start_ts"),
    )


def _recording_ready(env: EnvelopeWire, bucket: str) -> PlatformEvent:
    source = f"{_SOURCE} {env.type}"
    occurred = from_unix(env.event_ts, source, "event_ts")
    kind = env.payload.get("type")
    if kind is not None and not isinstance(kind, str):
        raise PayloadError(source, f"payload.type must be a string, got {type(kind).__name__}")
    if kind is not None and kind not in {"raw-tracks", "cloud", "cloud-audio-only"}:
        # A recording kind we cannot process: acknowledge it (polling still lists it) instead of failing delivery.
        return IgnoredEvent(Platform.DAILY, env.id, occurred, env.type, f"recording type {kind!r} is not processed")
    wire = recording_wire(env.payload, source, id_key="recording_id")
    recording = to_recording(
        wire, bucket=bucket, source=source, default_kind=RecordingKind.RAW_TRACKS, speech_only=True
    )
    return RecordingReady(Platform.DAILY, env.id, occurred, recording)


def _recording_error(env: EnvelopeWire) -> PlatformEvent:
    source = f"{_SOURCE} {env.type}"
    p = structure(converter, env.payload, RecordingErrorWire, source)
    # The documented action enum has a typo ("clourd-recording-err"): keep it as opaque text.
    error = ": ".join(part for part in (p.action, p.error_msg) if part) or "recording error without details"
    return RecordingFailed(
        Platform.DAILY,
        env.id,
        from_unix(env.event_ts, source, "event_ts"),
        recording_id=p.recording_id,
        platform_room_name=p.room_name,
        error=error,
    )


def parse_daily_event(body: bytes, *, bucket: str) -> PlatformEvent:
    """A verified Daily webhook body as a domain event.

    ``bucket`` is where our rooms record (Daily's payload does not say). The verification ping becomes
    ``VerificationPing``; a well-formed event of a type we do not act on becomes ``IgnoredEvent``;
    anything malformed raises ``PayloadError``.
    """
    data = loads_object(body, _SOURCE)
    if data == _PING:
        return VerificationPing(Platform.DAILY, None, None)
    env = structure(converter, data, EnvelopeWire, f"{_SOURCE} envelope")
    handlers: dict[str, Callable[[], PlatformEvent]] = {
        "participant.joined": lambda: _participant(env, left=False),
        "participant.left": lambda: _participant(env, left=True),
        "meeting.started": lambda: _meeting(env, ended=False),
        "meeting.ended": lambda: _meeting(env, ended=True),
        "recording.started": lambda: _recording_started(env),
        "recording.ready-to-download": lambda: _recording_ready(env, bucket),
        "recording.error": lambda: _recording_error(env),
    }
    occurred = lambda: from_unix(env.event_ts, f"{_SOURCE} {env.type}", "event_ts")  # noqa: E731
    return dispatch(Platform.DAILY, handlers, env.type, env.id, occurred)


class DailyWebhooks(SignedWebhooks):
    """Daily's receiver (``SignedWebhooks``): the verification ping is answered before any signature check."""

    platform = Platform.DAILY
    signature = DailySignatureCheck

    def parse(self, body: bytes, headers: Mapping[str, str]) -> PlatformEvent:
        """Raises ``WebhookRejectedError`` (answer 401) or ``PayloadError`` (signed but unreadable).

        The ping is answered without a signature check: Daily may not sign it, it re-sends it when a
        webhook's secret is rotated (possibly signed with the new secret), and accepting it does nothing.
        """
        if isinstance(body, bytes | bytearray) and is_verification_ping(bytes(body)):
            return VerificationPing(Platform.DAILY, None, None)
        return super().parse(body, headers)

    def parse_verified(self, body: bytes) -> PlatformEvent:
        return parse_daily_event(bytes(body), bucket=self.bucket)
