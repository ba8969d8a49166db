from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reflector_core.errors import PlatformUnavailableError
from reflector_core.model import Meeting, ParticipantSession, Platform, Room, TranscriptStatus
from reflector_core.usecases.maintenance import deactivate_finished_meetings, reconcile_presence, requeue_stuck
from reflector_core.usecases.process_recording import ProcessRecording
from tests.fakes.memory import FixedClock, MemoryStore, MemoryUnitOfWork, RecordingQueue

T0 = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)


class Presence:
    platform = Platform.DAILY

    def __init__(self, snapshots: dict[str, list[ParticipantSession]], broken: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.snapshots = snapshots
        self.broken = broken

    async def room_sessions(self, meeting: Meeting) -> list[ParticipantSession]:
        if meeting.platform_room_name in self.broken:
            raise PlatformUnavailableError("daily", "room presence", 503, None, "down")
        return self.snapshots.get(meeting.platform_room_name, [])


async def _meeting(store: MemoryStore, name: str, *, end: datetime | None = None) -> Meeting:
    uow = MemoryUnitOfWork(store)
    if await uow.rooms.get("r") is None:
        await uow.rooms.add(Room("r", Platform.DAILY))
    return await uow.meetings.add(
        Meeting(Platform.DAILY, name, name, "u", "u", T0, end or T0 + timedelta(hours=1), room_name="r")
    )


async def test_presence_snapshots_open_and_close_sessions_idempotently() -> None:
    store = MemoryStore()
    m = await _meeting(store, "r-1")
    ana = ParticipantSession("ignored", "s-ana", T0 + timedelta(minutes=1), user_id="u1", name="Ana")
    bo = ParticipantSession("ignored", "s-bo", T0 + timedelta(minutes=2), name="Bo")
    kw = {"unit_of_work": lambda: MemoryUnitOfWork(store)}
    for _ in range(2):  # the same snapshot twice changes nothing
        assert await reconcile_presence(
            Presence({"r-1": [ana, bo]}), clock=FixedClock(T0 + timedelta(minutes=5)), **kw
        ) == {m.id: 2}
    sessions = {s.session_id: s for s in store.sessions.values()}
    assert set(sessions) == {"s-ana", "s-bo"} and all(
        s.meeting_id == m.id and s.left_at is None for s in sessions.values()
    )

    await reconcile_presence(Presence({"r-1": [ana]}), clock=FixedClock(T0 + timedelta(minutes=9)), **kw)
    sessions = {s.session_id: s for s in store.sessions.values()}
    assert sessions["s-bo"].left_at == T0 + timedelta(minutes=9) and sessions["s-ana"].left_at is None


async def test_a_platform_error_skips_only_that_meeting() -> None:
    store = MemoryStore()
    await _meeting(store, "down")
    ok = await _meeting(store, "up")
    s = ParticipantSession("x", "s1", T0)
    counts = await reconcile_presence(
        Presence({"up": [s]}, broken={"down"}), unit_of_work=lambda: MemoryUnitOfWork(store), clock=FixedClock(T0)
    )
    assert counts == {ok.id: 1}


async def test_finished_meetings_are_deactivated() -> None:
    store = MemoryStore()
    old = await _meeting(store, "old", end=T0 - timedelta(minutes=1))
    live = await _meeting(store, "live")
    assert await deactivate_finished_meetings(unit_of_work=lambda: MemoryUnitOfWork(store), clock=FixedClock(T0)) == 1
    assert not store.meetings[old.id or ""].active and store.meetings[live.id or ""].active


async def test_stuck_transcripts_are_requeued() -> None:
    store = MemoryStore(clock=FixedClock(T0 - timedelta(hours=1)))  # queued an hour before the sweep
    uow = MemoryUnitOfWork(store)
    await uow.rooms.add(Room("r", Platform.DAILY))
    from reflector_core.model import Recording, RecordingKind

    rec, _ = await uow.recordings.upsert(Recording(Platform.DAILY, "x", "b", RecordingKind.RAW_TRACKS))
    t, _ = await uow.transcripts.ensure(rec.id or "")
    await uow.transcripts.transition(t.id or "", TranscriptStatus.QUEUED)
    queue = RecordingQueue()
    ids = await requeue_stuck(
        unit_of_work=lambda: MemoryUnitOfWork(store),
        queue=queue,
        clock=FixedClock(T0),
        older_than=timedelta(minutes=30),
    )
    assert ids == [t.id] and queue.jobs == [ProcessRecording(t.id or "")]


async def test_a_recording_that_arrived_before_its_meeting_is_linked_later() -> None:
    from reflector_core.model import Recording, RecordingKind
    from reflector_core.usecases.maintenance import link_unlinked_recordings

    store = MemoryStore()
    uow = MemoryUnitOfWork(store)
    rec, _ = await uow.recordings.upsert(
        Recording(
            Platform.DAILY, "r1", "b", RecordingKind.RAW_TRACKS, started_at=T0, platform_room_name="r-20260312140000"
        )
    )
    assert await link_unlinked_recordings(unit_of_work=lambda: MemoryUnitOfWork(store)) == 0
    m = await _meeting(store, "r-20260312140000")
    assert await link_unlinked_recordings(unit_of_work=lambda: MemoryUnitOfWork(store)) == 1
    assert store.recordings[rec.id or ""].meeting_id == m.id
    assert await link_unlinked_recordings(unit_of_work=lambda: MemoryUnitOfWork(store)) == 0
