from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from reflector_core.model import Meeting, Platform, Recording, RecordingKind, Room, Track, TranscriptStatus
from reflector_core.usecases.ingest import ingest_recording
from reflector_core.usecases.process_recording import ProcessRecording
from tests.fakes.memory import MemoryStore, MemoryUnitOfWork, RecordingQueue
from tests.recording_sources import memory_sources

T0 = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)
TRACK = "1773324125512-4d9c2a1e-7b3f-4e85-a0d2-6f1b8c3e5a97-cam-audio-1773324125947"


def recording(rid: str = "9f4e", room: str = "intake-20260312140000", at: datetime = T0) -> Recording:
    return Recording(
        platform=Platform.DAILY,
        platform_recording_id=rid,
        bucket="daily",
        kind=RecordingKind.RAW_TRACKS,
        tracks=(Track(f"acme/{room}/{TRACK}"),),
        started_at=at,
        platform_room_name=room,
    )


def meeting(mid: str, platform_room: str, start: datetime) -> Meeting:
    return Meeting(
        platform=Platform.DAILY,
        platform_meeting_id=mid,
        platform_room_name=platform_room,
        room_url="u",
        host_room_url="u",
        start=start,
        end=start + timedelta(hours=1),
        room_name="intake",
    )


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


async def test_first_discovery_creates_and_enqueues_once(store: MemoryStore) -> None:
    queue = RecordingQueue()
    first = await ingest_recording(
        recording(), sources=memory_sources(), unit_of_work=lambda: MemoryUnitOfWork(store), queue=queue
    )
    again = await ingest_recording(
        recording(), sources=memory_sources(), unit_of_work=lambda: MemoryUnitOfWork(store), queue=queue
    )
    assert first.created and first.enqueued
    assert not again.created and not again.enqueued
    assert first.transcript.status is TranscriptStatus.QUEUED
    assert queue.jobs == [ProcessRecording(first.transcript.id or "")]
    assert len(store.recordings) == 1 and len(store.transcripts) == 1


async def test_twenty_concurrent_discoveries_make_one_recording_one_job(store: MemoryStore) -> None:
    queue = RecordingQueue()
    outcomes = await asyncio.gather(
        *(
            ingest_recording(
                recording(), sources=memory_sources(), unit_of_work=lambda: MemoryUnitOfWork(store), queue=queue
            )
            for _ in range(20)
        )
    )
    assert sum(o.created for o in outcomes) == 1
    assert sum(o.enqueued for o in outcomes) == 1
    assert len(queue.jobs) == 1 and len(store.transcripts) == 1


async def test_exact_room_name_links_the_meeting(store: MemoryStore) -> None:
    uow = MemoryUnitOfWork(store)
    await uow.rooms.add(Room("intake", Platform.DAILY))
    m = await uow.meetings.add(meeting("a", "intake-20260312140000", T0))
    await uow.meetings.add(meeting("b", "intake-20260312143000", T0 + timedelta(minutes=30)))
    out = await ingest_recording(
        recording(at=T0 + timedelta(minutes=31)),
        unit_of_work=lambda: MemoryUnitOfWork(store),
        queue=RecordingQueue(),
        sources=memory_sources(),
    )
    assert out.match is not None and out.match.meeting.id == m.id and not out.match.by_time
    assert store.recordings[out.recording.id or ""].meeting_id == m.id


async def test_time_proximity_links_but_is_flagged(store: MemoryStore) -> None:
    uow = MemoryUnitOfWork(store)
    await uow.rooms.add(Room("intake", Platform.DAILY))
    m = await uow.meetings.add(meeting("a", "intake-20260312140000", T0))
    out = await ingest_recording(
        recording(room="intake-20260312140500", at=T0 + timedelta(minutes=5)),
        unit_of_work=lambda: MemoryUnitOfWork(store),
        queue=RecordingQueue(),
        sources=memory_sources(),
    )
    assert out.match is not None and out.match.by_time and out.match.meeting.id == m.id
    assert store.recordings[out.recording.id or ""].linked_by_time


async def test_unknown_meeting_is_still_queued(store: MemoryStore) -> None:
    out = await ingest_recording(
        recording(room="elsewhere-20260312140000"),
        unit_of_work=lambda: MemoryUnitOfWork(store),
        queue=RecordingQueue(),
        sources=memory_sources(),
    )
    assert out.match is None and out.enqueued
    assert store.recordings[out.recording.id or ""].meeting_id is None


async def test_a_done_transcript_is_not_requeued_by_rediscovery(store: MemoryStore) -> None:
    queue = RecordingQueue()
    first = await ingest_recording(
        recording(), sources=memory_sources(), unit_of_work=lambda: MemoryUnitOfWork(store), queue=queue
    )
    uow = MemoryUnitOfWork(store)
    tid = first.transcript.id or ""
    assert await uow.transcripts.transition(tid, TranscriptStatus.PROCESSING)
    assert await uow.transcripts.transition(tid, TranscriptStatus.DONE)
    again = await ingest_recording(
        recording(), sources=memory_sources(), unit_of_work=lambda: MemoryUnitOfWork(store), queue=queue
    )
    assert not again.enqueued and again.transcript.status is TranscriptStatus.DONE
    assert len(queue.jobs) == 1
