"""The repository ports over SQLAlchemy Core, one class per repository, sharing one connection.

Idempotent writes are ``INSERT … ON CONFLICT`` followed by a re-select, never read-then-write, so
concurrent callers converge on the unique constraints instead of racing past a check. Writes that
can break a foreign key run in a savepoint, so the caller gets a ``NotFoundError`` and a transaction
that is still usable (PostgreSQL aborts the whole transaction on an error otherwise).
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Executable, Table, and_, case, delete, func, literal, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from reflector_adapters.clock import SYSTEM_CLOCK
from reflector_adapters.db import rows
from reflector_adapters.db import tables as tb
from reflector_adapters.db.search import SqlSearch
from reflector_adapters.db.visibility import visible_to
from reflector_core.apikeys import ApiKeyInfo
from reflector_core.errors import ConflictError, MeetingRoomConflictError, NotFoundError
from reflector_core.model import (
    ConsentDecision,
    DeliveryAttempt,
    DeliveryState,
    Meeting,
    ParticipantSession,
    Platform,
    Recording,
    Room,
    Transcript,
    TranscriptStatus,
    WebhookDelivery,
    allowed_sources,
)
from reflector_core.ports import Page, TranscriptFilter
from reflector_core.search import segments


def new_id() -> str:
    return str(uuid.uuid4())


_now = SYSTEM_CLOCK.now
"""The database's "now" for created/updated stamps (the wall clock, like the database's own)."""


def _insert(conn: AsyncConnection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """The dialect's INSERT, the one that knows ``ON CONFLICT``."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


async def _execute_guarded(
    conn: AsyncConnection, stmt: Executable, missing: Callable[[], Exception], params: Any = None
) -> CursorResult[Any]:
    """Run a write that may break a foreign key; the broken reference becomes ``missing()``."""
    try:
        async with conn.begin_nested():
            return await conn.execute(stmt, params)
    except IntegrityError as exc:
        raise missing() from exc


def _coalesce(column: ColumnElement[Any], value: Any) -> ColumnElement[Any]:
    """Keep the stored value, fill it from ``value`` only when it is NULL (typed, so UTC handling applies)."""
    return func.coalesce(column, literal(value, type_=column.type))


class SqlRooms:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, room: Room) -> Room:
        values = rows.room_values(room, room.id or new_id()) | {"created_at": _now()}
        result = await self._conn.execute(_insert(self._conn, tb.room).values(values).on_conflict_do_nothing())
        if result.rowcount != 1:
            raise ConflictError(f"a room named {room.name!r} already exists")
        stored = await self.get(room.name)
        assert stored is not None
        return stored

    async def get(self, name: str) -> Room | None:
        row = (await self._conn.execute(select(tb.room).where(tb.room.c.name == name))).mappings().first()
        return rows.room_from(row) if row else None

    async def list(self, *, owner: str | None = None) -> list[Room]:
        stmt = select(tb.room).order_by(tb.room.c.name)
        if owner is not None:
            stmt = stmt.where(tb.room.c.owner == owner)
        return [rows.room_from(r) for r in (await self._conn.execute(stmt)).mappings()]

    async def update(self, room: Room) -> Room:
        values = rows.room_values(room, "")
        del values["id"], values["name"]
        result = await self._conn.execute(update(tb.room).where(tb.room.c.name == room.name).values(values))
        if result.rowcount != 1:
            raise NotFoundError("room", room.name)
        stored = await self.get(room.name)
        assert stored is not None
        return stored

    async def delete(self, name: str) -> bool:
        result = await self._conn.execute(delete(tb.room).where(tb.room.c.name == name))
        return result.rowcount == 1


def _meetings_with_room_name() -> Any:
    return select(tb.meeting, tb.room.c.name.label("room_name")).outerjoin(
        tb.room, tb.meeting.c.room_id == tb.room.c.id
    )


