"""Consent cleanup: refusal before, during and after processing; faults; policies."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from reflector_adapters.work_folders import LocalWorkFolders
from reflector_core.audio_keys import audio_key, waveform_key
from reflector_core.errors import DeletionIncompleteError
from reflector_core.model import (
    ConsentChoice,
    ConsentDecision,
    ConsentPolicy,
    Meeting,
    Platform,
    Recording,
    RecordingKind,
    Room,
    Track,
    TranscriptStatus,
)
from reflector_core.usecases.consent import (
    ApplyConsent,
    ConsentCleanup,
    apply_consent,
    has_refusal,
    sweep_consent_cleanups,
)
from tests.fakes.memory import FixedClock, MemoryStorage, MemoryStore, MemoryUnitOfWork, RecordingQueue
from tests.recording_sources import memory_sources
from tests.unit.usecases.test_process_recording import K1, K2, KV, P1, P2, T0, FakePipeline, inline

PREFIX = "acme/intake-20260312140000/1773324125512"
OTHER = "acme/followup-20260312143000/1773325880880-x-cam-audio-1"


class World:
    """One meeting with a raw-tracks recording (only its speech tracks known to the row) in a room."""

    def __init__(self, policy: ConsentPolicy = ConsentPolicy.REQUIRED) -> None:
        self.store = MemoryStore()
        self.policy = policy
        self.daily = MemoryStorage("daily", {k: b"opus:" + k.encode() for k in (K1, K2, KV, OTHER)})
        self.out = MemoryStorage("transcripts")
        self.clock = FixedClock(T0 + timedelta(hours=2))

    def uow(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.store)

    async def setup(self, status: TranscriptStatus = TranscriptStatus.QUEUED) -> str:
        uow = self.uow()
        await uow.rooms.add(Room("intake", Platform.DAILY, consent_policy=self.policy))
        meeting = await uow.meetings.add(
            Meeting(
                Platform.DAILY, "m", "intake-20260312140000", "u", "u", T0, T0 + timedelta(hours=1), room_name="intake"
            )
        )
        self.meeting_id = meeting.id or ""
        rec, _ = await uow.recordings.upsert(
            Recording(
                Platform.DAILY,
                "r1",
                "daily",
                RecordingKind.RAW_TRACKS,
                tracks=(Track(K2), Track(K1)),  # the video track KV is not in the row
                meeting_id=meeting.id,
                object_key=PREFIX,
                platform_room_name="intake-20260312140000",
            )
        )
        t, _ = await uow.transcripts.ensure(rec.id or "")
        self.tid = t.id or ""
        await uow.transcripts.transition(self.tid, TranscriptStatus.QUEUED)
        if status is TranscriptStatus.PROCESSING:
            await uow.transcripts.transition(self.tid, TranscriptStatus.PROCESSING)
        return self.tid

    def refuse(self, who: str = P2) -> None:
        self.store.consents.append(ConsentDecision(self.meeting_id, who, ConsentChoice.REFUSED, self.clock.now()))

    async def cleanup(self, work: LocalWorkFolders | None = None) -> ConsentCleanup:
        return await apply_consent(
            self.meeting_id,
            unit_of_work=self.uow,
            sources=memory_sources(self.daily),
            transcript_bucket=self.out,
            clock=self.clock,
            work=work,
        )

    async def process(self, tmp: Path, pipeline: FakePipeline | None = None) -> TranscriptStatus:
        from reflector_core.usecases.process_recording import process_recording

        outcome = await process_recording(
            self.tid,
            unit_of_work=self.uow,
            sources=memory_sources(self.daily),
            transcript_bucket=self.out,
            pipeline=pipeline or FakePipeline(),
            run_blocking=inline,
            work=LocalWorkFolders(tmp),
            clock=self.clock,
        )
        return outcome.status

    def nothing_left(self) -> None:
        assert set(self.daily.objects) == {OTHER}  # another meeting's track is untouched
        assert self.out.objects == {}
        t = self.store.transcripts[self.tid]
        assert t.audio_deleted and t.audio_location is None

    def audited(self) -> list[tuple[str, str]]:
        assert all(reason == "consent" for _, _, reason, _ in self.store.deleted_objects)
        return sorted((b, k) for b, k, _, _ in self.store.deleted_objects)


ALL_RAW = [("daily", K1), ("daily", K2), ("daily", KV)]


async def test_refusal_after_processing_deletes_every_audio_object_and_audits_each(tmp_path: Path) -> None:
    w = World()
    await w.setup()
    assert await w.process(tmp_path) is TranscriptStatus.DONE
    assert set(w.out.objects) == {audio_key(w.tid), waveform_key(w.tid)}
    w.refuse()
    report = await w.cleanup()
    assert report.refused and report.cleaned == (w.tid,) and report.pending == ()
    w.nothing_left()
    assert w.audited() == sorted([*ALL_RAW, ("transcripts", audio_key(w.tid)), ("transcripts", waveform_key(w.tid))])
    assert w.store.transcripts[w.tid].words == ()  # REQUIRED: the text goes too
    assert await w.uow().consents.meetings_awaiting_cleanup() == []


async def test_keep_text_policy_keeps_the_words_but_no_audio(tmp_path: Path) -> None:
    w = World(ConsentPolicy.REQUIRED_KEEP_TEXT)
    await w.setup()
    await w.process(tmp_path)
    w.refuse()
    await w.cleanup()
    w.nothing_left()
    assert len(w.store.transcripts[w.tid].words) == 2


async def test_refusal_before_processing_keep_text_defers_tracks_until_the_text_exists(tmp_path: Path) -> None:
    w = World(ConsentPolicy.REQUIRED_KEEP_TEXT)
    await w.setup()
    w.refuse()
    report = await w.cleanup()  # the refusal's job runs first
    assert report.pending == (w.tid,) and set(w.daily.objects) == {K1, K2, KV, OTHER}
    assert not w.store.transcripts[w.tid].audio_deleted
    assert await w.uow().consents.meetings_awaiting_cleanup() == [w.meeting_id]
    # Processing never uploads, then cleans up itself once done.
    assert await w.process(tmp_path) is TranscriptStatus.DONE
    w.nothing_left()
    assert len(w.store.transcripts[w.tid].words) == 2
    assert w.audited() == ALL_RAW  # no derived audio ever existed


async def test_refusal_before_processing_without_text_deletes_at_once_and_the_sweep_finishes(tmp_path: Path) -> None:
    w = World(ConsentPolicy.REQUIRED)
    await w.setup()
    w.refuse()
    report = await w.cleanup()
    assert report.pending == (w.tid,) and set(w.daily.objects) == {OTHER}
    # Nothing left to transcribe: processing fails; the sweep runs the cleanup again.
    assert await w.process(tmp_path) is TranscriptStatus.FAILED
    queue = RecordingQueue()
    assert await sweep_consent_cleanups(unit_of_work=w.uow, queue=queue) == [w.meeting_id]
    assert queue.jobs == [ApplyConsent(w.meeting_id)]
    await w.cleanup()
    w.nothing_left()
    assert w.audited() == ALL_RAW
    assert await sweep_consent_cleanups(unit_of_work=w.uow, queue=RecordingQueue()) == []


class RefusingOnUpload(MemoryStorage):
    """A refusal lands while the mixed audio uploads: after processing's first consent check."""

    def __init__(self, world: World) -> None:
        super().__init__("transcripts")
        self.world = world

    async def upload(self, key: str, source: Path, *, content_type: str | None = None) -> None:
        if not self.world.store.consents:
            self.world.refuse()
        await super().upload(key, source, content_type=content_type)


