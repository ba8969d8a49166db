"""In-memory implementations of the ports, for the use-case tests and the HTTP app tests.

They live with the tests, not in the shipped ``reflector_adapters``: no production code path uses
them (embedded mode runs SQLite and a local-folder bucket), so shipping them would only add an API
nobody outside the tests should lean on.

They keep the promises the real adapters keep, and the repository and storage contract suites
(``tests/contract/db``, ``tests/contract/storage``) run against them as a third backend to prove it:
uniqueness, idempotency, the status machine, conditional transitions, ``NotFoundError`` for broken
references, the documented orders, hostile keys and bad ranges refused. What they deliberately do
not keep is durability or isolation: every write is visible at once and ``rollback`` cannot undo it
(the contract tests of transactions and raw SQL run on the SQL backends only). Each method body runs
without awaiting, so under asyncio every call is atomic, which is exactly what the concurrency
promises of the real repositories look like. Times the database would stamp (``created_at``,
``updated_at``) come from the store's clock, the wall clock unless a test passes a ``FixedClock``.
"""

from __future__ import annotations

import asyncio
import builtins
import itertools
import json
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import attrs

from reflector_adapters.clock import SystemClock
from reflector_adapters.storage.keys import validate_key, validate_prefix
from reflector_adapters.storage.s3 import check_expiry, check_range
from reflector_core import ports
from reflector_core.apikeys import ApiKeyInfo
from reflector_core.errors import (
    ConflictError,
    InvalidRangeError,
    MeetingRoomConflictError,
    NotFoundError,
    ObjectNotFoundError,
    PayloadError,
    PlatformError,
    StorageError,
    WebhookRejectedError,
)
from reflector_core.events import IgnoredEvent, MeetingEnded, PlatformEvent, VerificationPing
from reflector_core.jobs import Job
from reflector_core.model import (
    ConsentChoice,
    ConsentDecision,
    DeliveryAttempt,
    DeliveryState,
    Meeting,
    MeetingRecording,
    NotesStatus,
    ParticipantSession,
    Platform,
    Recording,
    RecordingKind,
    RecordingState,
    Room,
    Transcript,
    TranscriptEdit,
    TranscriptNotes,
    TranscriptStatus,
    WebhookDelivery,
    allowed_sources,
)
from reflector_core.ports import (
    Clock,
    JobQueue,
    Notification,
    ObjectInfo,
    ObjectStorage,
    Page,
    RecordingNotifications,
    RecordingSource,
    TranscriptFilter,
    UnitOfWork,
    VideoPlatform,
    WebhookSender,
    WebhookVerifier,
)
from reflector_core.search import SearchHit, Segment, Snippet, matches, segments
from reflector_core.users import User


class FixedClock:
    """A ``Clock`` that stands still until a test moves ``current``."""

    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 3, 12, 14, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current


def _aware(at: datetime) -> datetime:
    """As the SQL column type does: a naive time is refused, an aware one comes back in UTC."""
    if at.tzinfo is None:
        raise ValueError(f"naive datetime {at!r}: times must be timezone-aware")
    return at.astimezone(UTC)


@attrs.define
class MemoryStore:
    """The shared state every ``MemoryUnitOfWork`` reads and writes."""

    clock: Clock = attrs.Factory(SystemClock)
    """Stamps what the database would stamp with its own ``now()``."""
    rooms: dict[str, Room] = attrs.Factory(dict)
    meetings: dict[str, Meeting] = attrs.Factory(dict)
    recordings: dict[str, Recording] = attrs.Factory(dict)
    transcripts: dict[str, Transcript] = attrs.Factory(dict)
    inbound_events: set[tuple[Platform, str]] = attrs.Factory(set)
    pending_events: dict[tuple[Platform, str], str] = attrs.Factory(dict)
    """Bodies of recorded events not yet handled, in recording order."""
    cursors: dict[str, tuple[str | None, datetime | None]] = attrs.Factory(dict)
    sessions: dict[tuple[str, str], ParticipantSession] = attrs.Factory(dict)
    consents: list[ConsentDecision] = attrs.Factory(list)
    deleted_objects: list[tuple[str, str, str, datetime]] = attrs.Factory(list)
    api_keys: dict[str, tuple[str, str, datetime, bool]] = attrs.Factory(dict)
    sources_deleted: set[str] = attrs.Factory(set)
    outbound_deliveries: dict[str, WebhookDelivery] = attrs.Factory(dict)
    meeting_recordings: dict[str, MeetingRecording] = attrs.Factory(dict)
    recording_created: dict[str, datetime] = attrs.Factory(dict)
    users: dict[str, User] = attrs.Factory(dict)
    segments: dict[str, list[Segment]] = attrs.Factory(dict)
    notes: dict[str, TranscriptNotes] = attrs.Factory(dict)
    share_links: dict[str, tuple[str, datetime]] = attrs.Factory(dict)
    share_users: dict[tuple[str, str], datetime] = attrs.Factory(dict)
    edits: list[TranscriptEdit] = attrs.Factory(list)
    ids: itertools.count[int] = attrs.Factory(lambda: itertools.count(1))

    def new_id(self, prefix: str) -> str:
        # Zero-padded so ids sort in creation order, as the SQL ids (time-ordered) do.
        return f"{prefix}{next(self.ids):06d}"

    def now(self) -> datetime:
        return self.clock.now()


