from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs

from reflector_core.events import ObjectCreated
from reflector_core.model import Platform, Recording, RecordingKind, Track, TrackKind
from reflector_core.ports import Notification
from reflector_core.usecases.discovery import (
    DAILY_CURSOR,
    drain_recording_notifications,
    poll_daily_recordings,
    whereby_recording,
)
from tests.fakes.memory import (
    FixedClock,
    MemoryNotifications,
    MemoryRecordingSource,
    MemoryStore,
    MemoryUnitOfWork,
    RecordingQueue,
)
from tests.recording_sources import memory_sources

NOW = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
PID = "4d9c2a1e-7b3f-4e85-a0d2-6f1b8c3e5a97"


def daily(rid: str, hours_ago: float, *, status: str | None = "finished", audio: bool = True) -> Recording:
    kind = "cam-audio" if audio else "cam-video"
    return Recording(
        platform=Platform.DAILY,
        platform_recording_id=rid,
        bucket="daily",
        kind=RecordingKind.RAW_TRACKS,
        tracks=(
            Track(
                f"acme/r-20260314000000/1773324125512-{PID}-{kind}-1773324125947",
                TrackKind.AUDIO if audio else TrackKind.VIDEO,
            ),
        ),
        started_at=NOW - timedelta(hours=hours_ago),
        platform_room_name="r-20260314000000",
        status=status,
    )


async def test_polling_ingests_finished_speech_recordings_and_skips_the_rest() -> None:
    store = MemoryStore()
    source = MemoryRecordingSource(
        [daily("e", 0.1, status="in-progress"), daily("c", 1, audio=False), daily("b", 2), daily("old", 24 * 10)]
    )
    report = await poll_daily_recordings(
        source,
        sources=memory_sources(),
        unit_of_work=lambda: MemoryUnitOfWork(store),
        queue=RecordingQueue(),
        clock=FixedClock(NOW),
    )
    assert [o.recording.platform_recording_id for o in report.ingested] == ["b"]
    assert dict(report.skipped).keys() == {"e", "c"}
    assert store.cursors[DAILY_CURSOR][1] == NOW - timedelta(hours=2)


async def test_a_lost_webhook_and_a_long_outage_are_recovered_by_the_lookback() -> None:
    store = MemoryStore()
    store.cursors[DAILY_CURSOR] = (None, NOW - timedelta(hours=30))
    queue = RecordingQueue()
    source = MemoryRecordingSource([daily("new", 1), daily("during-outage", 29), daily("before", 40)])
    report = await poll_daily_recordings(
        source,
        sources=memory_sources(),
        unit_of_work=lambda: MemoryUnitOfWork(store),
        queue=queue,
        clock=FixedClock(NOW),
        lookback=timedelta(hours=12),
    )
    assert sorted(o.recording.platform_recording_id for o in report.ingested) == ["before", "during-outage", "new"]
    # a second poll finds nothing new to enqueue
    again = await poll_daily_recordings(
        source,
        sources=memory_sources(),
        unit_of_work=lambda: MemoryUnitOfWork(store),
        queue=queue,
        clock=FixedClock(NOW),
    )
    assert not any(o.enqueued for o in again.ingested)
    assert len(queue.jobs) == 3


async def test_in_progress_recording_is_picked_up_once_finished() -> None:
    store = MemoryStore()
    rec = daily("e", 0.5, status="in-progress")
    source = MemoryRecordingSource([rec])
    kw = {
        "unit_of_work": lambda: MemoryUnitOfWork(store),
        "queue": RecordingQueue(),
        "clock": FixedClock(NOW),
        "sources": memory_sources(),
    }
    assert (await poll_daily_recordings(source, **kw)).ingested == ()  # type: ignore[arg-type]
    source.recordings = [attrs.evolve(rec, status="finished")]
    assert len((await poll_daily_recordings(source, **kw)).ingested) == 1  # type: ignore[arg-type]


def test_whereby_objects_become_recordings() -> None:
    r = whereby_recording("wb", "raw/consult-abc-2026-03-12T14:03:21Z.mp4")
    assert r is not None
    assert (r.platform, r.platform_room_name, r.object_key) == (
        Platform.WHEREBY,
        "/consult-abc",
        "raw/consult-abc-2026-03-12T14:03:21Z.mp4",
    )
    assert r.started_at == datetime(2026, 3, 12, 14, 3, 21, tzinfo=UTC)
    odd = whereby_recording("wb", "raw/odd name.mp4")
    assert odd is not None and odd.platform_room_name is None
    assert whereby_recording("wb", "raw/readme.txt") is None


async def test_drain_acks_only_after_ingest_and_leaves_malformed_for_the_dlq() -> None:
    store = MemoryStore()
    good = Notification("m1", "h1", objects=(ObjectCreated("wb", "raw/room-2026-03-12T14:03:21Z.mp4"),))
    test_event = Notification("m2", "h2", test_event=True)
    bad = Notification("m3", "h3", error="not JSON")
    queue = RecordingQueue()
    notes = MemoryNotifications([good, test_event, bad])
    report = await drain_recording_notifications(
        notes, sources=memory_sources(), unit_of_work=lambda: MemoryUnitOfWork(store), queue=queue
    )
    assert notes.acked == ["m1", "m2"]
    assert report.left_for_retry == (("m3", "not JSON"),)
    assert len(queue.jobs) == 1
    # redelivery of the same event after a crash: still one recording, one job
    await drain_recording_notifications(
        MemoryNotifications([good]), sources=memory_sources(), unit_of_work=lambda: MemoryUnitOfWork(store), queue=queue
    )
    assert len(store.recordings) == 1 and len(queue.jobs) == 1


async def test_drain_does_not_ack_when_ingest_fails() -> None:
    class Broken(MemoryUnitOfWork):
        async def commit(self) -> None:
            raise OSError("database went away")

    notes = MemoryNotifications(
        [Notification("m1", "h1", objects=(ObjectCreated("wb", "raw/room-2026-03-12T14:03:21Z.mp4"),))]
    )
    report = await drain_recording_notifications(
        notes, sources=memory_sources(), unit_of_work=lambda: Broken(MemoryStore()), queue=RecordingQueue()
    )
    assert notes.acked == [] and report.left_for_retry[0][0] == "m1"
