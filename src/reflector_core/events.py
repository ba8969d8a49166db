"""What platforms and S3 tell us, as domain events (parsed at the adapter edge)."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from reflector_core.model import Platform, Recording


@frozen
class PlatformEvent:
    platform: Platform
    event_id: str | None
    """The platform's id for this delivery's event: the same across redeliveries (dedup key)."""
    occurred_at: datetime | None


@frozen
class VerificationPing(PlatformEvent):
    """Daily's ``{"test":"test"}`` sent when a webhook is created: answer 200, do nothing."""


@frozen
class IgnoredEvent(PlatformEvent):
    """A correctly signed event we do not act on; it still gets a 2xx (Daily's circuit breaker)."""

    event_type: str
    reason: str


@frozen
class ParticipantJoined(PlatformEvent):
    platform_room_name: str | None
    session_id: str
    user_id: str | None
    name: str | None
    at: datetime | None


@frozen
class ParticipantLeft(PlatformEvent):
    platform_room_name: str | None
    session_id: str
    user_id: str | None
    name: str | None
    at: datetime | None
    duration: float | None = None


@frozen
class MeetingStarted(PlatformEvent):
    platform_room_name: str | None
    platform_meeting_id: str | None
    at: datetime | None


@frozen
class MeetingEnded(PlatformEvent):
    platform_room_name: str | None
    platform_meeting_id: str | None
    at: datetime | None


@frozen
class RecordingStarted(PlatformEvent):
    recording_id: str | None
    platform_room_name: str | None
    at: datetime | None


@frozen
class RecordingReady(PlatformEvent):
    """A finished recording with its objects; for raw tracks only the speech-audio tracks."""

    recording: Recording


@frozen
class RecordingFailed(PlatformEvent):
    recording_id: str | None
    platform_room_name: str | None
    error: str


@frozen
class ObjectCreated:
    """One S3 ``ObjectCreated:*`` record (key already ``unquote_plus``-decoded)."""

    bucket: str
    key: str
    size: int | None = None
    etag: str | None = None
    sequencer: str | None = None
    version_id: str | None = None
    event_time: datetime | None = None


@frozen
class Notification:
    """One message of the recording notification queue, parsed."""

    message_id: str
    receipt: str
    objects: tuple[ObjectCreated, ...] = ()
    test_event: bool = False
    error: str | None = None
    """Why the body could not be parsed; such a message is left for the dead-letter queue."""
    receive_count: int | None = None
