from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import attrs
import pytest

from reflector_adapters.work_folders import LocalWorkFolders
from reflector_core.audio_keys import audio_key, waveform_key
from reflector_core.diarization import SpeakerHint
from reflector_core.languages import LanguageError, refusal
from reflector_core.model import (
    ConsentChoice,
    ConsentDecision,
    Meeting,
    Participant,
    ParticipantSession,
    Platform,
    Recording,
    RecordingKind,
    Room,
    Track,
    TrackFailure,
    TrackKind,
    TranscriptStatus,
    Word,
)
from reflector_core.ports import PipelineResult, ProgressCallback, SourceFile, Waveform
from reflector_core.processing import ProcessingOptions
from reflector_core.usecases.process_recording import process_recording, speaker_hint
from tests.fakes.memory import FixedClock, MemoryStorage, MemoryStore, MemoryUnitOfWork
from tests.recording_sources import memory_sources

T = TypeVar("T")
T0 = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)
P1, P2 = "4d9c2a1e-7b3f-4e85-a0d2-6f1b8c3e5a97", "b82f0e6c-1d47-4a3b-9c5e-3e7a2d9f1b04"
K1 = f"acme/intake-20260312140000/1773324125512-{P1}-cam-audio-1773324125947"
K2 = f"acme/intake-20260312140000/1773324125512-{P2}-cam-audio-1773324126402"
KV = f"acme/intake-20260312140000/1773324125512-{P2}-cam-video-1773324126118"


class FakePipeline:
    DETECTED = "fr"
    """What this fake "detects" when asked for ``auto``."""

    def __init__(self, fail_keys: Sequence[str] = (), english_only: bool = False) -> None:
        self.calls: list[list[SourceFile]] = []
        self.options: list[ProcessingOptions | None] = []
        self.fail_keys = set(fail_keys)
        self.english_only = english_only

    def __call__(
        self,
        sources: Sequence[SourceFile],
        workdir: Path,
        *,
        multitrack: bool,
        progress: ProgressCallback,
        options: ProcessingOptions | None = None,
    ) -> PipelineResult:
        self.calls.append(list(sources))
        self.options.append(options)
        asked = options.language if options else None
        if self.english_only and asked not in (None, "en"):
            raise LanguageError(refusal(asked or "", "tiny.en"))
        workdir.mkdir(parents=True, exist_ok=True)
        mp3 = workdir / "audio.mp3"
        mp3.write_bytes(b"ID3fake")
        words, failed = [], []
        for s in sources:
            assert s.path.read_bytes() == b"opus:" + s.key.encode()
            if s.key in self.fail_keys:
                failed.append(TrackFailure(s.key, "corrupt"))
                continue
            assert s.participant is not None
            words.append(Word("hello", 1.0 + s.participant.speaker, 1.5 + s.participant.speaker, s.participant.speaker))
        return PipelineResult(
            words=tuple(words),
            participants=tuple(s.participant for s in sources if s.participant),
            duration=10.0,
            mp3_path=mp3,
            waveform=Waveform((0.1, 0.5), 10.0, 0.2),
            failed_tracks=tuple(failed),
            language=self.DETECTED if asked == "auto" else (asked or "en"),
        )


async def inline(fn: Callable[[], T]) -> T:
    return fn()


async def setup(store: MemoryStore, status: TranscriptStatus = TranscriptStatus.QUEUED) -> str:
    uow = MemoryUnitOfWork(store)
    await uow.rooms.add(Room("intake", Platform.DAILY))
    meeting = await uow.meetings.add(
        Meeting(Platform.DAILY, "m", "intake-20260312140000", "u", "u", T0, T0 + timedelta(hours=1), room_name="intake")
    )
    await uow.participant_sessions.upsert(ParticipantSession(meeting.id or "", P1, T0, name="Lena"))
    rec, _ = await uow.recordings.upsert(
        Recording(
            Platform.DAILY,
            "r1",
            "daily",
            RecordingKind.RAW_TRACKS,
            tracks=(Track(K2), Track(KV, TrackKind.VIDEO), Track(K1)),
            meeting_id=meeting.id,
            platform_room_name="intake-20260312140000",
        )
    )
    t, _ = await uow.transcripts.ensure(rec.id or "")
    for s in (TranscriptStatus.QUEUED, TranscriptStatus.PROCESSING):
        if s == status or status == TranscriptStatus.PROCESSING:
            await uow.transcripts.transition(t.id or "", s)
        if s == status:
            break
    return t.id or ""