async def test_refusal_during_the_upload_is_caught_by_the_check_after_processing(tmp_path: Path) -> None:
    w = World()
    w.out = RefusingOnUpload(w)
    await w.setup()
    assert await w.process(tmp_path) is TranscriptStatus.DONE
    w.nothing_left()
    assert w.store.transcripts[w.tid].words == ()
    assert ("transcripts", audio_key(w.tid)) in w.audited()


async def test_refusal_and_its_job_during_processing_leave_nothing_behind(tmp_path: Path) -> None:
    from reflector_core.usecases.process_recording import process_recording

    w = World()
    await w.setup()
    reports: list[ConsentCleanup] = []

    async def pipeline_then_refusal(fn):  # type: ignore[no-untyped-def]
        # The CPU stage runs; meanwhile a participant refuses and the refusal's job runs on another worker.
        result = fn()
        w.refuse()
        reports.append(await w.cleanup())
        return result

    outcome = await process_recording(
        w.tid,
        unit_of_work=w.uow,
        sources=memory_sources(w.daily),
        transcript_bucket=w.out,
        pipeline=FakePipeline(),
        run_blocking=pipeline_then_refusal,
        work=LocalWorkFolders(tmp_path),
        clock=w.clock,
    )
    assert reports[0].pending == (w.tid,)  # the job saw the transcript still processing
    assert set(reports[0].deleted) == set(ALL_RAW)  # REQUIRED: the tracks went at once
    assert outcome.status is TranscriptStatus.DONE
    w.nothing_left()
    assert w.store.transcripts[w.tid].words == ()


