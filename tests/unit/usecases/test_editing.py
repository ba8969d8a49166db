"""Editing and deleting transcripts through the use cases: owner checked, log written, exports agree."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reflector_core.audio_keys import audio_key, waveform_key
from reflector_core.errors import ConflictError, DeletionIncompleteError, InvalidInputError, NotFoundError
from reflector_core.model import (
    EditKind,
    Meeting,
    Participant,
    Platform,
    Recording,
    RecordingKind,
    Room,
    Track,
    Transcript,
    TranscriptStatus,
    Word,
)
from reflector_core.usecases.editing import edit_history, merge_speakers, reassign_words, rename_speaker, set_title
from reflector_core.usecases.ingest import ingest_recording
from reflector_core.usecases.transcripts import OWNER_DELETION_REASON, ExportFormat, delete_transcript, render_export
from tests.fakes.memory import FixedClock, MemoryStorage, MemoryStore, MemoryUnitOfWork, RecordingQueue
from tests.recording_sources import memory_sources

T0 = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)
OWNER = "ana"
TRACK = "acme/intake-20260312140000/1773324125512-p0-cam-audio-1773324125947"
WORDS = (
    Word(" Hello", 0.0, 0.5, 0),
    Word(" there.", 0.5, 1.0, 0),
    Word(" Yes.", 2.0, 2.4, 1),
    Word(" Right.", 4.0, 4.4, 2),
)


def _store(status: TranscriptStatus = TranscriptStatus.DONE) -> MemoryStore:
    store = MemoryStore(clock=FixedClock(T0))
    store.rooms["r"] = Room("r", Platform.DAILY, owner=OWNER, id="room-1")
    store.meetings["m1"] = Meeting(Platform.DAILY, "pm-1", "r-1", "u", "u", T0, T0, room_name="r", id="m1")
    store.recordings["rec-1"] = Recording(
        Platform.DAILY, "pr-1", "daily", RecordingKind.RAW_TRACKS, meeting_id="m1", id="rec-1", object_key=None
    )
    store.transcripts["t1"] = Transcript(
        "rec-1",
        status=status,
        words=WORDS,
        participants=(Participant(0, "p0", "Ana"), Participant(1, "p1", "Bo")),
        audio_location=audio_key("t1"),
        id="t1",
        created_at=T0,
    )
    return store


def _uow(store: MemoryStore):  # type: ignore[no-untyped-def]
    return lambda: MemoryUnitOfWork(store)


async def test_merge_reassign_rename_title_change_every_export_and_are_logged() -> None:
    store, clock = _store(), FixedClock(T0)
    kw = {"owner": OWNER, "unit_of_work": _uow(store), "clock": clock}
    await merge_speakers("t1", 2, 1, **kw)  # type: ignore[arg-type]
    await reassign_words("t1", 0.5, 1.0, 1, only=0, **kw)  # type: ignore[arg-type]  # "there." → Bo
    await rename_speaker("t1", 1, "Bo Berg", **kw)  # type: ignore[arg-type]
    t = await set_title("t1", "  Weekly   sync ", **kw)  # type: ignore[arg-type]
    assert t.title == "Weekly sync" and store.transcripts["t1"].title == "Weekly sync"
    stored = store.transcripts["t1"]
    assert [w.speaker for w in stored.words] == [0, 1, 1, 1]
    for fmt in ExportFormat:
        out = render_export(stored, fmt)
        assert "Bo Berg" in out and "Speaker 2" not in out, fmt
    assert "Bo Berg: there. Yes. Right." in render_export(stored, ExportFormat.TXT)
    log = await edit_history("t1", owner=OWNER, unit_of_work=_uow(store))
    assert [(e.kind, e.by, e.at) for e in log] == [
        (EditKind.MERGE, OWNER, T0),
        (EditKind.REASSIGN, OWNER, T0),
        (EditKind.RENAME, OWNER, T0),
        (EditKind.TITLE, OWNER, T0),
    ]
    assert (log[0].speaker, log[0].to_speaker) == (2, 1)
    assert (log[1].start, log[1].end, log[1].speaker, log[1].to_speaker) == (0.5, 1.0, 0, 1)
    await set_title("t1", "", **kw)  # type: ignore[arg-type]
    assert store.transcripts["t1"].title is None


async def test_edits_check_owner_status_and_input() -> None:
    store, clock = _store(), FixedClock(T0)
    bob = {"owner": "bob", "unit_of_work": _uow(store), "clock": clock}
    with pytest.raises(NotFoundError):
        await merge_speakers("t1", 1, 0, **bob)  # type: ignore[arg-type]
    with pytest.raises(NotFoundError):
        await reassign_words("t1", 0, 1, 1, **bob)  # type: ignore[arg-type]
    with pytest.raises(NotFoundError):
        await set_title("t1", "x", **bob)  # type: ignore[arg-type]
    with pytest.raises(NotFoundError):
        await edit_history("t1", owner="bob", unit_of_work=_uow(store))
    ana = {"owner": OWNER, "unit_of_work": _uow(store), "clock": clock}
    with pytest.raises(NotFoundError):
        await merge_speakers("t1", 7, 0, **ana)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        await merge_speakers("t1", 1, 1, **ana)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        await reassign_words("t1", 3.0, 3.5, 0, **ana)  # type: ignore[arg-type]  # no words there
    with pytest.raises(InvalidInputError):
        await set_title("t1", "x" * 201, **ana)  # type: ignore[arg-type]
    queued = _store(TranscriptStatus.QUEUED)
    with pytest.raises(ConflictError):
        await merge_speakers("t1", 1, 0, owner=OWNER, unit_of_work=_uow(queued), clock=clock)
    await set_title("t1", "While it runs", owner=OWNER, unit_of_work=_uow(queued), clock=clock)  # its own column
    assert store.transcripts["t1"].words == WORDS and store.edits == []
    assert [e.kind for e in queued.edits] == [EditKind.TITLE]


async def test_delete_removes_audio_through_the_audit_and_the_text() -> None:
    store, clock = _store(), FixedClock(T0)
    out = MemoryStorage("transcripts", {audio_key("t1"): b"mp3", waveform_key("t1"): b"{}"})
    daily = MemoryStorage("daily", {TRACK: b"opus"})
    store.recordings["rec-1"] = Recording(
        Platform.DAILY,
        "pr-1",
        "daily",
        RecordingKind.RAW_TRACKS,
        meeting_id="m1",
        id="rec-1",
        tracks=(Track(TRACK),),
        platform_room_name="intake-20260312140000",
    )
    await rename_speaker("t1", 0, "A", owner=OWNER, unit_of_work=_uow(store), clock=clock)
    kw = {"unit_of_work": _uow(store), "sources": memory_sources(daily), "transcript_bucket": out, "clock": clock}
    with pytest.raises(NotFoundError):
        await delete_transcript("t1", owner="bob", **kw)  # type: ignore[arg-type]
    assert out.objects and daily.objects
    done = await delete_transcript("t1", owner=OWNER, **kw)  # type: ignore[arg-type]
    assert out.objects == {} and daily.objects == {}
    assert (
        {(b, k) for b, k, *_ in store.deleted_objects}
        == set(done.deleted)
        == {
            ("transcripts", audio_key("t1")),
            ("transcripts", waveform_key("t1")),
            ("daily", TRACK),
        }
    )
    assert {reason for _, _, reason, _ in store.deleted_objects} == {OWNER_DELETION_REASON}
    assert "t1" not in store.transcripts and store.edits == [] and "t1" not in store.segments
    assert "rec-1" in store.sources_deleted
    with pytest.raises(NotFoundError):
        await delete_transcript("t1", owner=OWNER, **kw)  # type: ignore[arg-type]
    # The platform delivering the recording again does not bring the transcript back.
    outcome = await ingest_recording(
        store.recordings["rec-1"], sources=memory_sources(daily), unit_of_work=_uow(store), queue=RecordingQueue()
    )
    assert outcome.transcript is None and not outcome.enqueued and store.transcripts == {}


async def test_delete_waits_for_processing_and_keeps_the_row_when_storage_fails() -> None:
    clock = FixedClock(T0)
    busy = _store(TranscriptStatus.PROCESSING)
    out = MemoryStorage("transcripts", {audio_key("t1"): b"mp3"})
    kw = {"unit_of_work": _uow(busy), "sources": memory_sources(MemoryStorage("daily")), "clock": clock}
    with pytest.raises(ConflictError):
        await delete_transcript("t1", owner=OWNER, transcript_bucket=out, **kw)  # type: ignore[arg-type]
    assert out.objects
    store = _store()
    broken = MemoryStorage("transcripts", {audio_key("t1"): b"mp3"})
    broken.fail_deletes = 1
    kw["unit_of_work"] = _uow(store)
    with pytest.raises(DeletionIncompleteError):
        await delete_transcript("t1", owner=OWNER, transcript_bucket=broken, **kw)  # type: ignore[arg-type]
    assert "t1" in store.transcripts


async def test_deleting_an_uploaded_transcript_deletes_the_uploaded_file() -> None:
    from reflector_core.recording_sources import RecordingSources
    from reflector_core.usecases.uploads import upload_key

    store, clock = MemoryStore(clock=FixedClock(T0)), FixedClock(T0)
    key = upload_key("u1")
    out = MemoryStorage("transcripts", {key: b"mp4", audio_key("t9"): b"mp3", waveform_key("t9"): b"{}"})
    store.recordings["rec-9"] = Recording(
        Platform.UPLOAD, "u1", "transcripts", RecordingKind.CLOUD, object_key=key, owner=OWNER, id="rec-9"
    )
    store.transcripts["t9"] = Transcript("rec-9", status=TranscriptStatus.DONE, words=WORDS, id="t9", created_at=T0)
    sources = RecordingSources(buckets={}, transcript_bucket="transcripts", uploads=out)
    await delete_transcript(
        "t9", owner=OWNER, unit_of_work=_uow(store), sources=sources, transcript_bucket=out, clock=clock
    )
    assert out.objects == {} and "t9" not in store.transcripts
    assert {k for _, k, _, _ in store.deleted_objects} == {key, audio_key("t9"), waveform_key("t9")}
