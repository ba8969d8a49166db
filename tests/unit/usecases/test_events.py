from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reflector_core.events import (
    IgnoredEvent,
    MeetingEnded,
    ParticipantJoined,
    ParticipantLeft,
    RecordingReady,
    VerificationPing,
)
from reflector_core.jobs import Job
from reflector_core.model import Meeting, Platform, Recording, RecordingKind, Room
from reflector_core.usecases.events import HandlePlatformEvent, accept_delivery, event_handled, handle_event
from reflector_core.usecases.process_recording import ProcessRecording
from reflector_core.usecases.recovery import resume_after_restart
from tests.fakes.memory import FixedClock, MemoryStore, MemoryUnitOfWork, RecordingQueue
from tests.recording_sources import memory_sources

T0 = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)


def _meeting() -> Meeting:
    return Meeting(
        Platform.DAILY, "m1", "intake-20260312140000", "u", "u", T0, T0 + timedelta(hours=1), room_name="intake"
    )


async def test_a_redelivered_event_is_enqueued_once() -> None:
    store, queue = MemoryStore(), RecordingQueue()
    event = MeetingEnded(Platform.DAILY, "evt-1", T0, "intake-20260312140000", None, T0)
    kw = {"unit_of_work": lambda: MemoryUnitOfWork(store), "queue": queue, "clock": FixedClock(T0)}
    first = await accept_delivery(Platform.DAILY, event, "{}", **kw)  # type: ignore[arg-type]
    second = await accept_delivery(Platform.DAILY, event, "{}", **kw)  # type: ignore[arg-type]
    assert (first.enqueued, first.duplicate) == (True, False)
    assert (second.enqueued, second.duplicate) == (False, True)
    assert queue.jobs == [HandlePlatformEvent("daily", "{}")]


async def test_pings_and_ignored_events_cost_nothing() -> None:
    store, queue = MemoryStore(), RecordingQueue()
    kw = {"unit_of_work": lambda: MemoryUnitOfWork(store), "queue": queue, "clock": FixedClock(T0)}
    for ev in (
        VerificationPing(Platform.DAILY, None, None),
        IgnoredEvent(Platform.DAILY, "x", None, "dialout.started", "unknown"),
    ):
        assert not (await accept_delivery(Platform.DAILY, ev, "{}", **kw)).enqueued  # type: ignore[arg-type]
    assert queue.jobs == [] and store.inbound_events == set()


async def test_enqueue_failure_leaves_no_record_so_the_retry_is_processed() -> None:
    class Down(RecordingQueue):
        async def enqueue(self, job: Job) -> None:
            raise ConnectionError("redis down")

    class Transactional(MemoryUnitOfWork):
        # mimic a real transaction: an uncommitted webhook record disappears on rollback/exit
        async def __aexit__(self, *exc: object) -> None:
            if self.commits == 0:
                self.store.inbound_events.clear()
                self.store.pending_events.clear()

    store = MemoryStore()
    event = MeetingEnded(Platform.DAILY, "evt-1", T0, "r", None, T0)
    try:
        await accept_delivery(
            Platform.DAILY, event, "{}", unit_of_work=lambda: Transactional(store), queue=Down(), clock=FixedClock(T0)
        )
    except ConnectionError:
        pass
    assert store.inbound_events == set()


async def test_recording_ready_is_ingested() -> None:
    store, queue = MemoryStore(), RecordingQueue()
    rec = Recording(Platform.DAILY, "r1", "daily", RecordingKind.RAW_TRACKS, platform_room_name="intake-20260312140000")
    msg = await handle_event(
        RecordingReady(Platform.DAILY, "e", T0, rec),
        sources=memory_sources(),
        unit_of_work=lambda: MemoryUnitOfWork(store),
        queue=queue,
    )
    assert "queued" in msg and isinstance(queue.jobs[0], ProcessRecording)


async def test_presence_events_are_idempotent_and_meeting_end_deactivates() -> None:
    store, queue = MemoryStore(), RecordingQueue()
    await MemoryUnitOfWork(store).rooms.add(Room("intake", Platform.DAILY))
    m = await MemoryUnitOfWork(store).meetings.add(_meeting())
    kw = {"unit_of_work": lambda: MemoryUnitOfWork(store), "queue": queue, "sources": memory_sources()}
    joined = ParticipantJoined(
        Platform.DAILY, "j", T0, "intake-20260312140000", "s1", "u1", "Ana", T0 + timedelta(minutes=1)
    )
    left = ParticipantLeft(
        Platform.DAILY, "l", T0, "intake-20260312140000", "s1", "u1", None, T0 + timedelta(minutes=9)
    )
    for ev in (joined, joined, left, left):
        await handle_event(ev, **kw)  # type: ignore[arg-type]
    (session,) = store.sessions.values()
    assert (session.name, session.joined_at, session.left_at) == (
        "Ana",
        T0 + timedelta(minutes=1),
        T0 + timedelta(minutes=9),
    )
    await handle_event(MeetingEnded(Platform.DAILY, "e", T0, "intake-20260312140000", None, T0), **kw)  # type: ignore[arg-type]
    assert not store.meetings[m.id or ""].active


async def test_an_accepted_event_whose_job_was_lost_is_handled_once_after_a_restart() -> None:
    """Issue 17: embedded mode's queue dies with the process; the accepted event must still be handled."""
    store = MemoryStore()
    kw = {"unit_of_work": lambda: MemoryUnitOfWork(store), "clock": FixedClock(T0)}
    event = MeetingEnded(Platform.DAILY, "evt-1", T0, "intake-20260312140000", None, T0)
    body = '{"id":"evt-1"}'
    lost = RecordingQueue()
    assert (await accept_delivery(Platform.DAILY, event, body, queue=lost, **kw)).enqueued  # type: ignore[arg-type]
    # The process is killed before a worker takes the job: `lost` goes with it.

    queue = RecordingQueue()
    await resume_after_restart(queue=queue, **kw)  # type: ignore[arg-type]
    assert [j for j in queue.jobs if isinstance(j, HandlePlatformEvent)] == [HandlePlatformEvent("daily", body)]

    await event_handled(Platform.DAILY, event, unit_of_work=kw["unit_of_work"])  # type: ignore[arg-type]
    again = RecordingQueue()
    await resume_after_restart(queue=again, **kw)  # type: ignore[arg-type]
    assert [j for j in again.jobs if isinstance(j, HandlePlatformEvent)] == []
