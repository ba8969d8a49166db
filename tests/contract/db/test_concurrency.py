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
