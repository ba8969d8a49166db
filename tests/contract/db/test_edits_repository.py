"""The edit log, the title column and word-free listings, on SQLite, PostgreSQL and the in-memory fakes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from reflector_core.errors import NotFoundError
from reflector_core.model import EditKind, Participant, Transcript, TranscriptEdit, Word
from reflector_core.ports import TranscriptFilter, UnitOfWork
from tests.contract.db.conftest import REPOSITORY_BACKENDS
from tests.contract.db.test_repositories import T0, seeded

pytestmark = pytest.mark.parametrize("backend", REPOSITORY_BACKENDS, indirect=True)

UoW = Callable[[], UnitOfWork]


async def test_edits_are_kept_in_order_and_go_with_the_transcript(uow: UoW) -> None:
    _, _, tid = await seeded(uow)
    async with uow() as u:
        first = await u.edits.add(TranscriptEdit(tid, EditKind.RENAME, "ann", T0, speaker=1, text="Bo"))
        second = await u.edits.add(
            TranscriptEdit(tid, EditKind.REASSIGN, "ann", T0, speaker=None, to_speaker=2, start=1.5, end=3.25)
        )
        await u.edits.add(TranscriptEdit(tid, EditKind.TITLE, "ann", T0, text=None))
        with pytest.raises(NotFoundError):
            await u.edits.add(TranscriptEdit("missing", EditKind.TITLE, "ann", T0, text="x"))
        await u.commit()
    assert first.id is not None and second.id is not None and first.id < second.id
    async with uow() as u:
        log = await u.edits.for_transcript(tid)
        assert [e.kind for e in log] == [EditKind.RENAME, EditKind.REASSIGN, EditKind.TITLE]
        assert log[0] == first and log[1] == second
        assert (log[1].start, log[1].end, log[1].to_speaker, log[1].speaker) == (1.5, 3.25, 2, None)
        assert log[0].at == T0
        assert await u.edits.for_transcript("missing") == []
        assert await u.transcripts.delete(tid)
        await u.commit()
    async with uow() as u:
        assert await u.edits.for_transcript(tid) == []


async def test_title_has_its_own_column_and_listings_come_without_words(uow: UoW) -> None:
    _, _, tid = await seeded(uow)
    async with uow() as u:
        t = await u.transcripts.get(tid)
        assert t is not None and t.title is None
        await u.transcripts.set_title(tid, "Weekly <sync>")
        await u.transcripts.save_result(
            Transcript(t.recording_id, id=tid, words=(Word("hi", 0.0, 0.5, 0),), participants=(Participant(0),))
        )
        with pytest.raises(NotFoundError):
            await u.transcripts.set_title("missing", "x")
        await u.commit()
    async with uow() as u:
        got = await u.transcripts.get(tid)
        assert got is not None and got.title == "Weekly <sync>" and len(got.words) == 1  # save_result kept it
        (listed,) = (await u.transcripts.list(TranscriptFilter())).items
        assert listed.id == tid and listed.title == "Weekly <sync>" and listed.words == ()
        assert listed.participants == (Participant(0),)
