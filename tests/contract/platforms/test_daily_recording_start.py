"""End to end over HTTP against the fake Daily API: a burst of joins starts one recording, after Daily's
"not hosted yet" answers, and the owner's stop reaches Daily."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from reflector_adapters.daily.client import DailyClient, DailySettings
from reflector_core.events import ParticipantJoined
from reflector_core.model import ConsentPolicy, Platform, RecordingKind, RecordingState, Room
from reflector_core.recording_instances import instance_id
from reflector_core.usecases.events import handle_event
from reflector_core.usecases.meetings import active_meeting
from reflector_core.usecases.recording import StartRecording, start_recording, stop_recording
from tests.fakes.daily_api import FakeDaily
from tests.fakes.memory import FixedClock, MemoryStore, MemoryUnitOfWork, RecordingQueue
from tests.recording_sources import memory_sources

T0 = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)


@pytest.fixture
def fake() -> Iterator[FakeDaily]:
    server = FakeDaily().start()
    try:
        yield server
    finally:
        server.stop()


async def _no_wait(_seconds: float) -> None:
    return None


async def test_a_burst_of_joins_starts_one_recording_after_not_hosted_answers(fake: FakeDaily) -> None:
    fake.not_hosted_answers = 2
    clock = FixedClock(T0)
    daily = DailyClient(
        DailySettings(
            api_key=fake.api_key,
            recordings_bucket="b",
            bucket_region="eu-central-1",
            assume_role_arn="arn:aws:iam::1:role/r",
            base_url=fake.url,
        ),
        clock=clock,
        sleep=_no_wait,
    )
    store, queue = MemoryStore(), RecordingQueue()
    store.rooms["intake"] = Room(
        "intake", Platform.DAILY, RecordingKind.RAW_TRACKS, consent_policy=ConsentPolicy.REQUIRED, owner="ann", id="r"
    )
    uow = lambda: MemoryUnitOfWork(store)  # noqa: E731
    async with daily:
        outcome = await active_meeting("intake", unit_of_work=uow, platforms={Platform.DAILY: daily}, clock=clock)
        meeting = outcome.meeting
        for n in range(100):  # two people, three reloads each… and a flood on top: one claim
            event = ParticipantJoined(
                Platform.DAILY,
                f"e-{n}",
                T0,
                meeting.platform_room_name,
                f"s-{n % 7}",
                None,
                None,
                T0 + timedelta(seconds=n),
            )
            await handle_event(event, sources=memory_sources(), unit_of_work=uow, queue=queue)
        assert queue.jobs == [StartRecording(meeting.id or "")]
        for _ in range(3):  # the job delivered more than once
            await start_recording(meeting.id or "", unit_of_work=uow, control=daily, clock=clock)
        assert fake.starts == [
            {
                "room": meeting.platform_room_name,
                "type": "raw-tracks",
                "instanceId": instance_id(meeting.id or "", RecordingKind.RAW_TRACKS),
            }
        ]
        starts_sent = [p for m, p in fake.requests if m == "POST" and p.endswith("/recordings/start")]
        assert len(starts_sent) == 3  # two "not hosted yet", then the start
        assert store.meeting_recordings[meeting.id or ""].state is RecordingState.STARTED

        stopped = await stop_recording(meeting.id or "", "ann", unit_of_work=uow, control=daily, clock=clock)
        assert stopped is not None and stopped.state is RecordingState.STOPPED
        assert len(fake.stops) == 1 and not fake.active