class SqlMeetings:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, meeting: Meeting) -> Meeting:
        room_id: str | None = None
        if meeting.room_name is not None:
            room_id = await self._conn.scalar(select(tb.room.c.id).where(tb.room.c.name == meeting.room_name))
            if room_id is None:
                raise NotFoundError("room", meeting.room_name)
        values = rows.meeting_values(meeting, meeting.id or new_id(), room_id) | {"created_at": _now()}
        stmt = (
            _insert(self._conn, tb.meeting)
            .values(values)
            .on_conflict_do_nothing(index_elements=[tb.meeting.c.platform, tb.meeting.c.platform_meeting_id])
        )
        await _execute_guarded(self._conn, stmt, lambda: NotFoundError("room", meeting.room_name or "?"))
        found = await self._one(
            and_(
                tb.meeting.c.platform == meeting.platform.value,
                tb.meeting.c.platform_meeting_id == meeting.platform_meeting_id,
            )
        )
        assert found is not None
        if found.room_name != meeting.room_name:
            # The insert did nothing: the id is another room's (or a deleted room's) meeting.
            raise MeetingRoomConflictError(
                meeting.platform.value, meeting.platform_meeting_id, found.room_name, meeting.room_name
            )
        return found

    async def get(self, meeting_id: str) -> Meeting | None:
        return await self._one(tb.meeting.c.id == meeting_id)

    async def active_for_room(self, room_name: str) -> Meeting | None:
        found = await self._many(
            and_(tb.room.c.name == room_name, tb.meeting.c.active.is_(True)), tb.meeting.c.start_at.desc(), limit=1
        )
        return found[0] if found else None

    async def by_platform_room_name(self, platform: Platform, platform_room_name: str) -> list[Meeting]:
        # Whereby writes room names with a leading "/", Daily without; match both spellings, index-friendly.
        bare = platform_room_name.lstrip("/")
        return await self._many(
            and_(tb.meeting.c.platform == platform.value, tb.meeting.c.platform_room_name.in_([bare, "/" + bare])),
            tb.meeting.c.start_at,
        )

    async def near(self, room_name: str, at: datetime, window_seconds: float) -> list[Meeting]:
        window = timedelta(seconds=window_seconds)
        found = await self._many(
            and_(tb.room.c.name == room_name, tb.meeting.c.start_at <= at + window, tb.meeting.c.end_at >= at - window),
            tb.meeting.c.start_at,
        )
        # Nearest start first, ties to the earlier-created id: deterministic for the matcher.
        return sorted(found, key=lambda m: (abs((m.start - at).total_seconds()), m.id or ""))

    async def deactivate(self, meeting_id: str) -> None:
        result = await self._conn.execute(update(tb.meeting).where(tb.meeting.c.id == meeting_id).values(active=False))
        if result.rowcount != 1:
            raise NotFoundError("meeting", meeting_id)

    async def ended_but_active(self, now: datetime) -> list[Meeting]:
        return await self._many(and_(tb.meeting.c.active.is_(True), tb.meeting.c.end_at < now), tb.meeting.c.end_at)

    async def active(self, platform: Platform) -> list[Meeting]:
        return await self._many(
            and_(tb.meeting.c.active.is_(True), tb.meeting.c.platform == platform.value), tb.meeting.c.start_at
        )

    async def for_room(self, room_name: str, *, limit: int = 50) -> list[Meeting]:
        return await self._many(tb.room.c.name == room_name, tb.meeting.c.start_at.desc(), limit=limit)

    async def _one(self, where: ColumnElement[bool]) -> Meeting | None:
        row = (await self._conn.execute(_meetings_with_room_name().where(where))).mappings().first()
        return rows.meeting_from(row) if row else None

    async def _many(self, where: ColumnElement[bool], *order: Any, limit: int | None = None) -> list[Meeting]:
        stmt = _meetings_with_room_name().where(where).order_by(*order, tb.meeting.c.id).limit(limit)
        return [rows.meeting_from(r) for r in (await self._conn.execute(stmt)).mappings()]