def buckets() -> tuple[MemoryStorage, MemoryStorage]:
    daily = MemoryStorage("daily", {k: b"opus:" + k.encode() for k in (K1, K2, KV)})
    return daily, MemoryStorage("transcripts")


async def run(
    store: MemoryStore,
    tid: str,
    daily: MemoryStorage,
    out: MemoryStorage,
    pipeline: FakePipeline,
    tmp: Path,
    **kw: object,
):
    return await process_recording(
        tid,
        unit_of_work=lambda: MemoryUnitOfWork(store),
        sources=memory_sources(daily),
        transcript_bucket=out,
        pipeline=pipeline,
        run_blocking=inline,
        work=LocalWorkFolders(tmp),
        clock=FixedClock(T0),
        **kw,  # type: ignore[arg-type]
    )


async def test_tracks_are_transcribed_in_a_stable_speaker_order_with_names(tmp_path: Path) -> None:
    store = MemoryStore()
    tid = await setup(store)
    daily, out = buckets()
    pipeline = FakePipeline()
    outcome = await run(store, tid, daily, out, pipeline, tmp_path)
    assert outcome.status is TranscriptStatus.DONE
    (sources,) = pipeline.calls
    assert [s.key for s in sources] == [K1, K2]  # video dropped, ordered by track start
    assert [(s.participant.speaker, s.participant.name) for s in sources if s.participant] == [(0, "Lena"), (1, None)]
    t = store.transcripts[tid]
    assert t.status is TranscriptStatus.DONE and len(t.words) == 2 and t.audio_location == audio_key(tid)
    assert set(out.objects) == {audio_key(tid), waveform_key(tid)}
    assert list(tmp_path.iterdir()) == []  # the work folder is cleaned up


async def test_a_retry_after_a_crash_finishes_without_duplicates(tmp_path: Path) -> None:
    store = MemoryStore()
    tid = await setup(store, TranscriptStatus.PROCESSING)
    (tmp_path / tid / "in").mkdir(parents=True)  # leftovers of the killed attempt
    daily, out = buckets()
    assert (await run(store, tid, daily, out, FakePipeline(), tmp_path)).status is TranscriptStatus.DONE
    assert len(store.transcripts) == 1 and len(store.transcripts[tid].words) == 2


async def test_done_or_taken_transcripts_are_left_alone(tmp_path: Path) -> None:
    store = MemoryStore()
    tid = await setup(store)
    daily, out = buckets()
    pipeline = FakePipeline()
    await run(store, tid, daily, out, pipeline, tmp_path)
    again = await run(store, tid, daily, out, pipeline, tmp_path)
    assert again.status is TranscriptStatus.DONE and len(pipeline.calls) == 1


async def test_one_bad_track_does_not_lose_the_others(tmp_path: Path) -> None:
    store = MemoryStore()
    tid = await setup(store)
    daily, out = buckets()
    del daily.objects[K2]
    outcome = await run(store, tid, daily, out, FakePipeline(), tmp_path)
    t = store.transcripts[tid]
    assert outcome.status is TranscriptStatus.DONE
    assert [f.track for f in t.failed_tracks] == [K2] and len(t.words) == 1


async def test_every_track_failing_fails_the_transcript(tmp_path: Path) -> None:
    store = MemoryStore()
    tid = await setup(store)
    daily, out = buckets()
    outcome = await run(store, tid, daily, out, FakePipeline(fail_keys=[K1, K2]), tmp_path)
    assert outcome.status is TranscriptStatus.FAILED
    assert store.transcripts[tid].status is TranscriptStatus.FAILED and out.objects == {}


async def test_after_a_refusal_no_derived_audio_is_uploaded(tmp_path: Path) -> None:
    store = MemoryStore()
    tid = await setup(store)
    meeting_id = next(iter(store.meetings))
    store.consents.append(ConsentDecision(meeting_id, P2, ConsentChoice.REFUSED, T0))
    daily, out = buckets()
    await run(store, tid, daily, out, FakePipeline(), tmp_path)
    t = store.transcripts[tid]
    assert out.objects == {} and t.audio_location is None and t.audio_deleted


