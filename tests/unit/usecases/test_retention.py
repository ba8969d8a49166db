from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from reflector_core.audio_keys import audio_key, waveform_key
from reflector_core.errors import DeletionIncompleteError, InvalidInputError
from reflector_core.model import Platform, Recording, RecordingKind, Track, TranscriptStatus, Word
from reflector_core.usecases.retention import RetentionPolicy, RetentionReport, apply_retention
from tests.fakes.memory import FixedClock, MemoryStorage, MemoryStore, MemoryUnitOfWork
from tests.recording_sources import memory_sources
from tests.unit.usecases.test_process_recording import T0

NOW = T0 + timedelta(days=60)


class World:
    def __init__(self) -> None:
        self.store = MemoryStore()
        self.daily = MemoryStorage("daily")
        self.out = MemoryStorage("transcripts")
        self.ids: dict[str, tuple[str, str]] = {}

    def uow(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.store)

    async def add(self, name: str, age_days: float, status: TranscriptStatus = TranscriptStatus.DONE) -> str:
        """A recording of ``age_days`` ago with two tracks, its transcript and its mixed audio."""
        started = NOW - timedelta(days=age_days)
        keys = (f"acme/{name}/1-a", f"acme/{name}/1-b")
        rec, _ = await self.uow().recordings.upsert(
            Recording(
                Platform.DAILY,
                name,
                "daily",
                RecordingKind.RAW_TRACKS,
                tracks=tuple(map(Track, keys)),
                started_at=started,
                platform_room_name=name,
            )
        )
        t, _ = await self.uow().transcripts.ensure(rec.id or "")
        tid = t.id or ""
        path = [TranscriptStatus.QUEUED, TranscriptStatus.PROCESSING]
        for s in path if status is TranscriptStatus.PROCESSING else [*path, status]:
            await self.uow().transcripts.transition(tid, s)
        self.store.transcripts[tid] = attrs.evolve(
            self.store.transcripts[tid],
            created_at=started,
            words=(Word("hi", 0.0, 1.0),),
            audio_location=audio_key(tid),
        )
        for k in keys:
            self.daily.objects[k] = b"opus"
        self.out.objects[audio_key(tid)] = b"mp3"
        self.out.objects[waveform_key(tid)] = b"{}"
        self.ids[name] = (rec.id or "", tid)
        return tid

    async def run(self, **days: int | None) -> RetentionReport:
        return await apply_retention(
            RetentionPolicy(**days),
            unit_of_work=self.uow,
            sources=memory_sources(self.daily),
            transcript_bucket=self.out,
            clock=FixedClock(NOW),
        )

    def audited(self) -> list[str]:
        assert all(reason == "retention" for _, _, reason, _ in self.store.deleted_objects)
        return sorted(k for _, k, _, _ in self.store.deleted_objects)


async def test_raw_tracks_older_than_the_limit_are_deleted_once() -> None:
    w = World()
    await w.add("old", 31)
    await w.add("new", 29)
    await w.add("busy", 40, TranscriptStatus.PROCESSING)  # a running job still needs its tracks
    report = await w.run(raw_tracks_days=30)
    assert report.sources == (w.ids["old"][0],)
    assert sorted(w.daily.objects) == ["acme/busy/1-a", "acme/busy/1-b", "acme/new/1-a", "acme/new/1-b"]
    assert w.audited() == ["acme/old/1-a", "acme/old/1-b"]
    assert len(w.out.objects) == 6  # mixed audio has its own clock
    again = await w.run(raw_tracks_days=30)
    assert again.sources == () and len(w.store.deleted_objects) == 2  # marked: not selected again


async def test_mixed_audio_older_than_the_limit_is_deleted_and_unlinked() -> None:
    w = World()
    old = await w.add("old", 8)
    new = await w.add("new", 6)
    report = await w.run(audio_days=7)
    assert report.audio == (old,)
    assert sorted(w.out.objects) == sorted([audio_key(new), waveform_key(new)])
    t = w.store.transcripts[old]
    assert t.audio_deleted and t.audio_location is None and t.words  # the text stays
    assert w.audited() == sorted([audio_key(old), waveform_key(old)])
    assert len(w.daily.objects) == 4


async def test_expired_transcripts_go_with_every_audio_object_left() -> None:
    w = World()
    old = await w.add("old", 91)
    new = await w.add("new", 10)
    report = await w.run(transcript_days=90)
    assert report.transcripts == (old,)
    assert set(w.store.transcripts) == {new}
    assert sorted(w.daily.objects) == ["acme/new/1-a", "acme/new/1-b"]
    assert w.audited() == sorted(["acme/old/1-a", "acme/old/1-b", audio_key(old), waveform_key(old)])


async def test_nothing_is_deleted_without_limits() -> None:
    w = World()
    await w.add("old", 1000)
    report = await w.run()
    assert report == RetentionReport() and w.store.deleted_objects == []


async def test_a_failed_delete_fails_the_run_and_the_next_run_finishes_it() -> None:
    w = World()
    old = await w.add("old", 40)
    w.daily.fail_deletes = 1
    with pytest.raises(DeletionIncompleteError):
        await w.run(raw_tracks_days=30, audio_days=30)
    assert w.store.transcripts[old].audio_deleted  # the audio pass still ran
    assert len(w.daily.objects) == 1  # one track left, so the recording is not marked
    report = await w.run(raw_tracks_days=30, audio_days=30)
    assert report.sources == (w.ids["old"][0],) and w.daily.objects == {}
    assert w.audited() == sorted(["acme/old/1-a", "acme/old/1-b", audio_key(old), waveform_key(old)])  # each once


def test_negative_days_are_refused() -> None:
    with pytest.raises(InvalidInputError):
        RetentionPolicy(audio_days=-1)