class SqlRecordings:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def upsert(self, recording: Recording) -> tuple[Recording, bool]:
        key = and_(
            tb.recording.c.platform == recording.platform.value,
            tb.recording.c.platform_recording_id == recording.platform_recording_id,
        )
        values = rows.recording_values(recording, recording.id or new_id()) | {"created_at": _now()}
        stmt = (
            _insert(self._conn, tb.recording)
            .values(values)
            .on_conflict_do_nothing(index_elements=[tb.recording.c.platform, tb.recording.c.platform_recording_id])
        )
        missing_meeting = lambda: NotFoundError("meeting", recording.meeting_id or "?")  # noqa: E731
        created = (await _execute_guarded(self._conn, stmt, missing_meeting)).rowcount == 1
        if not created:
            await _execute_guarded(
                self._conn, update(tb.recording).where(key).values(self._fill(recording)), missing_meeting
            )
        recording_id = await self._conn.scalar(select(tb.recording.c.id).where(key))
        assert recording_id is not None
        if recording.tracks:
            tracks = _insert(self._conn, tb.track).on_conflict_do_nothing(
                index_elements=[tb.track.c.recording_id, tb.track.c.key]
            )
            await self._conn.execute(tracks, rows.track_values(recording_id, recording.tracks))
        stored = await self.get(recording_id)
        assert stored is not None
        return stored, created

    @staticmethod
    def _fill(incoming: Recording) -> dict[str, Any]:
        """A rediscovery only fills gaps: what is stored was seen first and is never overwritten."""
        c = tb.recording.c
        values: dict[str, Any] = {
            "started_at": _coalesce(c.started_at, incoming.started_at),
            "duration": _coalesce(c.duration, incoming.duration),
            "platform_room_name": _coalesce(c.platform_room_name, incoming.platform_room_name),
            "platform_session_id": _coalesce(c.platform_session_id, incoming.platform_session_id),
            "object_key": _coalesce(c.object_key, incoming.object_key),
        }
        if incoming.status is not None:
            # The platform's own status moves on (in-progress → finished): its latest word counts.
            values["platform_status"] = incoming.status
        if incoming.meeting_id is not None:
            values["meeting_id"] = _coalesce(c.meeting_id, incoming.meeting_id)
            values["linked_by_time"] = case(
                (c.meeting_id.is_(None), literal(incoming.linked_by_time)), else_=c.linked_by_time
            )
        return values

    async def get(self, recording_id: str) -> Recording | None:
        found = await self._many(tb.recording.c.id == recording_id)
        return found[0] if found else None

    async def by_platform_id(self, platform: Platform, platform_recording_id: str) -> Recording | None:
        found = await self._many(
            and_(
                tb.recording.c.platform == platform.value, tb.recording.c.platform_recording_id == platform_recording_id
            )
        )
        return found[0] if found else None

    async def link_meeting(self, recording_id: str, meeting_id: str, *, by_time: bool) -> None:
        stmt = (
            update(tb.recording)
            .where(tb.recording.c.id == recording_id)
            .values(meeting_id=meeting_id, linked_by_time=by_time)
        )
        result = await _execute_guarded(self._conn, stmt, lambda: NotFoundError("meeting", meeting_id))
        if result.rowcount != 1:
            raise NotFoundError("recording", recording_id)

    async def unlinked(self) -> list[Recording]:
        return await self._many(tb.recording.c.meeting_id.is_(None))

    async def for_meeting(self, meeting_id: str) -> builtins.list[Recording]:
        c = tb.recording.c
        # Unknown starts last; written out because NULLS LAST is not spelled the same everywhere.
        return await self._many(c.meeting_id == meeting_id, c.started_at.is_(None), c.started_at)

    async def sources_expired(self, before: datetime, *, limit: int = 100) -> builtins.list[Recording]:
        c = tb.recording.c
        started = func.coalesce(c.started_at, c.created_at)
        busy = (
            select(tb.transcript.c.id)
            .where(
                tb.transcript.c.recording_id == c.id,
                tb.transcript.c.status.in_([TranscriptStatus.QUEUED.value, TranscriptStatus.PROCESSING.value]),
            )
            .exists()
        )
        return await self._many(and_(c.sources_deleted.is_(False), started < before, ~busy), started, limit=limit)

    async def mark_sources_deleted(self, recording_id: str) -> None:
        stmt = update(tb.recording).where(tb.recording.c.id == recording_id).values(sources_deleted=True)
        if (await self._conn.execute(stmt)).rowcount != 1:
            raise NotFoundError("recording", recording_id)

    async def _many(self, where: ColumnElement[bool], *order: Any, limit: int | None = None) -> list[Recording]:
        stmt = (
            select(tb.recording)
            .where(where)
            .order_by(*order, tb.recording.c.created_at, tb.recording.c.id)
            .limit(limit)
        )
        found = (await self._conn.execute(stmt)).mappings().all()
        if not found:
            return []
        ids = [r["id"] for r in found]
        tracks: dict[str, builtins.list[Any]] = {i: [] for i in ids}
        track_rows = await self._conn.execute(
            select(tb.track).where(tb.track.c.recording_id.in_(ids)).order_by(tb.track.c.position, tb.track.c.key)
        )
        for t in track_rows.mappings():
            tracks[t["recording_id"]].append(rows.track_from(t))
        return [rows.recording_from(r, tracks[r["id"]]) for r in found]


