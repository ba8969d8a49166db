"""The notes repository on SQLite, PostgreSQL and the in-memory fake: round trip, replace, cascade with the transcript."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reflector_core.errors import NotFoundError
from reflector_core.model import ActionItem, MeetingNotes, NotesEdits, NotesStatus, Topic, TopicEdit, TranscriptNotes
from tests.contract.db.conftest import REPOSITORY_BACKENDS
from tests.contract.db.test_repositories import T0, UoW, seeded

pytestmark = pytest.mark.parametrize("backend", REPOSITORY_BACKENDS, indirect=True)

GENERATED = MeetingNotes(
    title="Storage migration",
    short_summary="It went live.",
    long_summary="Storage: it went live.\n\nBudget: approved.",
    topics=(Topic("Storage", "It went live.", 0.0, 61.25), Topic("Budget", "Approved.", 61.25, 120.0)),
    action_items=(ActionItem("Open a ticket", "Lena", 12.5), ActionItem("Decide on the booth", None, 90.0)),
    method="llm:qwen2.5",
)


async def test_notes_round_trip_and_replace(uow: UoW) -> None:
    _, _, tid = await seeded(uow)
    async with uow() as u:
        assert await u.notes.get(tid) is None
        await u.notes.save(TranscriptNotes(tid, NotesStatus.RUNNING, updated_at=T0))
        await u.commit()
    edits = NotesEdits(
        title="Mine",
        action_items=(ActionItem("Send numbers", None, 3.0),),
        topics=(TopicEdit(61.25, title="Money"), TopicEdit(0.0, summary="Live.\n\nNo incidents.")),
    )
    stored = TranscriptNotes(tid, NotesStatus.DONE, GENERATED, edits, error="llm: HTTP 503", updated_at=T0)
    async with uow() as u:
        await u.notes.save(stored)
        await u.commit()
    async with uow() as u:
        got = await u.notes.get(tid)
    assert got == stored and got.updated_at == T0
    assert got.notes is not None and got.notes.title == "Mine"
    assert got.notes.topics == (
        Topic("Storage", "Live.\n\nNo incidents.", 0.0, 61.25),
        Topic("Money", "Approved.", 61.25, 120.0),
    )


async def test_notes_need_their_transcript_and_go_with_it(uow: UoW) -> None:
    _, _, tid = await seeded(uow)
    async with uow() as u:
        with pytest.raises(NotFoundError):
            await u.notes.save(TranscriptNotes("missing", NotesStatus.PENDING, updated_at=T0))
        await u.notes.save(TranscriptNotes(tid, NotesStatus.DONE, GENERATED, updated_at=T0))
        await u.commit()
    async with uow() as u:
        assert await u.transcripts.delete(tid) is True
        await u.commit()
    async with uow() as u:
        assert await u.notes.get(tid) is None


async def test_unfinished_notes_are_the_pending_and_running_ones_older_than_asked(uow: UoW) -> None:
    _, _, tid = await seeded(uow)
    async with uow() as u:
        assert await u.notes.unfinished(T0 + timedelta(days=1)) == []
        await u.notes.save(TranscriptNotes(tid, NotesStatus.PENDING, updated_at=T0))
        await u.commit()
    async with uow() as u:
        assert await u.notes.unfinished(T0) == []  # strictly older
        (found,) = await u.notes.unfinished(T0 + timedelta(seconds=1))
        assert found.transcript_id == tid and found.status is NotesStatus.PENDING and found.updated_at == T0
        await u.notes.save(TranscriptNotes(tid, NotesStatus.RUNNING, updated_at=T0))
        await u.commit()
    async with uow() as u:
        assert [n.status for n in await u.notes.unfinished(T0 + timedelta(seconds=1))] == [NotesStatus.RUNNING]
        for finished in (NotesStatus.DONE, NotesStatus.FAILED):
            await u.notes.save(TranscriptNotes(tid, finished, GENERATED, updated_at=T0))
            assert await u.notes.unfinished(T0 + timedelta(days=1)) == []