class MemoryRooms:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def add(self, room: Room) -> Room:
        if room.name in self.s.rooms:
            raise ConflictError(f"room {room.name!r} already exists")
        room = attrs.evolve(room, id=room.id or self.s.new_id("room-"))
        self.s.rooms[room.name] = room
        return room

    async def get(self, name: str) -> Room | None:
        return self.s.rooms.get(name)

    async def list(self, *, owner: str | None = None) -> builtins.list[Room]:
        return sorted((r for r in self.s.rooms.values() if owner is None or r.owner == owner), key=lambda r: r.name)

    async def update(self, room: Room) -> Room:
        stored = self.s.rooms.get(room.name)
        if stored is None:
            raise NotFoundError("room", room.name)
        self.s.rooms[room.name] = attrs.evolve(room, id=stored.id)
        return self.s.rooms[room.name]

    async def delete(self, name: str) -> bool:
        if self.s.rooms.pop(name, None) is None:
            return False
        # As the SQL foreign key does (ON DELETE SET NULL): a later room of the same name does not inherit them.
        for mid, m in self.s.meetings.items():
            if m.room_name == name:
                self.s.meetings[mid] = attrs.evolve(m, room_name=None)
        return True


class MemoryMeetings:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def add(self, meeting: Meeting) -> Meeting:
        if meeting.room_name is not None and meeting.room_name not in self.s.rooms:
            raise NotFoundError("room", meeting.room_name)
        for m in self.s.meetings.values():
            if (m.platform, m.platform_meeting_id) == (meeting.platform, meeting.platform_meeting_id):
                if m.room_name != meeting.room_name:
                    raise MeetingRoomConflictError(
                        meeting.platform.value, meeting.platform_meeting_id, m.room_name, meeting.room_name
                    )
                return m
        meeting = attrs.evolve(meeting, id=meeting.id or self.s.new_id("mtg-"))
        self.s.meetings[meeting.id or ""] = meeting
        return meeting

    async def get(self, meeting_id: str) -> Meeting | None:
        return self.s.meetings.get(meeting_id)

    async def active_for_room(self, room_name: str) -> Meeting | None:
        active = [m for m in self.s.meetings.values() if m.room_name == room_name and m.active]
        return max(active, key=lambda m: m.start) if active else None

    async def by_platform_room_name(self, platform: Platform, platform_room_name: str) -> builtins.list[Meeting]:
        wanted = platform_room_name.lstrip("/")
        found = (
            m for m in self.s.meetings.values() if m.platform == platform and m.platform_room_name.lstrip("/") == wanted
        )
        return sorted(found, key=lambda m: (m.start, m.id or ""))

    async def near(self, room_name: str, at: datetime, window_seconds: float) -> builtins.list[Meeting]:
        found = (
            m
            for m in self.s.meetings.values()
            if m.room_name == room_name
            and (m.start.timestamp() - window_seconds) <= at.timestamp() <= (m.end.timestamp() + window_seconds)
        )
        return sorted(found, key=lambda m: (abs((m.start - at).total_seconds()), m.id or ""))

    async def deactivate(self, meeting_id: str) -> None:
        if meeting_id not in self.s.meetings:
            raise NotFoundError("meeting", meeting_id)
        self.s.meetings[meeting_id] = attrs.evolve(self.s.meetings[meeting_id], active=False)

    async def ended_but_active(self, now: datetime) -> builtins.list[Meeting]:
        return sorted(
            (m for m in self.s.meetings.values() if m.active and m.end < now), key=lambda m: (m.end, m.id or "")
        )

    async def active(self, platform: Platform) -> builtins.list[Meeting]:
        return sorted(
            (m for m in self.s.meetings.values() if m.active and m.platform == platform), key=lambda m: m.start
        )

    async def for_room(self, room_name: str, *, limit: int = 50) -> builtins.list[Meeting]:
        mine = [m for m in self.s.meetings.values() if m.room_name == room_name]
        return sorted(mine, key=lambda m: (m.start, m.id or ""), reverse=True)[:limit]