class SqlTranscripts:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def ensure(self, recording_id: str) -> tuple[Transcript, bool]:
        now = _now()
        values = {
            "id": new_id(),
            "recording_id": recording_id,
            "status": TranscriptStatus.DISCOVERED.value,
            "words": [],
            "participants": [],
            "failed_tracks": [],
            "audio_deleted": False,
            "created_at": now,
            "updated_at": now,
        }
        stmt = (
            _insert(self._conn, tb.transcript)
            .values(values)
            .on_conflict_do_nothing(index_elements=[tb.transcript.c.recording_id])
        )
        result = await _execute_guarded(self._conn, stmt, lambda: NotFoundError("recording", recording_id))
        found = await self.by_recording(recording_id)
        assert found is not None
        return found, result.rowcount == 1

    async def get(self, transcript_id: str) -> Transcript | None:
        return await self._one(tb.transcript.c.id == transcript_id)

    async def by_recording(self, recording_id: str) -> Transcript | None:
        return await self._one(tb.transcript.c.recording_id == recording_id)

    async def transition(self, transcript_id: str, to: TranscriptStatus, *, error: str | None = None) -> bool:
        # The WHERE is the lock: of concurrent callers, only the first matches the old status.
        sources = sorted(s.value for s in allowed_sources(to))
        stmt = (
            update(tb.transcript)
            .where(tb.transcript.c.id == transcript_id, tb.transcript.c.status.in_(sources))
            .values(status=to.value, error=error, updated_at=_now())
        )
        if (await self._conn.execute(stmt)).rowcount == 1:
            return True
        if await self._conn.scalar(select(tb.transcript.c.id).where(tb.transcript.c.id == transcript_id)) is None:
            raise NotFoundError("transcript", transcript_id)
        return False

    async def save_result(self, transcript: Transcript) -> None:
        if transcript.id is None:
            raise NotFoundError("transcript", f"(no id; recording {transcript.recording_id})")
        stmt = (
            update(tb.transcript)
            .where(tb.transcript.c.id == transcript.id)
            .values(rows.result_values(transcript) | {"updated_at": _now()})
        )
        if (await self._conn.execute(stmt)).rowcount != 1:
            raise NotFoundError("transcript", transcript.id)
        # The full-text index follows the words, in the same transaction.
        await SqlSearch(self._conn).index(transcript.id, segments(transcript.words))

    async def set_audio_deleted(self, transcript_id: str, deleted: bool) -> None:
        stmt = (
            update(tb.transcript)
            .where(tb.transcript.c.id == transcript_id)
            .values(audio_deleted=deleted, updated_at=_now())
        )
        if (await self._conn.execute(stmt)).rowcount != 1:
            raise NotFoundError("transcript", transcript_id)

    async def lock(self, transcript_id: str) -> None:
        # SQLAlchemy renders no FOR UPDATE on SQLite, whose single writer makes transactions serial.
        await self._conn.execute(
            select(tb.transcript.c.id).where(tb.transcript.c.id == transcript_id).with_for_update()
        )

    async def set_title(self, transcript_id: str, title: str | None) -> None:
        stmt = update(tb.transcript).where(tb.transcript.c.id == transcript_id).values(title=title, updated_at=_now())
        if (await self._conn.execute(stmt)).rowcount != 1:
            raise NotFoundError("transcript", transcript_id)

    async def list(self, flt: TranscriptFilter, *, offset: int = 0, limit: int = 50) -> Page[Transcript]:
        joined = (
            tb.transcript.join(tb.recording, tb.transcript.c.recording_id == tb.recording.c.id)
            .outerjoin(tb.meeting, tb.recording.c.meeting_id == tb.meeting.c.id)
            .outerjoin(tb.room, tb.meeting.c.room_id == tb.room.c.id)
        )
        conditions: builtins.list[ColumnElement[bool]] = []
        if flt.status is not None:
            conditions.append(tb.transcript.c.status == flt.status.value)
        if flt.meeting_id is not None:
            conditions.append(tb.recording.c.meeting_id == flt.meeting_id)
        if flt.platform_recording_id is not None:
            conditions.append(tb.recording.c.platform_recording_id == flt.platform_recording_id)
        if flt.room is not None:
            conditions.append(tb.room.c.name == flt.room)
        if flt.owner is not None:
            conditions.append(visible_to(flt.owner, shared=False))
        if flt.viewer is not None:
            conditions.append(visible_to(flt.viewer, shared=True))
        if flt.created_from is not None:
            conditions.append(tb.transcript.c.created_at >= flt.created_from)
        if flt.created_before is not None:
            conditions.append(tb.transcript.c.created_at < flt.created_before)
        where = and_(true(), *conditions)
        total = await self._conn.scalar(select(func.count()).select_from(joined).where(where))
        # Every column but the words: a listing never shows them, and they are nearly all of a row's bytes.
        stmt = (
            select(*(c for c in tb.transcript.c if c.name != "words"))
            .select_from(joined)
            .where(where)
            .order_by(tb.transcript.c.created_at.desc(), tb.transcript.c.id.desc())
            .offset(offset)
            .limit(limit)
        )
        items = tuple(rows.transcript_from(r) for r in (await self._conn.execute(stmt)).mappings())
        return Page(items=items, total=total or 0, offset=offset, limit=limit)

    async def stuck(self, older_than: datetime) -> builtins.list[Transcript]:
        stmt = (
            select(tb.transcript)
            .where(
                tb.transcript.c.status.in_([TranscriptStatus.QUEUED.value, TranscriptStatus.PROCESSING.value]),
                tb.transcript.c.updated_at < older_than,
            )
            .order_by(tb.transcript.c.updated_at, tb.transcript.c.id)
        )
        return [rows.transcript_from(r) for r in (await self._conn.execute(stmt)).mappings()]

    async def audio_expired(self, before: datetime, *, limit: int = 100) -> builtins.list[Transcript]:
        return await self._finished_before(before, limit, tb.transcript.c.audio_deleted.is_(False))

    async def expired(self, before: datetime, *, limit: int = 100) -> builtins.list[Transcript]:
        return await self._finished_before(before, limit, true())

    async def delete(self, transcript_id: str) -> bool:
        stmt = delete(tb.transcript).where(tb.transcript.c.id == transcript_id)
        return (await self._conn.execute(stmt)).rowcount == 1

    async def _finished_before(
        self, before: datetime, limit: int, extra: ColumnElement[bool]
    ) -> builtins.list[Transcript]:
        c = tb.transcript.c
        stmt = (
            select(tb.transcript)
            .where(
                c.status.in_([TranscriptStatus.DONE.value, TranscriptStatus.FAILED.value]),
                c.created_at < before,
                extra,
            )
            .order_by(c.created_at, c.id)
            .limit(limit)
        )
        return [rows.transcript_from(r) for r in (await self._conn.execute(stmt)).mappings()]

    async def _one(self, where: ColumnElement[bool]) -> Transcript | None:
        row = (await self._conn.execute(select(tb.transcript).where(where))).mappings().first()
        return rows.transcript_from(row) if row else None


