"""Persistence: one repository per aggregate, all inside one ``UnitOfWork`` (one transaction)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from reflector_core.apikeys import ApiKeyInfo
from reflector_core.model import (
    ConsentDecision,
    DeliveryAttempt,
    DeliveryState,
    Meeting,
    MeetingRecording,
    Page,
    ParticipantSession,
    Platform,
    Recording,
    RecordingState,
    Room,
    Transcript,
    TranscriptEdit,
    TranscriptFilter,
    TranscriptNotes,
    TranscriptStatus,
    WebhookDelivery,
)
from reflector_core.search import SearchHit, Segment
from reflector_core.users import User


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

    async def lock(self, transcript_id: str) -> None:
        """Hold the transcript's row until this transaction ends, so a read-modify-write (an edit) cannot
        lose a concurrent one (``SELECT … FOR UPDATE``; SQLite's transactions are serial already)."""
        ...

    async def set_title(self, transcript_id: str, title: str | None) -> None:
        """Store the title a person gave (``None``: none); ``NotFoundError`` when the transcript does not exist."""
        ...

    async def list(self, flt: TranscriptFilter, *, offset: int = 0, limit: int = 50) -> Page[Transcript]:
        """Newest first, **without their words** (``words`` is empty): a listing shows none, and the words are
        nearly all of a row (a two-hour meeting's are ~2 MB of JSON). ``get`` has them."""
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


class TranscriptEditRepository(Protocol):
    """The edit log: who changed what in a transcript, when (deleted with the transcript)."""

    async def add(self, edit: TranscriptEdit) -> TranscriptEdit:
        """The stored edit with its id; ``NotFoundError`` when the transcript does not exist."""
        ...

    async def for_transcript(self, transcript_id: str) -> list[TranscriptEdit]:
        """Oldest first (the order they were made, which is the order they replay in)."""
        ...


class InboundEventRepository(Protocol):
    """Ids of the platform events (Daily/Whereby webhooks received) already handled: redeliveries are dropped."""

    async def record(self, platform: Platform, event_id: str, received_at: datetime, body: str | None = None) -> bool:
        """``True`` the first time this event id is seen; ``False`` for a redelivery.

        ``body``: the verified raw body, kept as *pending* until ``handled``, so that an event whose job
        was lost (embedded mode's in-process queue dies with the process) can be handled after a restart.
        """
        ...

    async def handled(self, platform: Platform, event_id: str) -> None:
        """The event's job is done: its body is no longer pending (nor kept)."""
        ...

    async def pending(self) -> list[tuple[Platform, str]]:
        """``(platform, body)`` of every recorded event not yet handled, oldest first."""
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


class OutboundDeliveryRepository(Protocol):
    """The webhooks this service sends (``WebhookDelivery``: fixed body) and their attempt history."""

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

    async def revoke(self, key_id: str, *, owner: str | None = None) -> bool:
        """``True`` when this call revoked an active key (of ``owner``, when given)."""
        ...

    async def for_owner(self, owner: str) -> builtins.list[ApiKeyInfo]:
        """The owner's keys, active and revoked, newest first."""
        ...


class UserRepository(Protocol):
    async def add(self, user: User) -> User:
        """The stored user with its id; ``ConflictError`` when the username is taken."""
        ...

    async def get(self, username: str) -> User | None: ...


class NotesRepository(Protocol):
    """The meeting notes of each transcript (one row each, deleted with the transcript)."""

    async def get(self, transcript_id: str) -> TranscriptNotes | None: ...

    async def save(self, notes: TranscriptNotes) -> None:
        """Insert or replace; ``NotFoundError`` when the transcript does not exist."""
        ...

    async def unfinished(self, updated_before: datetime) -> builtins.list[TranscriptNotes]:
        """Notes ``pending`` or ``running`` whose last change is older than ``updated_before``, oldest first."""
        ...


class SearchRepository(Protocol):
    """The full-text index of transcript turns (SQLite FTS5 on embedded, PostgreSQL full-text in production)."""

    async def index(self, transcript_id: str, segments: Sequence[Segment]) -> None:
        """Replace the transcript's indexed turns."""
        ...

    async def search(
        self, wanted: tuple[str, ...], *, owner: str, limit: int, per_transcript: int
    ) -> builtins.list[SearchHit]:
        """The owner's transcripts with a turn holding every word of ``wanted``, newest first, each with up
        to ``per_transcript`` matching turns (earliest first) as snippets (the turn's whole text)."""
        ...


class ShareRepository(Protocol):
    """Who besides the owner may read a transcript: one link (by its token's hash) and named users."""

    async def set_link(self, transcript_id: str, token_hash: str, created_at: datetime) -> None:
        """The transcript's one link, replacing any earlier one; ``NotFoundError`` when the transcript is missing."""
        ...

    async def drop_link(self, transcript_id: str) -> bool:
        """``True`` when there was a link."""
        ...

    async def link_created(self, transcript_id: str) -> datetime | None: ...

    async def by_link(self, token_hash: str) -> str | None:
        """The transcript id the link with this token hash opens."""
        ...

    async def add_user(self, transcript_id: str, username: str, created_at: datetime) -> None:
        """Idempotent; ``NotFoundError`` when the transcript is missing."""
        ...

    async def drop_user(self, transcript_id: str, username: str) -> bool: ...

    async def users(self, transcript_id: str) -> builtins.list[str]:
        """The users it is shared with, by name."""
        ...

    async def shared_with(self, transcript_id: str, username: str) -> bool: ...


class UnitOfWork(Protocol):
    """One transaction over every repository: ``async with uow: ...; await uow.commit()``."""

    rooms: RoomRepository
    meetings: MeetingRepository
    recordings: RecordingRepository
    transcripts: TranscriptRepository
    inbound_events: InboundEventRepository
    poll_cursors: PollCursorRepository
    participant_sessions: ParticipantSessionRepository
    consents: ConsentRepository
    deleted_objects: DeletedObjectRepository
    api_keys: ApiKeyRepository
    outbound_deliveries: OutboundDeliveryRepository
    meeting_recordings: MeetingRecordingRepository
    users: UserRepository
    search: SearchRepository
    notes: NotesRepository
    shares: ShareRepository
    edits: TranscriptEditRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...