class MemoryRecordings:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def upsert(self, recording: Recording) -> tuple[Recording, bool]:
        if recording.meeting_id is not None and recording.meeting_id not in self.s.meetings:
            raise NotFoundError("meeting", recording.meeting_id)
        existing = await self.by_platform_id(recording.platform, recording.platform_recording_id)
        if existing is None:
            created = attrs.evolve(recording, id=recording.id or self.s.new_id("rec-"))
            self.s.recordings[created.id or ""] = created
            self.s.recording_created[created.id or ""] = self.s.now()
            return created, True
        filled = self._fill(existing, recording)
        self.s.recordings[existing.id or ""] = filled
        return filled, False

    @staticmethod
    def _fill(old: Recording, new: Recording) -> Recording:
        """A rediscovery only fills gaps: what is stored was seen first and is never overwritten."""
        known = {t.key for t in old.tracks}
        linking = old.meeting_id is None and new.meeting_id is not None
        return attrs.evolve(
            old,
            started_at=old.started_at or new.started_at,
            duration=old.duration if old.duration is not None else new.duration,
            platform_room_name=old.platform_room_name or new.platform_room_name,
            platform_session_id=old.platform_session_id or new.platform_session_id,
            object_key=old.object_key or new.object_key,
            # The platform's own status moves on (in-progress → finished): its latest word counts.
            status=new.status if new.status is not None else old.status,
            meeting_id=new.meeting_id if linking else old.meeting_id,
            linked_by_time=new.linked_by_time if linking else old.linked_by_time,
            tracks=(*old.tracks, *(t for t in new.tracks if t.key not in known)),
        )

    async def get(self, recording_id: str) -> Recording | None:
        return self.s.recordings.get(recording_id)

    async def by_platform_id(self, platform: Platform, platform_recording_id: str) -> Recording | None:
        for r in self.s.recordings.values():
            if (r.platform, r.platform_recording_id) == (platform, platform_recording_id):
                return r
        return None

    async def link_meeting(self, recording_id: str, meeting_id: str, *, by_time: bool) -> None:
        if meeting_id not in self.s.meetings:
            raise NotFoundError("meeting", meeting_id)
        if recording_id not in self.s.recordings:
            raise NotFoundError("recording", recording_id)
        self.s.recordings[recording_id] = attrs.evolve(
            self.s.recordings[recording_id], meeting_id=meeting_id, linked_by_time=by_time
        )

    async def unlinked(self) -> builtins.list[Recording]:
        return [r for r in self.s.recordings.values() if r.meeting_id is None]

    async def for_meeting(self, meeting_id: str) -> builtins.list[Recording]:
        found = (r for r in self.s.recordings.values() if r.meeting_id == meeting_id)
        # Oldest start first, unknown starts last, then in discovery order (dicts keep insertion order).
        return sorted(found, key=lambda r: (r.started_at is None, r.started_at or datetime.min.replace(tzinfo=UTC)))

    def _started(self, r: Recording) -> datetime:
        """When it started, or when it was discovered if the start is unknown."""
        return r.started_at or self.s.recording_created[r.id or ""]

    async def sources_expired(self, before: datetime, *, limit: int = 100) -> builtins.list[Recording]:
        busy = {
            t.recording_id
            for t in self.s.transcripts.values()
            if t.status in (TranscriptStatus.QUEUED, TranscriptStatus.PROCESSING)
        }
        rows = [
            r
            for r in self.s.recordings.values()
            if r.id not in self.s.sources_deleted and r.id not in busy and self._started(r) < before
        ]
        return sorted(rows, key=self._started)[:limit]

    async def mark_sources_deleted(self, recording_id: str) -> None:
        if recording_id not in self.s.recordings:
            raise NotFoundError("recording", recording_id)
        self.s.sources_deleted.add(recording_id)


