"""Full-text search of an owner's transcripts: the same call for ``GET /v1/transcripts?q=`` and the library."""

from __future__ import annotations

from collections.abc import Callable

from attrs import frozen

from reflector_core.model import TranscriptStatus
from reflector_core.ports import UnitOfWork
from reflector_core.search import Snippet, excerpt, terms
from reflector_core.usecases.library import LibraryEntry, entry_of


@frozen
class Found:
    entry: LibraryEntry
    snippets: tuple[Snippet, ...]
    wanted: tuple[str, ...]
    """The query's words, for highlighting."""


async def search_transcripts(
    owner: str,
    query: str,
    *,
    unit_of_work: Callable[[], UnitOfWork],
    room: str | None = None,
    status: TranscriptStatus | None = None,
    limit: int = 50,
    per_transcript: int = 3,
) -> list[Found]:
    """The owner's transcripts whose turns hold every word of ``query``, newest first, with up to
    ``per_transcript`` snippets each (earliest first); ``InvalidInputError`` for an empty query."""
    wanted = terms(query)
    found: list[Found] = []
    async with unit_of_work() as uow:
        hits = await uow.search.search(wanted, owner=owner, limit=limit, per_transcript=per_transcript)
        for hit in hits:
            transcript = await uow.transcripts.get(hit.transcript_id)
            if transcript is None or (status is not None and transcript.status is not status):
                continue
            entry = await entry_of(uow, transcript)
            if room is not None and entry.room != room:
                continue
            snippets = tuple(Snippet(excerpt(s.text, wanted), s.start) for s in hit.snippets)
            found.append(Found(entry, snippets, wanted))
    return found