async def test_raw_tracks_are_deleted_and_audited_when_retention_is_zero(tmp_path: Path) -> None:
    store = MemoryStore()
    tid = await setup(store)
    daily, out = buckets()
    await run(store, tid, daily, out, FakePipeline(), tmp_path, delete_raw_after=True)
    assert set(daily.objects) == {KV}
    assert sorted(k for _, k, _, _ in store.deleted_objects) == sorted([K1, K2])


async def test_runs_the_pipeline_off_the_event_loop(tmp_path: Path) -> None:
    store = MemoryStore()
    tid = await setup(store)
    daily, out = buckets()
    outcome = await process_recording(
        tid,
        unit_of_work=lambda: MemoryUnitOfWork(store),
        sources=memory_sources(daily),
        transcript_bucket=out,
        pipeline=FakePipeline(),
        run_blocking=asyncio.to_thread,
        work=LocalWorkFolders(tmp_path),
        clock=FixedClock(T0),
    )
    assert outcome.status is TranscriptStatus.DONE


@pytest.mark.parametrize("missing", ["transcript", "recording"])
async def test_missing_rows_are_reported(tmp_path: Path, missing: str) -> None:
    from reflector_core.errors import NotFoundError

    store = MemoryStore()
    tid = await setup(store)
    if missing == "transcript":
        tid = "nope"
    else:
        store.recordings.clear()
    daily, out = buckets()
    with pytest.raises(NotFoundError):
        await run(store, tid, daily, out, FakePipeline(), tmp_path)


async def test_names_come_from_the_platform_when_the_webhook_left_out_the_session(tmp_path: Path) -> None:
    import attrs

    from reflector_core.ports import PlatformParticipant
    from tests.fakes.memory import MemoryRecordingSource

    class Directory:
        def __init__(self) -> None:
            self.asked: list[str] = []

        async def participants(self, platform_session_id: str) -> list[PlatformParticipant]:
            self.asked.append(platform_session_id)
            return [PlatformParticipant(P2, name="Tomás")]

    store = MemoryStore()
    tid = await setup(store)
    listed = attrs.evolve(next(iter(store.recordings.values())), platform_session_id="mtg-1")
    directory = Directory()
    daily, out = buckets()
    pipeline = FakePipeline()
    await run(store, tid, daily, out, pipeline, tmp_path, directory=directory, source=MemoryRecordingSource([listed]))
    assert directory.asked == ["mtg-1"]
    assert [s.participant.name for s in pipeline.calls[0] if s.participant] == ["Lena", "Tomás"]
    # A mixed recording's diarizer is bounded by the people the platform saw.
    assert pipeline.options == [ProcessingOptions(speakers=SpeakerHint(at_most=2), language="en")]


def test_the_speaker_bound_counts_distinct_people() -> None:
    seen = [
        Participant(-1, "s1", name="Lena", user_id="u1"),
        Participant(-1, "s2", name="Lena again", user_id="u1"),  # rejoined: same user
        Participant(-1, "s3", name="Tomás"),
        Participant(-1, "s4"),
    ]
    assert speaker_hint(seen) == SpeakerHint(at_most=3)
    assert speaker_hint([]) == SpeakerHint()


async def test_failure_reasons_say_what_failed_not_where(tmp_path: Path) -> None:
    """Issue 17, item 8: reasons reach the API and webhooks; bucket names and s3:// paths stay in the log."""
    store = MemoryStore()
    tid = await setup(store)
    daily, out = buckets()
    del daily.objects[K2]
    outcome = await run(store, tid, daily, out, FakePipeline(), tmp_path)
    assert outcome.status is TranscriptStatus.DONE
    (failure,) = store.transcripts[tid].failed_tracks
    assert failure.track == K2 and failure.reason == "get of the track failed: no such object"
    del daily.objects[K1]
    store2 = MemoryStore()
    tid2 = await setup(store2)
    failed = await run(store2, tid2, daily, out, FakePipeline(), tmp_path)
    assert failed.status is TranscriptStatus.FAILED
    t = store2.transcripts[tid2]
    for text in [t.error or "", *(f.reason for f in t.failed_tracks)]:
        assert "s3://" not in text and "daily" not in text and str(tmp_path) not in text, text