class MemoryTranscripts:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def ensure(self, recording_id: str) -> tuple[Transcript, bool]:
        if recording_id not in self.s.recordings:
            raise NotFoundError("recording", recording_id)
        existing = await self.by_recording(recording_id)
        if existing is not None:
            return existing, False
        now = self.s.now()
        t = Transcript(recording_id=recording_id, id=self.s.new_id("tr-"), created_at=now, updated_at=now)
        self.s.transcripts[t.id or ""] = t
        return t, True

    def _replace(self, transcript_id: str, **changes: Any) -> None:
        current = self.s.transcripts.get(transcript_id)
        if current is None:
            raise NotFoundError("transcript", transcript_id)
        self.s.transcripts[transcript_id] = attrs.evolve(current, **changes, updated_at=self.s.now())

    async def get(self, transcript_id: str) -> Transcript | None:
        return self.s.transcripts.get(transcript_id)

    async def by_recording(self, recording_id: str) -> Transcript | None:
        return next((t for t in self.s.transcripts.values() if t.recording_id == recording_id), None)

    async def transition(self, transcript_id: str, to: TranscriptStatus, *, error: str | None = None) -> bool:
        t = self.s.transcripts.get(transcript_id)
        if t is None:
            raise NotFoundError("transcript", transcript_id)
        if t.status not in allowed_sources(to):
            return False
        self._replace(transcript_id, status=to, error=error)
        return True

    async def save_result(self, transcript: Transcript) -> None:
        if transcript.id is None:
            raise NotFoundError("transcript", f"(no id; recording {transcript.recording_id})")
        # As the port says: status, error and audio_deleted belong to transitions and consent cleanup.
        self._replace(
            transcript.id,
            words=transcript.words,
            participants=transcript.participants,
            duration=transcript.duration,
            audio_location=transcript.audio_location,
            failed_tracks=transcript.failed_tracks,
            language=transcript.language,
        )
        self.s.segments[transcript.id] = segments(transcript.words)

    async def set_audio_deleted(self, transcript_id: str, deleted: bool) -> None:
        self._replace(transcript_id, audio_deleted=deleted)

    async def lock(self, transcript_id: str) -> None:
        return None  # the fakes have no transactions (and no awaits between a read and its write)

    async def set_title(self, transcript_id: str, title: str | None) -> None:
        self._replace(transcript_id, title=title)

    async def list(self, flt: TranscriptFilter, *, offset: int = 0, limit: int = 50) -> Page[Transcript]:
        def keep(t: Transcript) -> bool:
            rec = self.s.recordings.get(t.recording_id)
            if flt.status is not None and t.status != flt.status:
                return False
            if flt.platform_recording_id is not None and (
                rec is None or rec.platform_recording_id != flt.platform_recording_id
            ):
                return False
            if flt.meeting_id is not None and (rec is None or rec.meeting_id != flt.meeting_id):
                return False
            meeting = self.s.meetings.get(rec.meeting_id or "") if rec else None
            room = self.s.rooms.get(meeting.room_name or "") if meeting else None
            if flt.room is not None and (meeting is None or meeting.room_name != flt.room):
                return False
            created = t.created_at
            if flt.created_from is not None and (created is None or created < flt.created_from):
                return False
            if flt.created_before is not None and (created is None or created >= flt.created_before):
                return False

            def owned_by(user: str) -> bool:
                return (room is not None and room.owner == user) or (
                    rec is not None and rec.meeting_id is None and rec.owner == user
                )

            if flt.owner is not None and not owned_by(flt.owner):
                return False
            return flt.viewer is None or owned_by(flt.viewer) or (t.id or "", flt.viewer) in self.s.share_users

        # Newest first; ids are creation-ordered, so they break ties of equal times the same way.
        rows = sorted((t for t in self.s.transcripts.values() if keep(t)), key=_created_then_id, reverse=True)
        # As the port says: a listing comes without the words.
        items = tuple(attrs.evolve(t, words=()) for t in rows[offset : offset + limit])
        return Page(items=items, total=len(rows), offset=offset, limit=limit)

    async def stuck(self, older_than: datetime) -> builtins.list[Transcript]:
        busy = (TranscriptStatus.QUEUED, TranscriptStatus.PROCESSING)
        found = (
            t
            for t in self.s.transcripts.values()
            if t.status in busy and t.updated_at is not None and t.updated_at < older_than
        )
        return sorted(found, key=lambda t: (t.updated_at or older_than, t.id or ""))

    def _finished_before(self, before: datetime) -> builtins.list[Transcript]:
        rows = [
            t
            for t in self.s.transcripts.values()
            if t.status in (TranscriptStatus.DONE, TranscriptStatus.FAILED)
            and t.created_at is not None
            and t.created_at < before
        ]
        return sorted(rows, key=_created_then_id)

    async def audio_expired(self, before: datetime, *, limit: int = 100) -> builtins.list[Transcript]:
        return [t for t in self._finished_before(before) if not t.audio_deleted][:limit]

    async def expired(self, before: datetime, *, limit: int = 100) -> builtins.list[Transcript]:
        return self._finished_before(before)[:limit]

    async def delete(self, transcript_id: str) -> bool:
        self.s.notes.pop(transcript_id, None)  # as the table's ON DELETE CASCADE
        self.s.share_links.pop(transcript_id, None)
        for key in [k for k in self.s.share_users if k[0] == transcript_id]:
            del self.s.share_users[key]
        self.s.edits = [e for e in self.s.edits if e.transcript_id != transcript_id]
        self.s.segments.pop(transcript_id, None)
        if self.s.transcripts.pop(transcript_id, None) is None:
            return False
        # As the SQL foreign key does (ON DELETE CASCADE): the delivery history goes with the transcript.
        for event_id, d in list(self.s.outbound_deliveries.items()):
            if d.transcript_id == transcript_id:
                del self.s.outbound_deliveries[event_id]
        return True


class MemoryInboundEvents:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def record(self, platform: Platform, event_id: str, received_at: datetime, body: str | None = None) -> bool:
        _aware(received_at)
        if (platform, event_id) in self.s.inbound_events:
            return False
        self.s.inbound_events.add((platform, event_id))
        if body is not None:
            self.s.pending_events[(platform, event_id)] = body
        return True

    async def handled(self, platform: Platform, event_id: str) -> None:
        self.s.pending_events.pop((platform, event_id), None)

    async def pending(self) -> list[tuple[Platform, str]]:
        return [(platform, body) for (platform, _), body in self.s.pending_events.items()]


class MemoryCursors:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def get(self, source: str) -> tuple[str | None, datetime | None]:
        return self.s.cursors.get(source, (None, None))

    async def set(self, source: str, last_id: str | None, last_time: datetime | None) -> None:
        self.s.cursors[source] = (last_id, None if last_time is None else _aware(last_time))


class MemorySessions:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def upsert(self, session: ParticipantSession) -> None:
        if session.meeting_id not in self.s.meetings:
            raise NotFoundError("meeting", session.meeting_id)
        key = (session.meeting_id, session.session_id)
        old = self.s.sessions.get(key)
        if old is None:
            self.s.sessions[key] = session
        else:
            self.s.sessions[key] = attrs.evolve(
                old,
                name=old.name or session.name,
                user_id=old.user_id or session.user_id,
                left_at=old.left_at or session.left_at,
            )

    async def for_meeting(self, meeting_id: str) -> builtins.list[ParticipantSession]:
        found = (s for (m, _), s in self.s.sessions.items() if m == meeting_id)
        return sorted(found, key=lambda s: (s.joined_at, s.session_id))


