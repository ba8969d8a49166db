"""The full-text index, the same contract on SQLite (FTS5), PostgreSQL (tsvector) and the memory fake."""

from __future__ import annotations

import attrs
import pytest

from reflector_core.model import Participant, TranscriptStatus, Word
from reflector_core.search import terms
from tests.contract.db.conftest import REPOSITORY_BACKENDS
from tests.contract.db.test_repositories import UoW, meeting, recording, seeded

pytestmark = pytest.mark.parametrize("backend", REPOSITORY_BACKENDS, indirect=True)


def _words(*turns: tuple[int, float, str]) -> tuple[Word, ...]:
    out = []
    for speaker, start, sentence in turns:
        for i, text in enumerate(sentence.split()):
            out.append(Word(f" {text}", start + i * 0.4, start + i * 0.4 + 0.3, speaker=speaker))
    return tuple(out)


async def _save(uow: UoW, tid: str, words: tuple[Word, ...]) -> None:
    async with uow() as u:
        t = await u.transcripts.get(tid)
        assert t is not None
        await u.transcripts.save_result(attrs.evolve(t, words=words, participants=(Participant(0, "p", "Ann"),)))
        await u.commit()


async def test_search_finds_turns_with_every_word_and_their_start(uow: UoW) -> None:
    _, _, tid = await seeded(uow)
    await _save(
        uow,
        tid,
        _words(
            (0, 0.0, "The release date moved again."),
            (1, 5.0, "Which release?"),
            (0, 9.0, "The RELEASE of version two, its date is Friday."),
        ),
    )
    async with uow() as u:
        hits = await u.search.search(terms("release date"), owner="ann", limit=10, per_transcript=3)
        assert [h.transcript_id for h in hits] == [tid]
        assert [(s.start, s.text) for s in hits[0].snippets] == [
            (0.0, "The release date moved again."),
            (9.0, "The RELEASE of version two, its date is Friday."),
        ]
        only_first = await u.search.search(terms("release"), owner="ann", limit=10, per_transcript=1)
        assert [s.start for s in only_first[0].snippets] == [0.0]
        # Whole words only, another owner sees nothing, quotes and FTS syntax are just words.
        assert await u.search.search(terms("releas"), owner="ann", limit=10, per_transcript=3) == []
        assert await u.search.search(terms("release"), owner="bob", limit=10, per_transcript=3) == []
        assert await u.search.search(terms('"release" OR NEAR(x'), owner="ann", limit=10, per_transcript=3) == []


async def test_search_follows_new_words_and_orders_newest_first(uow: UoW) -> None:
    _, _, tid = await seeded(uow)
    await _save(uow, tid, _words((0, 0.0, "budget talk")))
    async with uow() as u:
        m2 = await u.meetings.add(meeting("m-2"))
        rec, _ = await u.recordings.upsert(recording("rec-2", meeting_id=m2.id))
        t2, _ = await u.transcripts.ensure(rec.id or "")
        await u.commit()
    await _save(uow, t2.id or "", _words((0, 3.0, "more budget talk")))
    async with uow() as u:
        hits = await u.search.search(terms("budget"), owner="ann", limit=10, per_transcript=3)
        assert [h.transcript_id for h in hits] == [t2.id, tid]
        assert len(await u.search.search(terms("budget"), owner="ann", limit=1, per_transcript=3)) == 1
    await _save(uow, tid, _words((0, 0.0, "weather only")))
    async with uow() as u:
        assert [
            h.transcript_id for h in await u.search.search(terms("budget"), owner="ann", limit=10, per_transcript=3)
        ] == [t2.id]
        assert await u.transcripts.transition(tid, TranscriptStatus.QUEUED)
        await u.commit()