async def test_reprocessing_replays_the_edit_log(tmp_path: Path) -> None:
    """Title kept; names, merges and reassignments applied again to the new words; a stale edit skipped."""
    import attrs

    from reflector_core.editing import speakers
    from reflector_core.model import EditKind, TranscriptEdit
    from reflector_core.usecases.editing import reassign_words, rename_speaker, set_title

    store = MemoryStore()
    tid = await setup(store)
    store.rooms["intake"] = attrs.evolve(store.rooms["intake"], owner="ana")
    daily, out = buckets()
    await run(store, tid, daily, out, FakePipeline(), tmp_path)
    uow, clock = (lambda: MemoryUnitOfWork(store)), FixedClock(T0)
    await set_title(tid, "Intake review", owner="ana", unit_of_work=uow, clock=clock)
    await rename_speaker(tid, 1, "Bob", owner="ana", unit_of_work=uow, clock=clock)
    await reassign_words(tid, 0.9, 1.6, 1, owner="ana", unit_of_work=uow, clock=clock)  # Lena's word → Bob
    store.edits.append(TranscriptEdit(tid, EditKind.MERGE, "ana", T0, speaker=7, to_speaker=0, id=99))
    edited = store.transcripts[tid]
    assert [w.speaker for w in edited.words] == [1, 1]
    # Processing again (today only a failed transcript is queued again; the replay does not care why).
    store.transcripts[tid] = attrs.evolve(edited, status=TranscriptStatus.QUEUED, words=(), participants=())
    assert (await run(store, tid, daily, out, FakePipeline(), tmp_path)).status is TranscriptStatus.DONE
    again = store.transcripts[tid]
    assert again.title == "Intake review"
    assert [w.speaker for w in again.words] == [1, 1]
    assert {p.speaker: p.name for p in again.participants} == {0: "Lena", 1: "Bob"}
    assert speakers(again) == {0, 1}
    assert len(store.edits) == 4  # the log itself is unchanged


async def _room_language(store: MemoryStore, language: str) -> None:
    uow = MemoryUnitOfWork(store)
    room = await uow.rooms.get("intake")
    assert room is not None
    await uow.rooms.update(attrs.evolve(room, language=language))


async def test_the_room_language_is_used_and_the_language_transcribed_is_stored(tmp_path: Path) -> None:
    store = MemoryStore()
    tid = await setup(store)
    await _room_language(store, "auto")
    daily, out = buckets()
    pipeline = FakePipeline()
    assert (await run(store, tid, daily, out, pipeline, tmp_path)).status is TranscriptStatus.DONE
    assert [o.language for o in pipeline.options if o] == ["auto"]
    assert store.transcripts[tid].language == FakePipeline.DETECTED


async def test_an_uploads_language_and_speaker_count_come_first(tmp_path: Path) -> None:
    store = MemoryStore()
    tid = await setup(store)
    await _room_language(store, "auto")
    daily, out = buckets()
    pipeline = FakePipeline()
    await run(store, tid, daily, out, pipeline, tmp_path, language="de", speakers=3)
    # The count given with an upload is exact; the platform's participants would only bound it.
    assert pipeline.options == [ProcessingOptions(speakers=SpeakerHint(exactly=3), language="de")]
    assert store.transcripts[tid].language == "de"


async def test_without_a_room_the_transcripts_own_language_is_kept_across_retries(tmp_path: Path) -> None:
    store = MemoryStore()
    tid = await setup(store)
    uow = MemoryUnitOfWork(store)
    await uow.rooms.delete("intake")
    await uow.transcripts.save_result(attrs.evolve(store.transcripts[tid], language="es"))
    daily, out = buckets()
    pipeline = FakePipeline()
    await run(store, tid, daily, out, pipeline, tmp_path)
    assert [o.language for o in pipeline.options if o] == ["es"]


async def test_a_language_the_model_cannot_do_fails_the_transcript_saying_why(tmp_path: Path) -> None:
    store = MemoryStore()
    tid = await setup(store)
    await _room_language(store, "de")
    daily, out = buckets()
    outcome = await run(store, tid, daily, out, FakePipeline(english_only=True), tmp_path)
    assert outcome.status is TranscriptStatus.FAILED
    error = store.transcripts[tid].error or ""
    assert "'tiny.en' is English-only" in error and "REFLECTOR_WHISPER_MODEL=base" in error
    assert list(tmp_path.iterdir()) == []  # nothing left behind; the recording itself is untouched
    assert set(daily.objects) == {K1, K2, KV}