class MemoryConsents:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def add(self, decision: ConsentDecision) -> None:
        if decision.meeting_id not in self.s.meetings:
            raise NotFoundError("meeting", decision.meeting_id)
        # One decision per (meeting, participant); the latest one wins, as in the SQL repository.
        same = [
            c for c in self.s.consents if (c.meeting_id, c.participant) == (decision.meeting_id, decision.participant)
        ]
        if same and max(c.at for c in same) > decision.at:
            return
        self.s.consents = [c for c in self.s.consents if c not in same] + [decision]

    async def for_meeting(self, meeting_id: str) -> builtins.list[ConsentDecision]:
        return sorted((c for c in self.s.consents if c.meeting_id == meeting_id), key=lambda c: (c.at, c.participant))

    async def meetings_awaiting_cleanup(self) -> builtins.list[str]:
        refused = {c.meeting_id for c in self.s.consents if c.choice is ConsentChoice.REFUSED}
        pending = []
        for meeting_id in sorted(refused):
            for r in self.s.recordings.values():
                t = next((t for t in self.s.transcripts.values() if t.recording_id == r.id), None)
                if r.meeting_id == meeting_id and (t is None or not t.audio_deleted):
                    pending.append(meeting_id)
                    break
        return pending


class MemoryDeletedObjects:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def record(self, bucket: str, key: str, reason: str, at: datetime) -> None:
        self.s.deleted_objects.append((bucket, key, reason, at))


class MemoryApiKeys:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def add(self, key_id: str, key_hash: str, owner: str, created_at: datetime) -> None:
        if key_id in self.s.api_keys or any(h == key_hash for h, *_ in self.s.api_keys.values()):
            raise ConflictError(f"an API key with id {key_id!r} or the same hash already exists")
        self.s.api_keys[key_id] = (key_hash, owner, created_at, False)

    async def owner_of(self, key_hash: str) -> str | None:
        return next((o for h, o, _, revoked in self.s.api_keys.values() if h == key_hash and not revoked), None)

    async def revoke(self, key_id: str, *, owner: str | None = None) -> bool:
        if key_id not in self.s.api_keys or self.s.api_keys[key_id][3]:
            return False
        h, o, c, _ = self.s.api_keys[key_id]
        if owner is not None and o != owner:
            return False
        self.s.api_keys[key_id] = (h, o, c, True)
        return True

    async def for_owner(self, owner: str) -> builtins.list[ApiKeyInfo]:
        found = [ApiKeyInfo(i, c, r) for i, (_, o, c, r) in self.s.api_keys.items() if o == owner]
        return sorted(sorted(found, key=lambda k: k.key_id), key=lambda k: k.created_at, reverse=True)


class MemoryMeetingRecordings:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def get(self, meeting_id: str) -> MeetingRecording | None:
        return self.s.meeting_recordings.get(meeting_id)

    async def request(
        self, meeting_id: str, at: datetime, *, by: str, again_from: frozenset[RecordingState] = frozenset()
    ) -> bool:
        if meeting_id not in self.s.meetings:
            raise NotFoundError("meeting", meeting_id)
        current = self.s.meeting_recordings.get(meeting_id)
        if current is not None and current.state not in again_from:
            return False
        self.s.meeting_recordings[meeting_id] = MeetingRecording(
            meeting_id=meeting_id, state=RecordingState.REQUESTED, requested_at=at, updated_at=at, requested_by=by
        )
        return True

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
        current = self.s.meeting_recordings.get(meeting_id)
        if current is None or current.state not in sources:
            return False
        self.s.meeting_recordings[meeting_id] = attrs.evolve(
            current,
            state=to,
            error=error,
            updated_at=at,
            started_at=at if to is RecordingState.STARTED else current.started_at,
            attempts=current.attempts + (1 if failed_attempt else 0),
        )
        return True

    async def for_meetings(self, meeting_ids: Sequence[str]) -> dict[str, MeetingRecording]:
        return {m: self.s.meeting_recordings[m] for m in meeting_ids if m in self.s.meeting_recordings}


class MemoryRecordingControl:
    """A ``RecordingControl`` that records calls; ``failures`` are raised by the next start calls in order."""

    def __init__(self, *failures: Exception, active: bool = False) -> None:
        self.failures = list(failures)
        self.active = active
        self.starts: list[tuple[str, RecordingKind, str]] = []
        self.stops: list[tuple[str, RecordingKind, str]] = []

    async def start_recording(self, meeting: Meeting, kind: RecordingKind, instance_id: str) -> bool:
        self.starts.append((meeting.platform_room_name, kind, instance_id))
        if self.failures:
            raise self.failures.pop(0)
        was_active, self.active = self.active, True
        return not was_active

    async def stop_recording(self, meeting: Meeting, kind: RecordingKind, instance_id: str) -> bool:
        self.stops.append((meeting.platform_room_name, kind, instance_id))
        was_active, self.active = self.active, False
        return was_active


class MemorySearch:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def index(self, transcript_id: str, found: Sequence[Segment]) -> None:
        self.s.segments[transcript_id] = list(found)

    async def search(
        self, wanted: tuple[str, ...], *, owner: str, limit: int, per_transcript: int
    ) -> builtins.list[SearchHit]:
        mine = await MemoryTranscripts(self.s).list(TranscriptFilter(viewer=owner), limit=len(self.s.transcripts) + 1)
        hits = []
        for t in mine.items:
            found = [g for g in self.s.segments.get(t.id or "", []) if matches(g.text, wanted)]
            if found:
                snippets = tuple(Snippet(g.text, g.start) for g in found[:per_transcript])
                hits.append(SearchHit(t.id or "", snippets))
        return hits[:limit]


