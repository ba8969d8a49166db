"""In-memory implementations of the ports, for unit tests of the use cases.

They keep the promises the real adapters keep (uniqueness, idempotency, the status machine,
conditional transitions) but not durability or isolation: every write is visible at once and
``rollback`` cannot undo it. Each method body runs without awaiting, so under asyncio every call
is atomic, which is exactly what the concurrency promises of the real repositories look like.
"""

from __future__ import annotations

import builtins
import itertools
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import attrs

from reflector_core.errors import ConflictError, ObjectNotFoundError
from reflector_core.model import (
    ConsentDecision,
    Meeting,
    ParticipantSession,
    Platform,
    Recording,
    Room,
    Transcript,
    TranscriptStatus,
    allowed_sources,
)
from reflector_core.ports import Notification, ObjectInfo, Page, TranscriptFilter


class FixedClock:
    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 3, 12, 14, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current


@attrs.define
class MemoryStore:
    """The shared state every ``MemoryUnitOfWork`` reads and writes."""

    rooms: dict[str, Room] = attrs.Factory(dict)
    meetings: dict[str, Meeting] = attrs.Factory(dict)
    recordings: dict[str, Recording] = attrs.Factory(dict)
    transcripts: dict[str, Transcript] = attrs.Factory(dict)
    webhook_events: set[tuple[Platform, str]] = attrs.Factory(set)
    cursors: dict[str, tuple[str | None, datetime | None]] = attrs.Factory(dict)
    sessions: dict[tuple[str, str], ParticipantSession] = attrs.Factory(dict)
    consents: list[ConsentDecision] = attrs.Factory(list)
    deleted_objects: list[tuple[str, str, str, datetime]] = attrs.Factory(list)
    api_keys: dict[str, tuple[str, str, datetime, bool]] = attrs.Factory(dict)
    linked_by_time: set[str] = attrs.Factory(set)
    ids: itertools.count[int] = attrs.Factory(lambda: itertools.count(1))

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self.ids)}"


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
        self.s.rooms[room.name] = room
        return room

    async def delete(self, name: str) -> bool:
        return self.s.rooms.pop(name, None) is not None


class MemoryMeetings:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def add(self, meeting: Meeting) -> Meeting:
        for m in self.s.meetings.values():
            if (m.platform, m.platform_meeting_id) == (meeting.platform, meeting.platform_meeting_id):
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
        return [
            m for m in self.s.meetings.values() if m.platform == platform and m.platform_room_name.lstrip("/") == wanted
        ]

    async def near(self, room_name: str, at: datetime, window_seconds: float) -> builtins.list[Meeting]:
        return [
            m
            for m in self.s.meetings.values()
            if m.room_name == room_name
            and (m.start.timestamp() - window_seconds) <= at.timestamp() <= (m.end.timestamp() + window_seconds)
        ]

    async def deactivate(self, meeting_id: str) -> None:
        if meeting_id in self.s.meetings:
            self.s.meetings[meeting_id] = attrs.evolve(self.s.meetings[meeting_id], active=False)

    async def ended_but_active(self, now: datetime) -> builtins.list[Meeting]:
        return [m for m in self.s.meetings.values() if m.active and m.end < now]


class MemoryRecordings:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def upsert(self, recording: Recording) -> tuple[Recording, bool]:
        existing = await self.by_platform_id(recording.platform, recording.platform_recording_id)
        if existing is not None:
            return existing, False
        recording = attrs.evolve(recording, id=self.s.new_id("rec-"))
        self.s.recordings[recording.id or ""] = recording
        return recording, True

    async def get(self, recording_id: str) -> Recording | None:
        return self.s.recordings.get(recording_id)

    async def by_platform_id(self, platform: Platform, platform_recording_id: str) -> Recording | None:
        for r in self.s.recordings.values():
            if (r.platform, r.platform_recording_id) == (platform, platform_recording_id):
                return r
        return None

    async def link_meeting(self, recording_id: str, meeting_id: str, *, by_time: bool) -> None:
        self.s.recordings[recording_id] = attrs.evolve(self.s.recordings[recording_id], meeting_id=meeting_id)
        if by_time:
            self.s.linked_by_time.add(recording_id)

    async def unlinked(self) -> builtins.list[Recording]:
        return [r for r in self.s.recordings.values() if r.meeting_id is None]


class MemoryTranscripts:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def ensure(self, recording_id: str) -> tuple[Transcript, bool]:
        existing = await self.by_recording(recording_id)
        if existing is not None:
            return existing, False
        t = Transcript(recording_id=recording_id, id=self.s.new_id("tr-"))
        self.s.transcripts[t.id or ""] = t
        return t, True

    async def get(self, transcript_id: str) -> Transcript | None:
        return self.s.transcripts.get(transcript_id)

    async def by_recording(self, recording_id: str) -> Transcript | None:
        return next((t for t in self.s.transcripts.values() if t.recording_id == recording_id), None)

    async def transition(self, transcript_id: str, to: TranscriptStatus, *, error: str | None = None) -> bool:
        t = self.s.transcripts.get(transcript_id)
        if t is None or t.status not in allowed_sources(to):
            return False
        self.s.transcripts[transcript_id] = attrs.evolve(t, status=to, error=error)
        return True

    async def save_result(self, transcript: Transcript) -> None:
        current = self.s.transcripts[transcript.id or ""]
        self.s.transcripts[transcript.id or ""] = attrs.evolve(transcript, status=current.status)

    async def set_audio_deleted(self, transcript_id: str, deleted: bool) -> None:
        self.s.transcripts[transcript_id] = attrs.evolve(self.s.transcripts[transcript_id], audio_deleted=deleted)

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
            if flt.room is not None:
                meeting = self.s.meetings.get(rec.meeting_id or "") if rec else None
                if meeting is None or meeting.room_name != flt.room:
                    return False
            return True

        rows = [t for t in self.s.transcripts.values() if keep(t)]
        return Page(items=tuple(rows[offset : offset + limit]), total=len(rows), offset=offset, limit=limit)

    async def stuck(self, older_than: datetime) -> builtins.list[Transcript]:
        return [
            t for t in self.s.transcripts.values() if t.status in (TranscriptStatus.QUEUED, TranscriptStatus.FAILED)
        ]