class SqlInboundEvents:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def record(self, platform: Platform, event_id: str, received_at: datetime, body: str | None = None) -> bool:
        stmt = (
            _insert(self._conn, tb.webhook_event)
            .values(platform=platform.value, event_id=event_id, received_at=received_at, pending_body=body)
            .on_conflict_do_nothing(index_elements=[tb.webhook_event.c.platform, tb.webhook_event.c.event_id])
        )
        return (await self._conn.execute(stmt)).rowcount == 1

    async def handled(self, platform: Platform, event_id: str) -> None:
        c = tb.webhook_event.c
        await self._conn.execute(
            update(tb.webhook_event)
            .where(c.platform == platform.value, c.event_id == event_id, c.pending_body.is_not(None))
            .values(pending_body=None)
        )

    async def pending(self) -> list[tuple[Platform, str]]:
        c = tb.webhook_event.c
        stmt = select(c.platform, c.pending_body).where(c.pending_body.is_not(None)).order_by(c.received_at, c.event_id)
        return [(Platform(r.platform), str(r.pending_body)) for r in await self._conn.execute(stmt)]


class SqlPollCursors:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, source: str) -> tuple[str | None, datetime | None]:
        row = (
            (await self._conn.execute(select(tb.poll_cursor).where(tb.poll_cursor.c.source == source)))
            .mappings()
            .first()
        )
        return rows.cursor_from(row)

    async def set(self, source: str, last_id: str | None, last_time: datetime | None) -> None:
        stmt = _insert(self._conn, tb.poll_cursor).values(
            source=source, last_id=last_id, last_time=last_time, updated_at=_now()
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[tb.poll_cursor.c.source],
            set_={
                "last_id": stmt.excluded.last_id,
                "last_time": stmt.excluded.last_time,
                "updated_at": stmt.excluded.updated_at,
            },
        )
        await self._conn.execute(stmt)