class MemoryUsers:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def add(self, user: User) -> User:
        if user.username in self.s.users:
            raise ConflictError(f"username taken: {user.username}")
        stored = attrs.evolve(user, id=self.s.new_id("user-"))
        self.s.users[user.username] = stored
        return stored

    async def get(self, username: str) -> User | None:
        return self.s.users.get(username)


class MemoryNotes:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def get(self, transcript_id: str) -> TranscriptNotes | None:
        return self.s.notes.get(transcript_id)

    async def save(self, notes: TranscriptNotes) -> None:
        if notes.transcript_id not in self.s.transcripts:
            raise NotFoundError("transcript", notes.transcript_id)
        self.s.notes[notes.transcript_id] = notes

    async def unfinished(self, updated_before: datetime) -> list[TranscriptNotes]:
        found = [
            n
            for n in self.s.notes.values()
            if n.status in (NotesStatus.PENDING, NotesStatus.RUNNING)
            and n.updated_at is not None
            and n.updated_at < updated_before
        ]
        return sorted(found, key=lambda n: (n.updated_at or updated_before, n.transcript_id))


class MemoryShares:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def set_link(self, transcript_id: str, token_hash: str, created_at: datetime) -> None:
        if transcript_id not in self.s.transcripts:
            raise NotFoundError("transcript", transcript_id)
        self.s.share_links[transcript_id] = (token_hash, created_at)

    async def drop_link(self, transcript_id: str) -> bool:
        return self.s.share_links.pop(transcript_id, None) is not None

    async def link_created(self, transcript_id: str) -> datetime | None:
        found = self.s.share_links.get(transcript_id)
        return found[1] if found else None

    async def by_link(self, token_hash: str) -> str | None:
        return next((t for t, (h, _) in self.s.share_links.items() if h == token_hash), None)

    async def add_user(self, transcript_id: str, username: str, created_at: datetime) -> None:
        if transcript_id not in self.s.transcripts:
            raise NotFoundError("transcript", transcript_id)
        self.s.share_users.setdefault((transcript_id, username), created_at)

    async def drop_user(self, transcript_id: str, username: str) -> bool:
        return self.s.share_users.pop((transcript_id, username), None) is not None

    async def users(self, transcript_id: str) -> builtins.list[str]:
        return sorted(u for t, u in self.s.share_users if t == transcript_id)

    async def shared_with(self, transcript_id: str, username: str) -> bool:
        return (transcript_id, username) in self.s.share_users


class MemoryEdits:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def add(self, edit: TranscriptEdit) -> TranscriptEdit:
        if edit.transcript_id not in self.s.transcripts:
            raise NotFoundError("transcript", edit.transcript_id)
        stored = attrs.evolve(edit, id=next(self.s.ids))
        self.s.edits.append(stored)
        return stored

    async def for_transcript(self, transcript_id: str) -> builtins.list[TranscriptEdit]:
        return [e for e in self.s.edits if e.transcript_id == transcript_id]


class MemoryUnitOfWork:
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.rooms: ports.RoomRepository = MemoryRooms(store)
        self.meetings: ports.MeetingRepository = MemoryMeetings(store)
        self.recordings: ports.RecordingRepository = MemoryRecordings(store)
        self.transcripts: ports.TranscriptRepository = MemoryTranscripts(store)
        self.inbound_events: ports.InboundEventRepository = MemoryInboundEvents(store)
        self.poll_cursors: ports.PollCursorRepository = MemoryCursors(store)
        self.participant_sessions: ports.ParticipantSessionRepository = MemorySessions(store)
        self.consents: ports.ConsentRepository = MemoryConsents(store)
        self.deleted_objects: ports.DeletedObjectRepository = MemoryDeletedObjects(store)
        self.api_keys: ports.ApiKeyRepository = MemoryApiKeys(store)
        self.outbound_deliveries: ports.OutboundDeliveryRepository = MemoryOutboundDeliveries(store)
        self.meeting_recordings: ports.MeetingRecordingRepository = MemoryMeetingRecordings(store)
        self.users: ports.UserRepository = MemoryUsers(store)
        self.search: ports.SearchRepository = MemorySearch(store)
        self.notes: ports.NotesRepository = MemoryNotes(store)
        self.shares: ports.ShareRepository = MemoryShares(store)
        self.edits: ports.TranscriptEditRepository = MemoryEdits(store)
        self.commits = 0

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    async def commit(self) -> None:
        self.commits += 1

    async def rollback(self) -> None:
        return None


class RecordingQueue:
    """A ``JobQueue`` that only remembers what was enqueued."""

    def __init__(self) -> None:
        self.jobs: list[Job] = []

    async def enqueue(self, job: Job) -> None:
        self.jobs.append(job)


