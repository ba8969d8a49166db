"""The ports: what the use cases need from the world, as ``typing.Protocol``s.

Adapters implement them (see docs/architecture.md for which adapter implements which port);
use cases receive them as arguments and never know which one they got.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

from attrs import frozen

from reflector_core.events import ObjectCreated, PlatformEvent
from reflector_core.model import (
    ConsentDecision,
    DeliveryAttempt,
    DeliveryState,
    Meeting,
    MeetingRecording,
    Participant,
    ParticipantSession,
    Platform,
    Recording,
    RecordingKind,
    RecordingState,
    Room,
    TrackFailure,
    Transcript,
    TranscriptStatus,
    WebhookDelivery,
    Word,
)
from reflector_core.timeline import PcmChunk, TrackProbe, TrackTimeline


class Clock(Protocol):
    def now(self) -> datetime:
        """The current UTC-aware instant."""
        ...


# --- video platforms ---------------------------------------------------------------------------


@frozen
class PlatformParticipant:
    """A participant as the platform's meeting history knows them."""

    participant_id: str
    user_id: str | None = None
    name: str | None = None
    joined_at: datetime | None = None
    duration: float | None = None


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


# --- storage and notifications -----------------------------------------------------------------


@frozen
class ObjectInfo:
    key: str
    size: int
    last_modified: datetime | None = None


class ObjectStorage(Protocol):
    """One bucket. Keys are relative, ``/``-separated; a key can never leave its bucket."""

    bucket: str

    async def download(self, key: str, destination: Path) -> int:
        """Stream the object to ``destination``; returns its size. Raises ``ObjectNotFoundError``."""
        ...

    async def upload(self, key: str, source: Path, *, content_type: str | None = None) -> None: ...

    async def read(self, key: str, *, start: int = 0, end: int | None = None) -> bytes:
        """Bytes ``start`` to ``end`` inclusive (an HTTP Range), for small reads and range replies."""
        ...

    async def delete(self, key: str) -> None:
        """Idempotent: deleting a missing object succeeds."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def stat(self, key: str) -> ObjectInfo: ...

    async def presigned_url(self, key: str, *, expires_in: int) -> str: ...

    def list(self, prefix: str = "") -> AsyncIterator[ObjectInfo]: ...


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


class RecordingNotifications(Protocol):
    """S3 ``ObjectCreated`` notifications (Whereby recordings) through SQS."""

    async def receive(self, *, max_messages: int = 10, wait_seconds: int = 20) -> list[Notification]: ...

    async def acknowledge(self, notification: Notification) -> None:
        """Delete the message: call only after what it announced is durably recorded."""
        ...


# --- persistence -------------------------------------------------------------------------------


T = TypeVar("T")


@frozen
class Page(Generic[T]):
    items: tuple[T, ...]
    total: int
    offset: int
    limit: int


class RoomRepository(Protocol):
    async def add(self, room: Room) -> Room:
        """Insert with a new id; ``ConflictError`` when the name is taken."""
        ...

    async def get(self, name: str) -> Room | None: ...
    async def list(self, *, owner: str | None = None) -> list[Room]: ...

    async def update(self, room: Room) -> Room:
        """Replace the settings of the room with this name (names never change); ``NotFoundError`` if none."""
        ...

    async def delete(self, name: str) -> bool:
        """``False`` when there was no such room; its meetings stay, unlinked from it."""
        ...


class MeetingRepository(Protocol):
    async def add(self, meeting: Meeting) -> Meeting:
        """Insert, or return the existing row for the same (platform, platform meeting id).

        ``NotFoundError`` when ``room_name`` names no room.
        """
        ...

    async def get(self, meeting_id: str) -> Meeting | None: ...

    async def active_for_room(self, room_name: str) -> Meeting | None:
        """The active meeting of the room that started last."""
        ...

    async def by_platform_room_name(self, platform: Platform, platform_room_name: str) -> list[Meeting]:
        """Meetings on that platform room (a leading ``/``, as Whereby writes it, is ignored), by start."""
        ...

    async def near(self, room_name: str, at: datetime, window_seconds: float) -> list[Meeting]:
        """Meetings of the room whose [start, end] widened by the window contains ``at``, nearest start first."""
        ...

    async def deactivate(self, meeting_id: str) -> None:
        """Idempotent; ``NotFoundError`` when there is no such meeting."""
        ...

    async def ended_but_active(self, now: datetime) -> list[Meeting]: ...

    async def active(self, platform: Platform) -> builtins.list[Meeting]:
        """Every active meeting on ``platform``, oldest start first (presence reconciliation)."""
        ...

    async def for_room(self, room_name: str, *, limit: int = 50) -> builtins.list[Meeting]:
        """The room's meetings, newest start first, at most ``limit`` (room administration)."""
        ...


