"""A payload never chooses the bucket we read (and delete) from: issue 17, item 1.

The attack as reported: a correctly signed Daily ``recording.ready-to-download`` for one owner's meeting,
``"type": "cloud"``, ``s3_key`` naming another owner's ``transcripts/<id>/audio.mp3`` and
``s3.bucket_name`` the transcript bucket. It must be ignored on every discovery path (webhook, polling,
S3 events on SQS), never processed, and retention and consent must never delete from the transcript
bucket on a recording's behalf.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pytest

from reflector_adapters.daily.webhooks import parse_daily_event
from reflector_adapters.daily.wire import recording_wire, to_recording
from reflector_adapters.whereby.webhooks import parse_whereby_event
from reflector_adapters.work_folders import LocalWorkFolders
from reflector_core.audio_keys import audio_key, waveform_key
from reflector_core.errors import ForeignSourceError
from reflector_core.events import ObjectCreated, RecordingReady
from reflector_core.model import (
    ConsentChoice,
    ConsentDecision,
    Meeting,
    Platform,
    Recording,
    RecordingKind,
    Room,
    TranscriptStatus,
)
from reflector_core.ports import Notification
from reflector_core.recording_sources import daily_key_problem, whereby_key_problem
from reflector_core.usecases.consent import apply_consent
from reflector_core.usecases.discovery import drain_recording_notifications, poll_daily_recordings
from reflector_core.usecases.events import handle_event
from reflector_core.usecases.ingest import ingest_recording
from reflector_core.usecases.process_recording import process_recording
from reflector_core.usecases.retention import RetentionPolicy, apply_retention
from tests.fakes.memory import (
    FixedClock,
    MemoryNotifications,
    MemoryRecordingSource,
    MemoryStorage,
    MemoryStore,
    MemoryUnitOfWork,
    RecordingQueue,
)
from tests.recording_sources import memory_sources
from tests.unit.usecases.test_process_recording import FakePipeline, inline

T0 = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)
ROOM = "intake-20260312140000"
VICTIM = "tr-victim"
STOLEN = audio_key(VICTIM)


class World:
    """The attacker's meeting, and another owner's finished transcript audio in the transcript bucket."""

    def __init__(self) -> None:
        self.store = MemoryStore()
        self.daily = MemoryStorage("daily")
        self.out = MemoryStorage("transcripts", {STOLEN: b"ID3victim", waveform_key(VICTIM): b"{}"})
        self.sources = memory_sources(self.daily)
        self.queue = RecordingQueue()
        self.clock = FixedClock(T0 + timedelta(hours=2))

    def uow(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.store)

    async def meeting(self) -> str:
        await self.uow().rooms.add(Room("intake", Platform.DAILY, owner="mallory"))
        m = await self.uow().meetings.add(
            Meeting(Platform.DAILY, "m", ROOM, "u", "u", T0, T0 + timedelta(hours=1), room_name="intake")
        )
        return m.id or ""

    async def retention(self) -> None:
        """Raw tracks kept 0 days: what would delete a source as soon as processing ended."""
        await apply_retention(
            RetentionPolicy(raw_tracks_days=0),
            unit_of_work=self.uow,
            sources=self.sources,
            transcript_bucket=self.out,
            clock=self.clock,
        )

    def victim_untouched(self) -> None:
        assert self.out.objects[STOLEN] == b"ID3victim"
        assert self.store.deleted_objects == []


def ready_to_download(**payload: object) -> bytes:
    body = {
        "version": "1.0.0",
        "type": "recording.ready-to-download",
        "id": "evt-1",
        "event_ts": T0.timestamp(),
        "payload": {
            "type": "cloud",
            "recording_id": "rec-evil",
            "room_name": ROOM,
            "start_ts": int(T0.timestamp()),
            "status": "finished",
            "duration": 60,
            "s3_key": STOLEN,
            "s3": {"bucket_name": "transcripts", "key": STOLEN},
            **payload,
        },
    }
    return json.dumps(body).encode()


async def test_the_reported_webhook_is_ignored_and_nothing_is_processed_or_deleted(tmp_path: Path) -> None:
    w = World()
    await w.meeting()
    event = parse_daily_event(ready_to_download(), bucket="daily")
    assert isinstance(event, RecordingReady)
    said = await handle_event(event, sources=w.sources, unit_of_work=w.uow, queue=w.queue)
    assert "ignored" in said
    assert w.store.recordings == {} and w.store.transcripts == {} and w.queue.jobs == []
    await w.retention()
    w.victim_untouched()


@pytest.mark.parametrize(
    ("bucket", "key"),
    [
        ("daily", STOLEN),  # our Daily bucket, but not under the meeting's room
        ("transcripts", f"acme/{ROOM}/1773324000000"),  # the room's shape, in the transcript bucket
        ("elsewhere", f"acme/{ROOM}/1773324000000"),
        ("daily", f"acme/{ROOM}/../../transcripts/{VICTIM}/audio.mp3"),
        ("daily", f"acme/other-20260312140000/{ROOM}"),
    ],
)
async def test_any_bucket_or_key_outside_the_room_is_refused(bucket: str, key: str) -> None:
    w = World()
    body = ready_to_download(s3_key=key, s3={"bucket_name": bucket, "key": key})
    event = parse_daily_event(body, bucket="daily")
    assert isinstance(event, RecordingReady)
    with pytest.raises(ForeignSourceError):
        await ingest_recording(event.recording, sources=w.sources, unit_of_work=w.uow, queue=w.queue)
    assert w.store.recordings == {}


async def test_a_recording_of_the_room_in_the_daily_bucket_is_accepted() -> None:
    w = World()
    key = f"acme/{ROOM}/1773324000000"
    event = parse_daily_event(ready_to_download(s3_key=key, s3={"bucket_name": "daily", "key": key}), bucket="daily")
    assert isinstance(event, RecordingReady)
    out = await ingest_recording(event.recording, sources=w.sources, unit_of_work=w.uow, queue=w.queue)
    assert out.enqueued and out.recording.bucket == "daily"


async def test_another_daily_domains_recording_of_a_same_named_room_is_refused() -> None:
    """Keys are ``{domain}/{room}/…``: with REFLECTOR_DAILY_SUBDOMAIN set, only that domain's are read."""
    w = World()
    w.sources = attrs.evolve(w.sources, daily_domain="acme")
    ours, theirs = f"acme/{ROOM}/1773324000000", f"other/{ROOM}/1773324000000"
    event = parse_daily_event(
        ready_to_download(s3_key=theirs, s3={"bucket_name": "daily", "key": theirs}), bucket="daily"
    )
    assert isinstance(event, RecordingReady)
    with pytest.raises(ForeignSourceError, match="Daily domain"):
        await ingest_recording(event.recording, sources=w.sources, unit_of_work=w.uow, queue=w.queue)
    assert w.store.recordings == {}
    event = parse_daily_event(ready_to_download(s3_key=ours, s3={"bucket_name": "daily", "key": ours}), bucket="daily")
    assert isinstance(event, RecordingReady)
    out = await ingest_recording(event.recording, sources=w.sources, unit_of_work=w.uow, queue=w.queue)
    assert out.enqueued


