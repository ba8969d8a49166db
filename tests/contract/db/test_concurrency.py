"""The ingestion promise: however many callers discover one recording at once, one row, one transcript, one winner."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from reflector_adapters.db.tables import recording, transcript
from reflector_adapters.db.unit_of_work import SqlUnitOfWork
from reflector_core.model import Platform, Recording, RecordingKind, Track, TranscriptStatus

CALLERS = 20


async def _ingest(uow: Callable[[], SqlUnitOfWork], n: int) -> tuple[bool, bool, str]:
    """What the webhook, the poller and an SQS redelivery each do, in their own unit of work."""
    rec = Recording(
        platform=Platform.DAILY,
        platform_recording_id="rec-X",
        bucket="raw",
        kind=RecordingKind.RAW_TRACKS,
        tracks=(Track(key="p/1-a-cam-audio-1.webm"), Track(key=f"p/1-{n}-cam-audio-2.webm")),
    )
    async with uow() as u:
        stored, created = await u.recordings.upsert(rec)
        assert stored.id
        t, _ = await u.transcripts.ensure(stored.id)
        assert t.id
        won = await u.transcripts.transition(t.id, TranscriptStatus.QUEUED)
        await u.commit()
    return created, won, t.id


async def test_concurrent_ingestion_of_one_recording(uow: Callable[[], SqlUnitOfWork], engine: AsyncEngine) -> None:
    results = await asyncio.gather(*(_ingest(uow, n) for n in range(CALLERS)))
    assert sum(created for created, _, _ in results) == 1
    assert sum(won for _, won, _ in results) == 1
    assert len({tid for _, _, tid in results}) == 1
    async with engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(recording)) == 1
        assert await conn.scalar(select(func.count()).select_from(transcript)) == 1
        assert await conn.scalar(select(transcript.c.status)) == TranscriptStatus.QUEUED.value


async def test_concurrent_edits_of_one_transcript_all_land(uow: Callable[[], SqlUnitOfWork]) -> None:
    """Edits read the words, change them and write them back: the row lock keeps any from being lost."""
    from datetime import UTC, datetime

    from reflector_core.model import Meeting, Participant, Room, Transcript, Word
    from reflector_core.usecases.editing import reassign_words
    from tests.fakes.memory import FixedClock

    start = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)
    async with uow() as u:
        await u.rooms.add(Room("edits", Platform.DAILY, owner="ann"))
        m = await u.meetings.add(Meeting(Platform.DAILY, "pm-e", "edits-1", "u", "u", start, start, room_name="edits"))
        rec, _ = await u.recordings.upsert(
            Recording(Platform.DAILY, "rec-E", "raw", RecordingKind.RAW_TRACKS, meeting_id=m.id)
        )
        t, _ = await u.transcripts.ensure(rec.id or "")
        tid = t.id or ""
        for status in (TranscriptStatus.QUEUED, TranscriptStatus.PROCESSING, TranscriptStatus.DONE):
            await u.transcripts.transition(tid, status)
        words = tuple(Word(f"w{i}", float(i), i + 0.5, 0) for i in range(CALLERS))
        people = (Participant(0), Participant(1))
        await u.transcripts.save_result(Transcript(rec.id or "", id=tid, words=words, participants=people))
        await u.commit()
    clock = FixedClock(start)
    await asyncio.gather(
        *(reassign_words(tid, i, i + 1, 1, owner="ann", unit_of_work=uow, clock=clock) for i in range(CALLERS))
    )
    async with uow() as u:
        got = await u.transcripts.get(tid)
        assert got is not None and [w.speaker for w in got.words] == [1] * CALLERS
        assert len(await u.edits.for_transcript(tid)) == CALLERS