class MemoryWebhookEvents:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def record(self, platform: Platform, event_id: str, received_at: datetime) -> bool:
        if (platform, event_id) in self.s.webhook_events:
            return False
        self.s.webhook_events.add((platform, event_id))
        return True


class MemoryCursors:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def get(self, source: str) -> tuple[str | None, datetime | None]:
        return self.s.cursors.get(source, (None, None))

    async def set(self, source: str, last_id: str | None, last_time: datetime | None) -> None:
        self.s.cursors[source] = (last_id, last_time)


class MemorySessions:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def upsert(self, session: ParticipantSession) -> None:
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
        return [s for (m, _), s in self.s.sessions.items() if m == meeting_id]


class MemoryConsents:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def add(self, decision: ConsentDecision) -> None:
        self.s.consents.append(decision)

    async def for_meeting(self, meeting_id: str) -> builtins.list[ConsentDecision]:
        return [c for c in self.s.consents if c.meeting_id == meeting_id]


class MemoryDeletedObjects:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def record(self, bucket: str, key: str, reason: str, at: datetime) -> None:
        self.s.deleted_objects.append((bucket, key, reason, at))


class MemoryApiKeys:
    def __init__(self, store: MemoryStore) -> None:
        self.s = store

    async def add(self, key_id: str, key_hash: str, owner: str, created_at: datetime) -> None:
        self.s.api_keys[key_id] = (key_hash, owner, created_at, False)

    async def owner_of(self, key_hash: str) -> str | None:
        return next((o for h, o, _, revoked in self.s.api_keys.values() if h == key_hash and not revoked), None)

    async def revoke(self, key_id: str) -> bool:
        if key_id not in self.s.api_keys:
            return False
        h, o, c, _ = self.s.api_keys[key_id]
        self.s.api_keys[key_id] = (h, o, c, True)
        return True


class MemoryUnitOfWork:
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.rooms = MemoryRooms(store)
        self.meetings = MemoryMeetings(store)
        self.recordings = MemoryRecordings(store)
        self.transcripts = MemoryTranscripts(store)
        self.webhook_events = MemoryWebhookEvents(store)
        self.poll_cursors = MemoryCursors(store)
        self.participant_sessions = MemorySessions(store)
        self.consents = MemoryConsents(store)
        self.deleted_objects = MemoryDeletedObjects(store)
        self.api_keys = MemoryApiKeys(store)
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
        self.jobs: list[tuple[str, dict[str, Any]]] = []

    async def enqueue(self, job: str, **kwargs: Any) -> None:
        self.jobs.append((job, kwargs))


class MemoryStorage:
    """An ``ObjectStorage`` over a dict; ``fail_deletes`` makes the next N deletes raise (fault injection)."""

    def __init__(self, bucket: str, objects: dict[str, bytes] | None = None) -> None:
        self.bucket = bucket
        self.objects: dict[str, bytes] = dict(objects or {})
        self.fail_deletes = 0

    async def download(self, key: str, destination: Path) -> int:
        data = self._get(key)
        destination.write_bytes(data)  # noqa: ASYNC240 - a test fake with tiny objects
        return len(data)

    async def upload(self, key: str, source: Path, *, content_type: str | None = None) -> None:
        self.objects[key] = source.read_bytes()  # noqa: ASYNC240 - a test fake with tiny objects

    async def read(self, key: str, *, start: int = 0, end: int | None = None) -> bytes:
        data = self._get(key)
        return data[start : None if end is None else end + 1]

    async def delete(self, key: str) -> None:
        if self.fail_deletes > 0:
            self.fail_deletes -= 1
            from reflector_core.errors import StorageError

            raise StorageError(self.bucket, key, "delete", "injected fault")
        self.objects.pop(key, None)

    async def exists(self, key: str) -> bool:
        return key in self.objects

    async def stat(self, key: str) -> ObjectInfo:
        return ObjectInfo(key=key, size=len(self._get(key)))

    async def presigned_url(self, key: str, *, expires_in: int) -> str:
        return f"memory://{self.bucket}/{key}?expires_in={expires_in}"

    async def list(self, prefix: str = "") -> AsyncIterator[ObjectInfo]:
        for key in sorted(self.objects):
            if key.startswith(prefix):
                yield ObjectInfo(key=key, size=len(self.objects[key]))

    def _get(self, key: str) -> bytes:
        if key not in self.objects:
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
        raise LookupError(platform_recording_id)