async def test_polling_skips_a_listed_recording_that_names_another_bucket() -> None:
    w = World()
    wire = recording_wire(
        {
            "id": "rec-evil",
            "room_name": ROOM,
            "start_ts": T0.timestamp(),
            "status": "finished",
            "duration": 60,
            "type": "cloud",
            "s3key": STOLEN,
            "s3": {"bucket_name": "transcripts", "key": STOLEN},
        },
        "GET /recordings",
    )
    listed = to_recording(wire, bucket="daily", source="GET /recordings")
    report = await poll_daily_recordings(
        MemoryRecordingSource([listed]), sources=w.sources, unit_of_work=w.uow, queue=w.queue, clock=w.clock
    )
    assert report.ingested == () and dict(report.skipped)["rec-evil"]
    assert w.store.recordings == {} and w.queue.jobs == []


async def test_an_s3_event_for_the_transcript_bucket_is_acknowledged_and_ignored() -> None:
    w = World()
    notes = MemoryNotifications(
        [
            Notification("m1", "h1", objects=(ObjectCreated("transcripts", STOLEN),)),
            Notification("m2", "h2", objects=(ObjectCreated("wb", f"elsewhere/{VICTIM}-2026-03-12T14:03:21Z.mp4"),)),
        ]
    )
    report = await drain_recording_notifications(notes, sources=w.sources, unit_of_work=w.uow, queue=w.queue)
    assert notes.acked == ["m1", "m2"]  # redelivering them would change nothing
    assert report.ingested == () and w.store.recordings == {} and w.queue.jobs == []