class RecordingRepository(Protocol):
    async def upsert(self, recording: Recording) -> tuple[Recording, bool]:
        """Insert once per (platform, platform recording id); ``True`` when this call created it.

        A later discovery of the same recording never overwrites: it only fills what is still
        missing (start, duration, names, session id, object key, meeting, tracks not yet known).
        """
        ...

    async def get(self, recording_id: str) -> Recording | None: ...
    async def by_platform_id(self, platform: Platform, platform_recording_id: str) -> Recording | None: ...

    async def link_meeting(self, recording_id: str, meeting_id: str, *, by_time: bool) -> None:
        """``NotFoundError`` when the recording or the meeting does not exist."""
        ...

    async def unlinked(self) -> list[Recording]: ...

    async def for_meeting(self, meeting_id: str) -> builtins.list[Recording]:
        """Every recording linked to the meeting (consent deletes all of their audio), oldest start first."""
        ...

    async def sources_expired(self, before: datetime, *, limit: int = 100) -> builtins.list[Recording]:
        """Recordings whose source objects retention should delete, oldest first, at most ``limit``.

        Those that started before ``before`` (discovered before it, when the start is unknown), whose
        sources are not marked deleted, and whose transcript is not ``queued`` or ``processing``
        (a running job still needs them).
        """
        ...

    async def mark_sources_deleted(self, recording_id: str) -> None:
        """Every source object (tracks, composed file) is gone: ``sources_expired`` skips it from now on."""
        ...


@frozen
class TranscriptFilter:
    room: str | None = None
    meeting_id: str | None = None
    platform_recording_id: str | None = None
    status: TranscriptStatus | None = None
    owner: str | None = None


class TranscriptRepository(Protocol):
    async def ensure(self, recording_id: str) -> tuple[Transcript, bool]:
        """The one transcript of a recording, created ``discovered`` if missing (``True`` then).

        ``NotFoundError`` when the recording does not exist.
        """
        ...

    async def get(self, transcript_id: str) -> Transcript | None: ...
    async def by_recording(self, recording_id: str) -> Transcript | None: ...

    async def transition(self, transcript_id: str, to: TranscriptStatus, *, error: str | None = None) -> bool:
        """Conditional update along the status machine; ``False`` when another caller moved it first.

        Also ``False`` when the current status cannot reach ``to`` (a lost race looks the same);
        ``error`` is stored with the new status (``None`` clears it). ``NotFoundError`` if missing.
        """
        ...

    async def save_result(self, transcript: Transcript) -> None:
        """Store words, participants, duration, audio location and failed tracks.

        Status, error and ``audio_deleted`` stay as they are: transitions and consent cleanup own them.
        ``NotFoundError`` when the transcript does not exist.
        """
        ...

    async def set_audio_deleted(self, transcript_id: str, deleted: bool) -> None: ...

    async def list(self, flt: TranscriptFilter, *, offset: int = 0, limit: int = 50) -> Page[Transcript]:
        """Newest first."""
        ...

    async def stuck(self, older_than: datetime) -> builtins.list[Transcript]:
        """``queued`` or ``processing`` transcripts untouched since ``older_than`` (a lost job or a dead worker)."""
        ...

    async def audio_expired(self, before: datetime, *, limit: int = 100) -> builtins.list[Transcript]:
        """``done`` or ``failed`` transcripts created before ``before`` with ``audio_deleted`` false, oldest first."""
        ...

    async def expired(self, before: datetime, *, limit: int = 100) -> builtins.list[Transcript]:
        """``done`` or ``failed`` transcripts created before ``before``, oldest first (transcript retention)."""
        ...

    async def delete(self, transcript_id: str) -> bool:
        """Remove the transcript row (its recording row stays); ``False`` when there was none."""
        ...


