"""Measure the library listing on a library of many long transcripts (``python tests/bench_library.py``).

The listing shows room, date, duration, participants and status, never the words, which are nearly
all of a transcript row (a two-hour meeting's are ~2 MB of JSON). ``TranscriptRepository.list``
leaves them out; the baseline, measured in the same run on the same database, is the same page read
with every column and the words decoded into ``Word`` values, as the listing did before.

Prints the best of ``--repeat`` runs of each, in milliseconds, and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select

from reflector_adapters.db import create_engine, unit_of_work_factory
from reflector_adapters.db import rows as db_rows
from reflector_adapters.db import tables as tb
from reflector_adapters.db.migrate import upgrade
from reflector_adapters.db.unit_of_work import SqlUnitOfWork
from reflector_core.model import (
    Meeting,
    Participant,
    Platform,
    Recording,
    RecordingKind,
    Room,
    Transcript,
    TranscriptFilter,
    TranscriptStatus,
    Word,
)
from reflector_core.usecases.library import library

OWNER = "ana"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


async def seed(make: Callable[[], SqlUnitOfWork], transcripts: int, words: int) -> None:
    """``transcripts`` done transcripts of ``words`` words each, in one room of ``OWNER``."""
    said = tuple(Word(f" word{i % 97}", i * 0.4, i * 0.4 + 0.3, i % 4, 0.9) for i in range(words))
    people = tuple(Participant(s, f"p-{s}", f"Person {s}") for s in range(4))
    async with make() as uow:
        await uow.rooms.add(Room("standup", Platform.DAILY, owner=OWNER))
        await uow.commit()
    for n in range(transcripts):
        start = T0 + timedelta(hours=n)
        async with make() as uow:
            meeting = await uow.meetings.add(
                Meeting(Platform.DAILY, f"pm-{n}", f"standup-{n}", "u", "u", start, start, room_name="standup")
            )
            rec, _ = await uow.recordings.upsert(
                Recording(Platform.DAILY, f"r-{n}", "b", RecordingKind.RAW_TRACKS, meeting_id=meeting.id)
            )
            t, _ = await uow.transcripts.ensure(rec.id or "")
            for status in (TranscriptStatus.QUEUED, TranscriptStatus.PROCESSING, TranscriptStatus.DONE):
                await uow.transcripts.transition(t.id or "", status)
            await uow.transcripts.save_result(
                Transcript(rec.id or "", id=t.id, words=said, participants=people, duration=words * 0.4)
            )
            await uow.commit()


async def best(repeat: int, run: Callable[[], Awaitable[object]]) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        await run()
        times.append(time.perf_counter() - began)
    return min(times) * 1000


async def main(transcripts: int, words: int, limit: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        await upgrade(url)
        engine = create_engine(url)
        make = unit_of_work_factory(engine)
        began = time.perf_counter()
        await seed(make, transcripts, words)
        print(f"seeded {transcripts} transcripts x {words} words in {time.perf_counter() - began:.1f} s")

        async def listing() -> object:
            return await library(OWNER, TranscriptFilter(), offset=0, limit=limit, unit_of_work=make)

        async def with_words() -> object:
            async with engine.connect() as conn:
                stmt = select(tb.transcript).order_by(tb.transcript.c.created_at.desc()).limit(limit)
                return [db_rows.transcript_from(r) for r in (await conn.execute(stmt)).mappings()]

        page = await listing()
        assert len(page.items) == min(limit, transcripts) and page.items[0].transcript.words == ()  # type: ignore[attr-defined]
        new = await best(repeat, listing)
        old = await best(repeat, with_words)
        print(
            f"library page of {limit}: {new:.1f} ms; the same rows with their words: {old:.1f} ms; ratio {old / new:.1f}x"
        )
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transcripts", type=int, default=200)
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    a = parser.parse_args()
    asyncio.run(main(a.transcripts, a.words, a.limit, a.repeat))