class SqlParticipantSessions:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def upsert(self, session: ParticipantSession) -> None:
        stmt = _insert(self._conn, tb.participant_session).values(rows.session_values(session))
        c = tb.participant_session.c
        # Only gaps are filled: a closed session seen again in a presence snapshot stays closed,
        # and nothing here can fail on it (the reference's immutable-left_at trigger did).
        stmt = stmt.on_conflict_do_update(
            index_elements=[c.meeting_id, c.session_id],
            set_={
                "name": func.coalesce(c.name, stmt.excluded.name),
                "user_id": func.coalesce(c.user_id, stmt.excluded.user_id),
                "left_at": func.coalesce(c.left_at, stmt.excluded.left_at),
            },
        )
        await _execute_guarded(self._conn, stmt, lambda: NotFoundError("meeting", session.meeting_id))

    async def for_meeting(self, meeting_id: str) -> list[ParticipantSession]:
        c = tb.participant_session.c
        stmt = select(tb.participant_session).where(c.meeting_id == meeting_id).order_by(c.joined_at, c.session_id)
        return [rows.session_from(r) for r in (await self._conn.execute(stmt)).mappings()]


class SqlConsents:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, decision: ConsentDecision) -> None:
        c = tb.meeting_consent.c
        stmt = _insert(self._conn, tb.meeting_consent).values(
            meeting_id=decision.meeting_id,
            participant=decision.participant,
            choice=decision.choice.value,
            at=decision.at,
        )
        # The latest decision wins; a redelivered older one changes nothing.
        stmt = stmt.on_conflict_do_update(
            index_elements=[c.meeting_id, c.participant],
            set_={"choice": stmt.excluded.choice, "at": stmt.excluded.at},
            where=stmt.excluded.at >= c.at,
        )
        await _execute_guarded(self._conn, stmt, lambda: NotFoundError("meeting", decision.meeting_id))

    async def for_meeting(self, meeting_id: str) -> list[ConsentDecision]:
        c = tb.meeting_consent.c
        stmt = select(tb.meeting_consent).where(c.meeting_id == meeting_id).order_by(c.at, c.participant)
        return [rows.consent_from(r) for r in (await self._conn.execute(stmt)).mappings()]

    async def meetings_awaiting_cleanup(self) -> list[str]:
        c, rec, tr = tb.meeting_consent.c, tb.recording.c, tb.transcript.c
        stmt = (
            select(c.meeting_id)
            .join(tb.recording, rec.meeting_id == c.meeting_id)
            .outerjoin(tb.transcript, tr.recording_id == rec.id)
            .where(c.choice == "refused", or_(tr.id.is_(None), tr.audio_deleted.is_(False)))
            .distinct()
            .order_by(c.meeting_id)
        )
        return list((await self._conn.execute(stmt)).scalars())


