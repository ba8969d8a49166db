"""``SqlEdits``: the ``TranscriptEditRepository`` over the ``transcript_edit`` table (the edit log)."""

from __future__ import annotations

from typing import Any

import attrs
from sqlalchemy import insert, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from reflector_adapters.db import tables as tb
from reflector_adapters.db.repositories import _execute_guarded
from reflector_core.errors import NotFoundError
from reflector_core.model import EditKind, TranscriptEdit


def edit_values(edit: TranscriptEdit) -> dict[str, Any]:
    return {
        "transcript_id": edit.transcript_id,
        "kind": edit.kind.value,
        "by_user": edit.by,
        "at": edit.at,
        "speaker": edit.speaker,
        "to_speaker": edit.to_speaker,
        "start": edit.start,
        "end": edit.end,
        "text": edit.text,
    }


def edit_from(row: RowMapping) -> TranscriptEdit:
    return TranscriptEdit(
        id=row["id"],
        transcript_id=row["transcript_id"],
        kind=EditKind(row["kind"]),
        by=row["by_user"],
        at=row["at"],
        speaker=row["speaker"],
        to_speaker=row["to_speaker"],
        start=row["start"],
        end=row["end"],
        text=row["text"],
    )


class SqlEdits:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, edit: TranscriptEdit) -> TranscriptEdit:
        stmt = insert(tb.transcript_edit).values(edit_values(edit)).returning(tb.transcript_edit.c.id)
        result = await _execute_guarded(self._conn, stmt, lambda: NotFoundError("transcript", edit.transcript_id))
        return attrs.evolve(edit, id=result.scalar_one())

    async def for_transcript(self, transcript_id: str) -> list[TranscriptEdit]:
        c = tb.transcript_edit.c
        stmt = select(tb.transcript_edit).where(c.transcript_id == transcript_id).order_by(c.id)
        return [edit_from(r) for r in (await self._conn.execute(stmt)).mappings()]