async def test_a_failed_delete_is_retried_until_nothing_is_left_and_the_audit_is_complete(tmp_path: Path) -> None:
    w = World()
    await w.setup()
    await w.process(tmp_path)
    w.refuse()
    w.daily.fail_deletes = 1
    with pytest.raises(DeletionIncompleteError) as info:
        await w.cleanup()
    assert len(info.value.failures) == 1 and info.value.bucket == "daily"
    assert not w.store.transcripts[w.tid].audio_deleted  # not all gone: not marked
    assert len(w.daily.objects) == 2  # one raw track left (and the other meeting's)
    assert await sweep_consent_cleanups(unit_of_work=w.uow, queue=RecordingQueue()) == [w.meeting_id]
    await w.cleanup()  # the retry
    w.nothing_left()
    # Every object exactly once: the retry skips what is already gone.
    assert w.audited() == sorted([*ALL_RAW, ("transcripts", audio_key(w.tid)), ("transcripts", waveform_key(w.tid))])


async def test_without_a_refusal_nothing_is_deleted(tmp_path: Path) -> None:
    w = World()
    await w.setup()
    await w.process(tmp_path)
    w.store.consents.append(ConsentDecision(w.meeting_id, P1, ConsentChoice.GIVEN, w.clock.now()))
    assert (await w.cleanup()).refused is False
    assert len(w.daily.objects) == 4 and len(w.out.objects) == 2 and w.store.deleted_objects == []


def test_the_latest_decision_of_each_participant_counts() -> None:
    at = T0
    refused = ConsentDecision("m", P1, ConsentChoice.REFUSED, at)
    given = ConsentDecision("m", P1, ConsentChoice.GIVEN, at + timedelta(minutes=1))
    assert has_refusal([refused])
    assert not has_refusal([refused, given]) and not has_refusal([given, refused])
    assert has_refusal([given, refused, ConsentDecision("m", P2, ConsentChoice.REFUSED, at)])


async def test_a_composed_recording_file_is_deleted_too() -> None:
    w = World()
    uow = w.uow()
    meeting = await uow.meetings.add(
        Meeting(Platform.WHEREBY, "w", "/room", "u", "u", T0, T0 + timedelta(hours=1), room_name=None)
    )
    w.meeting_id = meeting.id or ""
    w.store.recordings.clear()
    rec, _ = await uow.recordings.upsert(
        Recording(
            Platform.WHEREBY,
            "room-2026.mp4",
            "whereby",
            RecordingKind.CLOUD,
            meeting_id=meeting.id,
            object_key="raw/room-2026.mp4",
            platform_room_name="/room",
        )
    )
    t, _ = await uow.transcripts.ensure(rec.id or "")
    await uow.transcripts.transition(t.id or "", TranscriptStatus.QUEUED)
    await uow.transcripts.transition(t.id or "", TranscriptStatus.FAILED)
    whereby = MemoryStorage("whereby", {"raw/room-2026.mp4": b"mp4"})
    w.refuse()
    report = await apply_consent(
        w.meeting_id,
        unit_of_work=w.uow,
        sources=memory_sources(whereby=whereby),
        transcript_bucket=w.out,
        clock=w.clock,
    )
    assert whereby.objects == {} and report.deleted == (("whereby", "raw/room-2026.mp4"),)
    assert w.store.transcripts[t.id or ""].audio_deleted


async def test_a_refusal_after_a_crash_leaves_no_copy_in_the_work_folder(tmp_path: Path) -> None:
    """Issue 17, item 2: a job killed mid-transcription left copies of every track and a partial MP3."""
    w = World()
    await w.setup(TranscriptStatus.PROCESSING)
    crashed = tmp_path / w.tid  # what the killed job left: no live process holds it any more
    (crashed / "in").mkdir(parents=True)
    for i, key in enumerate((K1, K2)):
        (crashed / "in" / f"{i:03d}").write_bytes(w.daily.objects[key])
    (crashed / "out").mkdir()
    (crashed / "out" / "audio.mp3.part").write_bytes(b"ID3 partial")
    w.refuse()
    report = await w.cleanup(LocalWorkFolders(tmp_path))
    assert report.pending == (w.tid,)
    assert not crashed.exists() and list(tmp_path.iterdir()) == []
    assert set(w.daily.objects) == {OTHER}


async def test_a_live_jobs_folder_is_left_to_the_job_which_removes_it(tmp_path: Path) -> None:
    w = World()
    await w.setup(TranscriptStatus.PROCESSING)
    w.refuse()
    folders = LocalWorkFolders(tmp_path)
    with folders.job(w.tid) as live:
        (live / "in").mkdir()
        (live / "in" / "000").write_bytes(b"copy")
        await w.cleanup(folders)
        assert (live / "in" / "000").exists()  # the running job still reads it; it fails or finishes
    assert list(tmp_path.iterdir()) == []