class WebhookEventRepository(Protocol):
    async def record(self, platform: Platform, event_id: str, received_at: datetime) -> bool:
        """``True`` the first time this event id is seen; ``False`` for a redelivery."""
        ...


class PollCursorRepository(Protocol):
    async def get(self, source: str) -> tuple[str | None, datetime | None]: ...
    async def set(self, source: str, last_id: str | None, last_time: datetime | None) -> None: ...


class ParticipantSessionRepository(Protocol):
    async def upsert(self, session: ParticipantSession) -> None:
        """Idempotent: the same session seen again only fills what is missing (name, left_at)."""
        ...

    async def for_meeting(self, meeting_id: str) -> list[ParticipantSession]: ...


class ConsentRepository(Protocol):
    async def add(self, decision: ConsentDecision) -> None:
        """One decision per (meeting, participant): the latest ``at`` wins, so a participant may change their mind."""
        ...

    async def for_meeting(self, meeting_id: str) -> list[ConsentDecision]: ...

    async def meetings_awaiting_cleanup(self) -> list[str]:
        """Ids of meetings with a refusal and a linked recording whose transcript is missing or has
        ``audio_deleted`` false: the consent cleanups not finished yet (the sweep runs them again)."""
        ...


class MeetingRecordingRepository(Protocol):
    """One row per meeting whose recording the service was asked to start (``MeetingRecording``)."""

    async def get(self, meeting_id: str) -> MeetingRecording | None: ...

    async def request(
        self, meeting_id: str, at: datetime, *, by: str, again_from: frozenset[RecordingState] = frozenset()
    ) -> bool:
        """Create the row as ``requested``; ``True`` only for the one caller that did.

        With ``again_from``, a row in one of those states moves back to ``requested`` instead (the
        owner restarting a failed or stopped recording), again for one caller only.
        ``NotFoundError`` when the meeting does not exist.
        """
        ...

    async def transition(
        self,
        meeting_id: str,
        to: RecordingState,
        *,
        sources: frozenset[RecordingState],
        at: datetime,
        error: str | None = None,
        failed_attempt: bool = False,
    ) -> bool:
        """Conditional update: ``False`` when the row is missing or not in one of ``sources``.

        ``error`` is stored (``None`` clears it); ``failed_attempt`` adds one to ``attempts``.
        """
        ...

    async def for_meetings(self, meeting_ids: Sequence[str]) -> dict[str, MeetingRecording]: ...


class DeletedObjectRepository(Protocol):
    async def record(self, bucket: str, key: str, reason: str, at: datetime) -> None: ...


class WebhookDeliveryRepository(Protocol):
    """Outbound webhook events and their attempt history."""

    async def add(self, delivery: WebhookDelivery) -> bool:
        """Insert once per ``event_id``; ``False`` (and nothing changed) when it exists already."""
        ...

    async def get(self, event_id: str) -> WebhookDelivery | None:
        """With every attempt, in attempt order."""
        ...

    async def record_attempt(
        self, event_id: str, attempt: DeliveryAttempt, *, state: DeliveryState, next_attempt_at: datetime | None
    ) -> bool:
        """Append the attempt and set state and next time, only if ``attempt.number`` is the next number.

        ``False`` when another worker recorded that attempt first (or the delivery is missing).
        """
        ...

    async def claim_due(self, now: datetime, until: datetime, *, limit: int = 100) -> list[str]:
        """Event ids of ``pending`` deliveries with ``next_attempt_at <= now``, oldest first.

        Their ``next_attempt_at`` becomes ``until`` in the same statement, so a second sweep running
        before the job does not send the same delivery again.
        """
        ...

    async def for_transcript(self, transcript_id: str) -> list[WebhookDelivery]:
        """Every delivery about the transcript, oldest first (the history an API can show)."""
        ...