class SqlDeletedObjects:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def record(self, bucket: str, key: str, reason: str, at: datetime) -> None:
        await self._conn.execute(tb.deleted_object.insert().values(bucket=bucket, key=key, reason=reason, at=at))


class SqlOutboundDeliveries:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, delivery: WebhookDelivery) -> bool:
        stmt = (
            _insert(self._conn, tb.webhook_delivery)
            .values(rows.delivery_values(delivery))
            .on_conflict_do_nothing(index_elements=[tb.webhook_delivery.c.event_id])
        )
        result = await _execute_guarded(self._conn, stmt, lambda: NotFoundError("transcript", delivery.transcript_id))
        if result.rowcount != 1:
            return False
        if delivery.attempts:
            values = [rows.attempt_values(delivery.event_id, a) for a in delivery.attempts]
            await self._conn.execute(tb.webhook_delivery_attempt.insert(), values)
        return True

    async def get(self, event_id: str) -> WebhookDelivery | None:
        found = await self._many(tb.webhook_delivery.c.event_id == event_id)
        return found[0] if found else None

    async def record_attempt(
        self, event_id: str, attempt: DeliveryAttempt, *, state: DeliveryState, next_attempt_at: datetime | None
    ) -> bool:
        a = tb.webhook_delivery_attempt.c
        # Inserted only when it is the next number; two workers recording the same number collide on
        # the primary key and exactly one row lands.
        recorded = select(func.count()).where(a.event_id == event_id).scalar_subquery()
        exists = select(tb.webhook_delivery.c.event_id).where(tb.webhook_delivery.c.event_id == event_id).exists()
        values = rows.attempt_values(event_id, attempt)
        source = select(*(literal(v, type_=a[k].type).label(k) for k, v in values.items())).where(
            exists, recorded == attempt.number - 1
        )
        stmt = (
            _insert(self._conn, tb.webhook_delivery_attempt)
            .from_select(list(values), source)
            .on_conflict_do_nothing(index_elements=[a.event_id, a.number])
        )
        if (await self._conn.execute(stmt)).rowcount != 1:
            return False
        await self._conn.execute(
            update(tb.webhook_delivery)
            .where(tb.webhook_delivery.c.event_id == event_id)
            .values(state=state.value, next_attempt_at=next_attempt_at)
        )
        return True

    async def claim_due(self, now: datetime, until: datetime, *, limit: int = 100) -> list[str]:
        d = tb.webhook_delivery.c
        due = and_(d.state == DeliveryState.PENDING.value, d.next_attempt_at <= now)
        candidates = list(
            (
                await self._conn.execute(
                    select(d.event_id).where(due).order_by(d.next_attempt_at, d.created_at, d.event_id).limit(limit)
                )
            ).scalars()
        )
        if not candidates:
            return []
        # ``due`` is checked again by the UPDATE itself: a concurrent sweep that claimed a row first
        # has moved its next_attempt_at past ``now``, so this one skips it.
        stmt = (
            update(tb.webhook_delivery)
            .where(d.event_id.in_(candidates), due)
            .values(next_attempt_at=until)
            .returning(d.event_id)
        )
        claimed = set((await self._conn.execute(stmt)).scalars())
        return [event_id for event_id in candidates if event_id in claimed]

    async def for_transcript(self, transcript_id: str) -> list[WebhookDelivery]:
        return await self._many(tb.webhook_delivery.c.transcript_id == transcript_id)

    async def _many(self, where: ColumnElement[bool]) -> list[WebhookDelivery]:
        d, a = tb.webhook_delivery.c, tb.webhook_delivery_attempt.c
        found = (
            (await self._conn.execute(select(tb.webhook_delivery).where(where).order_by(d.created_at, d.event_id)))
            .mappings()
            .all()
        )
        if not found:
            return []
        attempts: dict[str, builtins.list[DeliveryAttempt]] = {r["event_id"]: [] for r in found}
        attempt_rows = await self._conn.execute(
            select(tb.webhook_delivery_attempt).where(a.event_id.in_(list(attempts))).order_by(a.number)
        )
        for r in attempt_rows.mappings():
            attempts[r["event_id"]].append(rows.attempt_from(r))
        return [rows.delivery_from(r, attempts[r["event_id"]]) for r in found]


