"""``SqlUnitOfWork``: one connection and one transaction over every repository."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from reflector_adapters.db.edits import SqlEdits
from reflector_adapters.db.meeting_recordings import SqlMeetingRecordings
from reflector_adapters.db.notes import SqlNotes
from reflector_adapters.db.repositories import (
    SqlApiKeys,
    SqlConsents,
    SqlDeletedObjects,
    SqlInboundEvents,
    SqlMeetings,
    SqlOutboundDeliveries,
    SqlParticipantSessions,
    SqlPollCursors,
    SqlRecordings,
    SqlRooms,
    SqlTranscripts,
)
from reflector_adapters.db.search import SqlSearch
from reflector_adapters.db.shares import SqlShares
from reflector_adapters.db.users import SqlUsers
from reflector_core.ports import (
    ApiKeyRepository,
    ConsentRepository,
    DeletedObjectRepository,
    InboundEventRepository,
    MeetingRecordingRepository,
    MeetingRepository,
    NotesRepository,
    OutboundDeliveryRepository,
    ParticipantSessionRepository,
    PollCursorRepository,
    RecordingRepository,
    RoomRepository,
    SearchRepository,
    ShareRepository,
    TranscriptEditRepository,
    TranscriptRepository,
    UnitOfWork,
    UserRepository,
)


class SqlUnitOfWork:
    """``async with uow: ...; await uow.commit()``; leaving without a commit rolls back.

    The repositories exist only inside the ``async with`` block. After ``commit()`` the unit of
    work stays usable: the next statement starts a new transaction.
    """

    # Typed as the ports, so mypy checks each repository class against its protocol on assignment.
    rooms: RoomRepository
    meetings: MeetingRepository
    recordings: RecordingRepository
    transcripts: TranscriptRepository
    inbound_events: InboundEventRepository
    poll_cursors: PollCursorRepository
    participant_sessions: ParticipantSessionRepository
    consents: ConsentRepository
    deleted_objects: DeletedObjectRepository
    outbound_deliveries: OutboundDeliveryRepository
    api_keys: ApiKeyRepository
    meeting_recordings: MeetingRecordingRepository
    users: UserRepository
    search: SearchRepository
    notes: NotesRepository
    shares: ShareRepository
    edits: TranscriptEditRepository

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> Self:
        if self._conn is not None:
            raise RuntimeError("a unit of work cannot be entered twice; make a new one per request or job")
        conn = await self._engine.connect()
        try:
            await conn.begin()
        except BaseException:
            await conn.close()
            raise
        self._conn = conn
        self.rooms = SqlRooms(conn)
        self.meetings = SqlMeetings(conn)
        self.recordings = SqlRecordings(conn)
        self.transcripts = SqlTranscripts(conn)
        self.inbound_events = SqlInboundEvents(conn)
        self.poll_cursors = SqlPollCursors(conn)
        self.participant_sessions = SqlParticipantSessions(conn)
        self.consents = SqlConsents(conn)
        self.deleted_objects = SqlDeletedObjects(conn)
        self.outbound_deliveries = SqlOutboundDeliveries(conn)
        self.api_keys = SqlApiKeys(conn)
        self.meeting_recordings = SqlMeetingRecordings(conn)
        self.users = SqlUsers(conn)
        self.search = SqlSearch(conn)
        self.notes = SqlNotes(conn)
        self.shares = SqlShares(conn)
        self.edits = SqlEdits(conn)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        conn = self._connection()
        try:
            if conn.in_transaction():
                await conn.rollback()
        finally:
            await conn.close()

    async def commit(self) -> None:
        await self._connection().commit()

    async def rollback(self) -> None:
        await self._connection().rollback()

    def _connection(self) -> AsyncConnection:
        if self._conn is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._conn


def unit_of_work_factory(engine: AsyncEngine) -> Callable[[], SqlUnitOfWork]:
    """What the composition root hands to use cases: each call makes a fresh unit of work."""

    def make() -> SqlUnitOfWork:
        return SqlUnitOfWork(engine)

    return make


if TYPE_CHECKING:

    def _conforms(engine: AsyncEngine) -> UnitOfWork:
        return SqlUnitOfWork(engine)