class ApiKeyRepository(Protocol):
    async def add(self, key_id: str, key_hash: str, owner: str, created_at: datetime) -> None:
        """``ConflictError`` when the id or the hash exists already."""
        ...

    async def owner_of(self, key_hash: str) -> str | None:
        """The owner of a key that is not revoked."""
        ...

    async def revoke(self, key_id: str) -> bool:
        """``True`` when this call revoked an active key."""
        ...


class UnitOfWork(Protocol):
    """One transaction over every repository: ``async with uow: ...; await uow.commit()``."""

    rooms: RoomRepository
    meetings: MeetingRepository
    recordings: RecordingRepository
    transcripts: TranscriptRepository
    webhook_events: WebhookEventRepository
    poll_cursors: PollCursorRepository
    participant_sessions: ParticipantSessionRepository
    consents: ConsentRepository
    deleted_objects: DeletedObjectRepository
    api_keys: ApiKeyRepository
    webhook_deliveries: WebhookDeliveryRepository
    meeting_recordings: MeetingRecordingRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
"""A fresh, unopened unit of work per call: one per request or job."""


# --- audio and speech --------------------------------------------------------------------------


@frozen
class Waveform:
    """Peak amplitudes (0..1) at a fixed rate, for the player."""

    peaks: tuple[float, ...]
    peaks_per_second: float
    duration: float
    failed_tracks: tuple[TrackFailure, ...] = ()
    """Tracks that could not be (fully) decoded; their missing audio is silence in the mix."""


@frozen
class MixInput:
    path: Path
    timeline: TrackTimeline


class AudioEngine(Protocol):
    """CPU-bound media work on local files (the adapter streams; nothing holds a whole track)."""

    def probe(self, path: Path, *, filename_offset: float | None = None) -> TrackProbe:
        """Offset, timeline duration and gaps. Raises ``UnreadableMediaError``."""
        ...

    def speech_audio(
        self, path: Path, timeline: TrackTimeline, *, sample_rate: int = 16_000, max_chunk: float = 30.0
    ) -> Iterable[PcmChunk]:
        """The track's present (non-gap) audio as mono chunks placed on the meeting timeline.

        Chunks never span a gap and last at most ``max_chunk`` seconds (cut at a quiet moment, so a
        word is not split), which keeps memory flat however long the track is.
        """
        ...

    def mixdown(self, inputs: Sequence[MixInput], mp3_path: Path, *, peaks_per_second: float = 10.0) -> Waveform:
        """Mix every track, aligned and gap-filled, in one pass into an MP3; return its waveform."""
        ...


class Transcriber(Protocol):
    def transcribe(self, chunks: Iterable[PcmChunk], *, speaker: int) -> list[Word]:
        """Words of one speaker's audio, with times on the meeting timeline."""
        ...


ProgressCallback = Callable[[str, float, float], None]
"""``(stage, done, total)``: called as work advances (CLI progress bar, live status)."""


class JobQueue(Protocol):
    async def enqueue(self, job: str, **kwargs: Any) -> None: ...


class WebhookSender(Protocol):
    """POSTs one outbound webhook to a URL outside Reflector."""

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """The HTTP status of the answer (redirects are not followed: a 3xx comes back as is).

        Raises ``UnsafeWebhookTargetError`` when the target is not allowed (never retried) and
        ``WebhookDeliveryError`` when no answer came (connection failure, timeout: retried).
        """
        ...


class ParticipantNames(Protocol):
    """Maps a participant id to a display name (e.g. from ``--participants`` or the platform)."""

    def __call__(self, participant_id: str) -> Participant | None: ...
