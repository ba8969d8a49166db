"""Video platforms (Daily, Whereby): meetings, inbound webhooks, recordings, participants."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Protocol, runtime_checkable

from reflector_core.events import PlatformEvent
from reflector_core.model import (
    Meeting,
    ParticipantSession,
    Platform,
    PlatformParticipant,
    Recording,
    RecordingKind,
    Room,
)


@runtime_checkable  # Litestar checks the type of every injected dependency
class VideoPlatform(Protocol):
    platform: Platform

    async def create_meeting(self, room: Room, *, start: datetime, end: datetime) -> Meeting: ...

    async def delete_meeting(self, meeting: Meeting) -> None:
        """Idempotent: a meeting that is already gone is not an error."""
        ...

    async def room_sessions(self, meeting: Meeting) -> list[ParticipantSession]:
        """Who is (Daily presence) or was (Whereby room sessions) in the meeting's room."""
        ...

    async def join_token(
        self, meeting: Meeting, *, user_id: str | None, name: str | None, owner: bool, expires_at: datetime
    ) -> str | None:
        """A token for joining (Daily meeting tokens); ``None`` on platforms without them."""
        ...


@runtime_checkable  # Litestar checks the type of every injected dependency
class WebhookVerifier(Protocol):
    """Checks an inbound webhook over its raw bytes and turns it into a domain event."""

    platform: Platform

    def parse(self, body: bytes, headers: Mapping[str, str]) -> PlatformEvent:
        """Raises ``WebhookRejectedError`` (bad/missing signature, stale or future timestamp) or
        ``PayloadError`` (signed but malformed); unknown event types come back as ``IgnoredEvent``."""
        ...

    def parse_verified(self, body: bytes) -> PlatformEvent:
        """Parse a body that was verified when it arrived (a worker re-reading a queued delivery)."""
        ...


class RecordingSource(Protocol):
    """A platform whose recordings can be listed (Daily's ``GET /recordings``), for polling."""

    def recordings_newest_first(self, *, stop_at: str | None = None) -> AsyncIterator[Recording]:
        """Walk recordings newest first, page by page, stopping before ``stop_at`` (a known id)."""
        ...

    async def get_recording(self, platform_recording_id: str) -> Recording: ...


class ParticipantDirectory(Protocol):
    async def participants(self, platform_session_id: str) -> list[PlatformParticipant]:
        """Everyone who took part in a meeting session (Daily ``/meetings/{id}/participants``)."""
        ...


@runtime_checkable  # Litestar checks the type of every injected dependency
class RecordingControl(Protocol):
    """A platform whose recordings the service starts and stops by API (Daily's REST recordings calls)."""

    async def start_recording(self, meeting: Meeting, kind: RecordingKind, instance_id: str) -> bool:
        """Start one recording instance; ``False`` when it was already running (which is success too).

        Waits and retries while the platform says nobody is in the call yet; raises
        ``PlatformUnavailableError`` (transient) when that lasts, ``PlatformError`` when refused.
        """
        ...

    async def stop_recording(self, meeting: Meeting, kind: RecordingKind, instance_id: str) -> bool:
        """Stop one instance; ``False`` when none was running (idempotent)."""
        ...