class MemoryStorage:
    """An ``ObjectStorage`` over a dict; ``fail_deletes`` makes the next N deletes raise (fault injection).

    Keys, prefixes, ranges and expiries are checked by the same functions the real adapters use.
    """

    def __init__(self, bucket: str, objects: dict[str, bytes] | None = None, *, clock: Clock | None = None) -> None:
        self.bucket = bucket
        self.objects: dict[str, bytes] = dict(objects or {})
        self.fail_deletes = 0
        self.clock = clock or SystemClock()
        self.modified: dict[str, datetime] = {}

    async def download(self, key: str, destination: Path) -> int:
        data = self._get(key)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)
        return len(data)

    async def upload(self, key: str, source: Path, *, content_type: str | None = None) -> None:
        validate_key(key)
        try:
            data = source.read_bytes()
        except OSError as exc:
            raise StorageError(self.bucket, key, "upload", f"cannot read source {source}: {exc}") from exc
        self.objects[key] = data
        self.modified[key] = self.clock.now()

    async def read(self, key: str, *, start: int = 0, end: int | None = None) -> bytes:
        validate_key(key)
        check_range(self.bucket, key, start, end)
        data = self._get(key)
        if (start or end is not None) and start >= len(data):
            # As S3 does: a range starting at or past the end is unsatisfiable (even on 0 bytes).
            raise InvalidRangeError(self.bucket, key, start, end, "starts beyond the end of the object")
        return data[start : None if end is None else end + 1]

    async def delete(self, key: str) -> None:
        validate_key(key)
        if self.fail_deletes > 0:
            self.fail_deletes -= 1
            raise StorageError(self.bucket, key, "delete", "injected fault")
        self.objects.pop(key, None)

    async def exists(self, key: str) -> bool:
        return validate_key(key) in self.objects

    async def stat(self, key: str) -> ObjectInfo:
        return ObjectInfo(key=key, size=len(self._get(key)), last_modified=self.modified.get(key, self.clock.now()))

    async def presigned_url(self, key: str, *, expires_in: int) -> str:
        validate_key(key)
        check_expiry(self.bucket, key, expires_in)
        return f"memory://{self.bucket}/{key}?expires_in={expires_in}"

    async def list(self, prefix: str = "") -> AsyncIterator[ObjectInfo]:
        validate_prefix(prefix)
        # UTF-8 byte order, as S3 lists keys.
        for key in sorted(self.objects, key=lambda k: k.encode()):
            if key.startswith(prefix):
                yield ObjectInfo(key=key, size=len(self.objects[key]), last_modified=self.modified.get(key))

    def _get(self, key: str) -> bytes:
        if validate_key(key) not in self.objects:
            raise ObjectNotFoundError(self.bucket, key)
        return self.objects[key]


class MemoryNotifications:
    """A ``RecordingNotifications`` over a list; unacknowledged messages are delivered again."""

    def __init__(self, messages: Iterable[Notification] = ()) -> None:
        self.pending: list[Notification] = list(messages)
        self.acked: list[str] = []

    async def receive(self, *, max_messages: int = 10, wait_seconds: int = 20) -> list[Notification]:
        return [n for n in self.pending if n.message_id not in self.acked][:max_messages]

    async def acknowledge(self, notification: Notification) -> None:
        self.acked.append(notification.message_id)


class MemoryRecordingSource:
    """A ``RecordingSource`` over a newest-first list of recordings."""

    def __init__(self, recordings: Iterable[Recording] = ()) -> None:
        self.recordings = list(recordings)
        self.pages_read = 0

    async def recordings_newest_first(self, *, stop_at: str | None = None) -> AsyncIterator[Recording]:
        for r in self.recordings:
            if r.platform_recording_id == stop_at:
                return
            yield r

    async def get_recording(self, platform_recording_id: str) -> Recording:
        for r in self.recordings:
            if r.platform_recording_id == platform_recording_id:
                return r
        # What the Daily client raises for an id its API does not know.
        raise PlatformError(Platform.DAILY.value, "get recording", 404, "not-found", platform_recording_id)


class MemoryVideoPlatform:
    """A ``VideoPlatform`` that makes up meetings; ``delay`` makes ``create_meeting`` slow (race tests)."""

    def __init__(self, platform: Platform = Platform.DAILY, *, delay: float = 0.0) -> None:
        self.platform = platform
        self.delay = delay
        self.created: list[Meeting] = []
        self.deleted: list[Meeting] = []
        self.tokens: list[dict[str, Any]] = []
        self.sessions: dict[str, list[ParticipantSession]] = {}
        """Sessions by platform room name, returned by ``room_sessions``."""

    async def create_meeting(self, room: Room, *, start: datetime, end: datetime) -> Meeting:
        if self.delay:
            await asyncio.sleep(self.delay)
        n = len(self.created) + 1
        name = f"{room.name}-{n}"
        meeting = Meeting(
            platform=self.platform,
            platform_meeting_id=f"{self.platform.value}-meeting-{n}",
            platform_room_name=name,
            room_url=f"https://{self.platform.value}.example/{name}",
            host_room_url=f"https://{self.platform.value}.example/{name}?host=1",
            start=start,
            end=end,
            room_name=room.name,
        )
        self.created.append(meeting)
        return meeting

    async def delete_meeting(self, meeting: Meeting) -> None:
        self.deleted.append(meeting)

    async def room_sessions(self, meeting: Meeting) -> builtins.list[ParticipantSession]:
        return list(self.sessions.get(meeting.platform_room_name, []))

    async def join_token(
        self, meeting: Meeting, *, user_id: str | None, name: str | None, owner: bool, expires_at: datetime
    ) -> str | None:
        self.tokens.append(
            {"meeting": meeting, "user_id": user_id, "name": name, "owner": owner, "expires_at": expires_at}
        )
        return f"token-{len(self.tokens)}"


