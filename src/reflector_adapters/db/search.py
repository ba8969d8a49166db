"""``SqlSearch``: the full-text index of transcript turns.

SQLite: an FTS5 table over ``transcript_segment`` (``MATCH`` with every word quoted, so nothing in a
query is FTS syntax). PostgreSQL: ``to_tsvector('simple', text) @@ plainto_tsquery('simple', …)`` on a
GIN index. Both use no stemming and lower-case whole words, so the backends agree.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, insert, literal_column, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from reflector_adapters.db import tables as tb
from reflector_adapters.db.visibility import visible_to
from reflector_core.search import SearchHit, Segment, Snippet

SIMPLE: ColumnElement[Any] = literal_column("'simple'::regconfig")


def _matching(conn: AsyncConnection, wanted: tuple[str, ...]) -> ColumnElement[bool]:
    seg = tb.transcript_segment
    if conn.dialect.name == "sqlite":
        query = " ".join('"' + w.replace('"', '""') + '"' for w in wanted)
        rowids = text("SELECT rowid FROM transcript_segment_fts WHERE transcript_segment_fts MATCH :q").bindparams(
            q=query
        )
        return seg.c.id.in_(rowids)
    return func.to_tsvector(SIMPLE, seg.c.text).op("@@")(func.plainto_tsquery(SIMPLE, " ".join(wanted)))


class SqlSearch:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def index(self, transcript_id: str, segments: Sequence[Segment]) -> None:
        seg = tb.transcript_segment
        await self._conn.execute(delete(seg).where(seg.c.transcript_id == transcript_id))
        if segments:
            await self._conn.execute(
                insert(seg),
                [
                    {"transcript_id": transcript_id, "position": s.position, "start": s.start, "text": s.text}
                    for s in segments
                ],
            )

    async def search(
        self, wanted: tuple[str, ...], *, owner: str, limit: int, per_transcript: int
    ) -> builtins.list[SearchHit]:
        seg, tr = tb.transcript_segment, tb.transcript
        owned = (
            seg.join(tr, seg.c.transcript_id == tr.c.id)
            .join(tb.recording, tr.c.recording_id == tb.recording.c.id)
            .outerjoin(tb.meeting, tb.recording.c.meeting_id == tb.meeting.c.id)
            .outerjoin(tb.room, tb.meeting.c.room_id == tb.room.c.id)
        )
        where = and_(_matching(self._conn, wanted), visible_to(owner, shared=True))
        newest = (
            select(tr.c.id, tr.c.created_at)
            .select_from(owned)
            .where(where)
            .group_by(tr.c.id, tr.c.created_at)
            .order_by(tr.c.created_at.desc(), tr.c.id.desc())
            .limit(limit)
        )
        ids = [r.id for r in (await self._conn.execute(newest)).all()]
        if not ids:
            return []
        rows = await self._conn.execute(
            select(seg.c.transcript_id, seg.c.start, seg.c.text)
            .select_from(owned)
            .where(where, seg.c.transcript_id.in_(ids))
            .order_by(seg.c.transcript_id, seg.c.position)
        )
        snippets: dict[str, list[Snippet]] = {i: [] for i in ids}
        for r in rows:
            if len(snippets[r.transcript_id]) < per_transcript:
                snippets[r.transcript_id].append(Snippet(text=r.text, start=r.start))
        return [SearchHit(transcript_id=i, snippets=tuple(snippets[i])) for i in ids]
