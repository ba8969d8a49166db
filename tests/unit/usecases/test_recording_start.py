"""The service starts a meeting's Daily recording exactly once, records failures, and the owner may stop it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reflector_core.errors import NotFoundError, PlatformError, PlatformUnavailableError
from reflector_core.events import ParticipantJoined
from reflector_core.model import Meeting, Platform, RecordingKind, RecordingState, Room
from reflector_core.recording_instances import instance_id
from reflector_core.usecases.events import handle_event
from reflector_core.usecases.recording import (
    StartRecording,
    request_start,
    restart_recording,
    start_recording,
    start_where_present,
    stop_recording,
)
from tests.fakes.memory import (
    FixedClock,
    MemoryRecordingControl,
    MemoryStore,
    MemoryUnitOfWork,
    RecordingQueue,
)
from tests.recording_sources import memory_sources

T0 = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)
ROOM = "intake-20260312140000"


def setup(kind: RecordingKind = RecordingKind.RAW_TRACKS, platform: Platform = Platform.DAILY) -> MemoryStore:
    store = MemoryStore()
    store.rooms["intake"] = Room("intake", platform, recording_kind=kind, owner="ann", id="room-1")
    store.meetings["mtg-1"] = Meeting(
        platform,
        "pm-1",
        ROOM,
        "https://x/r",
        "https://x/r?h",
        T0,
        T0 + timedelta(hours=8),
        room_name="intake",
        id="mtg-1",
    )
    return store


def joined(n: int) -> ParticipantJoined:
    return ParticipantJoined(Platform.DAILY, f"evt-{n}", T0, ROOM, f"s-{n}", None, f"P{n}", T0 + timedelta(seconds=n))


async def test_many_joins_and_presence_polls_claim_one_start() -> None:
    store, queue = setup(), RecordingQueue()
    uow = lambda: MemoryUnitOfWork(store)  # noqa: E731
    for n in range(5):
        await handle_event(joined(n), sources=memory_sources(), unit_of_work=uow, queue=queue)
    await start_where_present({"mtg-1": 3}, unit_of_work=uow, queue=queue, clock=FixedClock(T0))
    assert queue.jobs == [StartRecording("mtg-1")]
    record = store.meeting_recordings["mtg-1"]
    assert (record.state, record.requested_by) == (RecordingState.REQUESTED, "participant.joined")
    assert len(store.sessions) == 5  # presence is still recorded for everyone


@pytest.mark.parametrize(
    ("kind", "platform"),
    [(RecordingKind.NONE, Platform.DAILY), (RecordingKind.CLOUD, Platform.WHEREBY)],
)
async def test_rooms_the_service_does_not_record_are_left_alone(kind: RecordingKind, platform: Platform) -> None:
    store, queue = setup(kind, platform), RecordingQueue()
    assert not await request_start(
        "mtg-1", by="presence", at=T0, unit_of_work=lambda: MemoryUnitOfWork(store), queue=queue
    )
    assert queue.jobs == [] and store.meeting_recordings == {}


async def test_the_job_starts_the_rooms_kind_with_the_fixed_instance_id() -> None:
    store, clock = setup(RecordingKind.CLOUD), FixedClock(T0 + timedelta(minutes=1))
    uow = lambda: MemoryUnitOfWork(store)  # noqa: E731
    await request_start("mtg-1", by="participant.joined", at=T0, unit_of_work=uow, queue=RecordingQueue())
    control = MemoryRecordingControl()
    outcome = await start_recording("mtg-1", unit_of_work=uow, control=control, clock=clock)
    assert outcome.state is RecordingState.STARTED
    assert control.starts == [(ROOM, RecordingKind.CLOUD, instance_id("mtg-1", RecordingKind.CLOUD))]
    assert store.meeting_recordings["mtg-1"].started_at == clock.now()
    # A second delivery of the job does nothing: the state is no longer "requested".
    again = await start_recording("mtg-1", unit_of_work=uow, control=control, clock=clock)
    assert again.state is RecordingState.STARTED and len(control.starts) == 1


async def test_transient_failures_are_counted_and_retried_then_fail_visibly() -> None:
    store, clock = setup(), FixedClock(T0)
    uow = lambda: MemoryUnitOfWork(store)  # noqa: E731
    await request_start("mtg-1", by="participant.joined", at=T0, unit_of_work=uow, queue=RecordingQueue())
    unhosted = PlatformUnavailableError("daily", "start recording", 404, "not-found", "call still not hosted")
    control = MemoryRecordingControl(unhosted, unhosted, unhosted)
    for attempt in (1, 2):
        with pytest.raises(PlatformUnavailableError):
            await start_recording("mtg-1", unit_of_work=uow, control=control, clock=clock, max_attempts=3)
        assert store.meeting_recordings["mtg-1"].attempts == attempt
        assert store.meeting_recordings["mtg-1"].state is RecordingState.REQUESTED
    final = await start_recording("mtg-1", unit_of_work=uow, control=control, clock=clock, max_attempts=3)
    record = store.meeting_recordings["mtg-1"]
    assert final.state is record.state is RecordingState.FAILED
    assert record.error is not None and "not hosted" in record.error


async def test_a_refusal_fails_at_once_and_only_the_owner_restarts_it() -> None:
    store, clock, queue = setup(), FixedClock(T0), RecordingQueue()
    uow = lambda: MemoryUnitOfWork(store)  # noqa: E731
    await request_start("mtg-1", by="participant.joined", at=T0, unit_of_work=uow, queue=queue)
    refused = PlatformError("daily", "start recording", 400, "invalid-request-error", "recording not enabled")
    outcome = await start_recording("mtg-1", unit_of_work=uow, control=MemoryRecordingControl(refused), clock=clock)
    assert outcome.state is RecordingState.FAILED
    assert "recording not enabled" in (store.meeting_recordings["mtg-1"].error or "")
    await handle_event(
        joined(9), sources=memory_sources(), unit_of_work=uow, queue=queue
    )  # a join does not retry a failure
    assert len(queue.jobs) == 1
    with pytest.raises(NotFoundError):
        await restart_recording("mtg-1", "mallory", unit_of_work=uow, queue=queue, clock=clock)
    record = await restart_recording("mtg-1", "ann", unit_of_work=uow, queue=queue, clock=clock)
    assert record is not None and (record.state, record.error, record.requested_by) == (
        RecordingState.REQUESTED,
        None,
        "ann",
    )
    assert len(queue.jobs) == 2


async def test_without_a_configured_platform_the_start_fails_visibly() -> None:
    store = setup()
    uow = lambda: MemoryUnitOfWork(store)  # noqa: E731
    await request_start("mtg-1", by="presence", at=T0, unit_of_work=uow, queue=RecordingQueue())
    outcome = await start_recording("mtg-1", unit_of_work=uow, control=None, clock=FixedClock(T0))
    assert outcome.state is RecordingState.FAILED
    assert "not configured" in (store.meeting_recordings["mtg-1"].error or "")


async def test_the_owner_stops_it_and_joins_do_not_restart_it() -> None:
    store, clock, queue = setup(), FixedClock(T0), RecordingQueue()
    uow = lambda: MemoryUnitOfWork(store)  # noqa: E731
    control = MemoryRecordingControl()
    await request_start("mtg-1", by="participant.joined", at=T0, unit_of_work=uow, queue=queue)
    await start_recording("mtg-1", unit_of_work=uow, control=control, clock=clock)
    with pytest.raises(NotFoundError):
        await stop_recording("mtg-1", "mallory", unit_of_work=uow, control=control, clock=clock)
    stopped = await stop_recording("mtg-1", "ann", unit_of_work=uow, control=control, clock=clock)
    assert stopped is not None and stopped.state is RecordingState.STOPPED
    assert control.stops == [(ROOM, RecordingKind.RAW_TRACKS, instance_id("mtg-1", RecordingKind.RAW_TRACKS))]
    await handle_event(joined(7), sources=memory_sources(), unit_of_work=uow, queue=queue)
    assert len(queue.jobs) == 1 and control.active is False
    # Stopping twice calls nothing more.
    await stop_recording("mtg-1", "ann", unit_of_work=uow, control=control, clock=clock)
    assert len(control.stops) == 1