class MemoryWebhookVerifier:
    """A ``WebhookVerifier`` with a toy scheme: header ``X-Test-Signature`` must equal ``secret``.

    A verified body ``{"id": ..., "type": ..., "room": ...}`` becomes: ``ping`` → ``VerificationPing``,
    ``ignored`` → ``IgnoredEvent``, any other type → ``MeetingEnded`` of ``room``; anything that is not
    such an object raises ``PayloadError``.
    """

    HEADER = "X-Test-Signature"

    def __init__(self, platform: Platform = Platform.DAILY, secret: str = "s3cret") -> None:
        self.platform = platform
        self.secret = secret
        self.parsed: list[bytes] = []

    def parse(self, body: bytes, headers: Mapping[str, str]) -> PlatformEvent:
        signature = next((v for k, v in headers.items() if k.lower() == self.HEADER.lower()), None)
        if signature != self.secret:
            raise WebhookRejectedError(self.platform.value, "bad signature")
        self.parsed.append(body)
        return self.parse_verified(body)

    def parse_verified(self, body: bytes) -> PlatformEvent:
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise PayloadError(f"{self.platform.value} webhook", str(exc)) from exc
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            raise PayloadError(f"{self.platform.value} webhook", "expected an object with a type")
        event_id = data.get("id") if isinstance(data.get("id"), str) else None
        if data["type"] == "ping":
            return VerificationPing(self.platform, None, None)
        if data["type"] == "ignored":
            return IgnoredEvent(self.platform, event_id, None, data["type"], "test")
        room = data.get("room") if isinstance(data.get("room"), str) else None
        return MeetingEnded(self.platform, event_id, None, room, None, None)


class MemoryOutboundDeliveries:
    """A ``OutboundDeliveryRepository`` over ``MemoryStore.outbound_deliveries``."""

    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def add(self, delivery: WebhookDelivery) -> bool:
        if delivery.transcript_id not in self.s.transcripts:
            raise NotFoundError("transcript", delivery.transcript_id)
        if delivery.event_id in self.s.outbound_deliveries:
            return False
        self.s.outbound_deliveries[delivery.event_id] = delivery
        return True

    async def get(self, event_id: str) -> WebhookDelivery | None:
        return self.s.outbound_deliveries.get(event_id)

    async def record_attempt(
        self, event_id: str, attempt: DeliveryAttempt, *, state: DeliveryState, next_attempt_at: datetime | None
    ) -> bool:
        d = self.s.outbound_deliveries.get(event_id)
        if d is None or attempt.number != len(d.attempts) + 1:
            return False
        self.s.outbound_deliveries[event_id] = attrs.evolve(
            d, attempts=(*d.attempts, attempt), state=state, next_attempt_at=next_attempt_at
        )
        return True

    async def claim_due(self, now: datetime, until: datetime, *, limit: int = 100) -> builtins.list[str]:
        due = sorted(
            (
                d
                for d in self.s.outbound_deliveries.values()
                if d.state is DeliveryState.PENDING and d.next_attempt_at is not None and d.next_attempt_at <= now
            ),
            key=lambda d: (d.next_attempt_at or now, d.created_at),
        )[:limit]
        for d in due:
            self.s.outbound_deliveries[d.event_id] = attrs.evolve(d, next_attempt_at=until)
        return [d.event_id for d in due]

    async def for_transcript(self, transcript_id: str) -> builtins.list[WebhookDelivery]:
        return sorted(
            (d for d in self.s.outbound_deliveries.values() if d.transcript_id == transcript_id),
            key=lambda d: d.created_at,
        )


class MemoryWebhookSender:
    """A ``WebhookSender`` that answers from a script (status codes or exceptions) and remembers each POST."""

    def __init__(self, *answers: int | Exception) -> None:
        self.answers = list(answers)
        self.posts: list[tuple[str, bytes, dict[str, str]]] = []

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        self.posts.append((url, body, dict(headers)))
        answer = self.answers.pop(0) if self.answers else 200
        if isinstance(answer, Exception):
            raise answer
        return answer


def _created_then_id(t: Transcript) -> tuple[datetime, str]:
    return (t.created_at or datetime.min.replace(tzinfo=UTC), t.id or "")


def conforming_fakes(store: MemoryStore) -> tuple[object, ...]:
    """Never called: mypy (strict on this module) checks here that every fake satisfies its port."""
    uow: UnitOfWork = MemoryUnitOfWork(store)
    queue: JobQueue = RecordingQueue()
    storage: ObjectStorage = MemoryStorage("bucket")
    notifications: RecordingNotifications = MemoryNotifications()
    source: RecordingSource = MemoryRecordingSource()
    control: ports.RecordingControl = MemoryRecordingControl()
    platform: VideoPlatform = MemoryVideoPlatform()
    verifier: WebhookVerifier = MemoryWebhookVerifier()
    sender: WebhookSender = MemoryWebhookSender()
    clock: Clock = FixedClock()
    return (uow, queue, storage, notifications, source, control, platform, verifier, sender, clock)