class SqlApiKeys:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, key_id: str, key_hash: str, owner: str, created_at: datetime) -> None:
        stmt = (
            _insert(self._conn, tb.api_key)
            .values(id=key_id, key_hash=key_hash, owner=owner, created_at=created_at, revoked=False)
            .on_conflict_do_nothing()
        )
        if (await self._conn.execute(stmt)).rowcount != 1:
            raise ConflictError(f"an API key with id {key_id!r} or the same hash already exists")

    async def owner_of(self, key_hash: str) -> str | None:
        stmt = select(tb.api_key.c.owner).where(tb.api_key.c.key_hash == key_hash, tb.api_key.c.revoked.is_(False))
        owner: str | None = await self._conn.scalar(stmt)
        return owner

    async def revoke(self, key_id: str, *, owner: str | None = None) -> bool:
        k = tb.api_key.c
        stmt = update(tb.api_key).where(k.id == key_id, k.revoked.is_(False)).values(revoked=True)
        if owner is not None:
            stmt = stmt.where(k.owner == owner)
        return (await self._conn.execute(stmt)).rowcount == 1

    async def for_owner(self, owner: str) -> builtins.list[ApiKeyInfo]:
        k = tb.api_key.c
        stmt = select(k.id, k.created_at, k.revoked).where(k.owner == owner).order_by(k.created_at.desc(), k.id)
        return [ApiKeyInfo(r.id, r.created_at, r.revoked) for r in await self._conn.execute(stmt)]


__all__ = [
    "SqlApiKeys",
    "SqlConsents",
    "SqlDeletedObjects",
    "SqlInboundEvents",
    "SqlMeetings",
    "SqlOutboundDeliveries",
    "SqlParticipantSessions",
    "SqlPollCursors",
    "SqlRecordings",
    "SqlRooms",
    "SqlTranscripts",
    "new_id",
]