async def test_a_whereby_webhook_for_another_rooms_file_is_ignored() -> None:
    w = World()
    body = json.dumps(
        {
            "id": "e1",
            "apiVersion": "1.0",
            "createdAt": "2026-03-12T15:00:00.000Z",
            "type": "recording.finished",
            "data": {
                "meetingId": "1",
                "roomName": "/mine-abc",
                "recordingId": "r1",
                "filename": "theirs-abc-2026-03-12T14:03:21Z.mp4",
            },
        }
    ).encode()
    event = parse_whereby_event(body, bucket="wb", prefix="raw")
    assert isinstance(event, RecordingReady)
    said = await handle_event(event, sources=w.sources, unit_of_work=w.uow, queue=w.queue)
    assert "ignored" in said and w.store.recordings == {}


async def test_rows_stored_before_the_check_are_neither_read_nor_deleted(tmp_path: Path) -> None:
    """Defence in depth: a recording row that already points at the transcript bucket."""
    w = World()
    meeting_id = await w.meeting()
    rec, _ = await w.uow().recordings.upsert(
        Recording(
            Platform.DAILY,
            "rec-evil",
            "transcripts",
            RecordingKind.CLOUD,
            platform_room_name=ROOM,
            meeting_id=meeting_id,
            object_key=STOLEN,
            started_at=T0,
        )
    )
    t, _ = await w.uow().transcripts.ensure(rec.id or "")
    await w.uow().transcripts.transition(t.id or "", TranscriptStatus.QUEUED)
    pipeline = FakePipeline()
    outcome = await process_recording(
        t.id or "",
        unit_of_work=w.uow,
        sources=w.sources,
        transcript_bucket=w.out,
        pipeline=pipeline,
        run_blocking=inline,
        work=LocalWorkFolders(tmp_path),
        clock=w.clock,
        delete_raw_after=True,
    )
    assert outcome.status is TranscriptStatus.FAILED and pipeline.calls == []
    assert "transcripts" not in (w.store.transcripts[t.id or ""].error or "")
    w.store.consents.append(ConsentDecision(meeting_id, "p", ConsentChoice.REFUSED, w.clock.now()))
    await apply_consent(meeting_id, unit_of_work=w.uow, sources=w.sources, transcript_bucket=w.out, clock=w.clock)
    await w.retention()
    w.victim_untouched()


def test_key_rules() -> None:
    ok = f"acme/{ROOM}/1773324125512-4d9c2a1e-7b3f-4e85-a0d2-6f1b8c3e5a97-cam-audio-1773324125947"
    assert daily_key_problem(ok, ROOM) is None
    assert daily_key_problem(f"acme/{ROOM}/1773324125512.mp4", ROOM) is None
    for bad in (f"{ROOM}/x", f"/acme/{ROOM}/x", f"acme/{ROOM}//x", f"acme/{ROOM}/./x", f"acme\\{ROOM}/x"):
        assert daily_key_problem(bad, ROOM) is not None, bad
    # With the Daily domain configured, another domain's key (same room name) is refused.
    assert daily_key_problem(ok, ROOM, "acme") is None
    assert daily_key_problem(f"evil/{ROOM}/1773324125512.mp4", ROOM, "acme") is not None
    assert daily_key_problem(f"acme-2/{ROOM}/1773324125512.mp4", ROOM, "acme") is not None
    assert whereby_key_problem("raw/room-2026-03-12T14:03:21Z.mp4", "raw", "/room") is None
    assert whereby_key_problem("raw/room-odd.mp4", "raw", "/room") is None  # loosely documented stamp
    assert whereby_key_problem("raw/roomy-2026-03-12T14:03:21Z.mp4", "raw", "/room") is not None
    assert whereby_key_problem("raw/x/room-2026-03-12T14:03:21Z.mp4", "raw", "/room") is not None
    assert whereby_key_problem("room-2026-03-12T14:03:21Z.mp4", "raw", None) is not None
    assert whereby_key_problem("raw/anything.mp4", "/raw/", None) is None  # an S3 event's own key
