"""``SqlNotes``: the ``NotesRepository`` over the ``transcript_notes`` table (one row per transcript)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from reflector_adapters.db import tables as tb
from reflector_adapters.db.repositories import _execute_guarded, _insert
from reflector_core.errors import NotFoundError
from reflector_core.exports import notes as notes_json
from reflector_core.model import NotesEdits, NotesStatus, TopicEdit, TranscriptNotes


def edits_to_json(edits: NotesEdits) -> dict[str, Any]:
    return {
        "title": edits.title,
        "short_summary": edits.short_summary,
        "long_summary": edits.long_summary,
        "action_items": None if edits.action_items is None else [notes_json.item_dict(a) for a in edits.action_items],
        "topics": [{"start": t.start, "title": t.title, "summary": t.summary} for t in edits.topics],
    }


def edits_from_json(raw: dict[str, Any]) -> NotesEdits:
    items = raw.get("action_items")
    return NotesEdits(
        title=raw.get("title"),
        short_summary=raw.get("short_summary"),
        long_summary=raw.get("long_summary"),
        action_items=None if items is None else tuple(notes_json.item_from_dict(a) for a in items),
        # Rows written before topics were editable have no "topics".
        topics=tuple(
            TopicEdit(start=float(t["start"]), title=t.get("title"), summary=t.get("summary"))
            for t in raw.get("topics") or []
        ),
    )


def notes_from(row: RowMapping) -> TranscriptNotes:
    return TranscriptNotes(
        transcript_id=row["transcript_id"],
        status=NotesStatus(row["status"]),
        generated=None if row["generated"] is None else notes_json.from_dict(row["generated"]),
        edits=edits_from_json(row["edits"] or {}),
        error=row["error"],
        updated_at=row["updated_at"],
    )


class SqlNotes:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, transcript_id: str) -> TranscriptNotes | None:
        stmt = select(tb.transcript_notes).where(tb.transcript_notes.c.transcript_id == transcript_id)
        row = (await self._conn.execute(stmt)).mappings().first()
        return None if row is None else notes_from(row)

    async def save(self, notes: TranscriptNotes) -> None:
        if notes.updated_at is None:
            raise ValueError("notes need updated_at to be stored")
        values = {
            "transcript_id": notes.transcript_id,
            "status": notes.status.value,
            "generated": None if notes.generated is None else notes_json.to_dict(notes.generated),
            "edits": edits_to_json(notes.edits),
            "error": notes.error,
            "updated_at": notes.updated_at,
        }
        stmt = _insert(self._conn, tb.transcript_notes).values(values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[tb.transcript_notes.c.transcript_id],
            set_={k: stmt.excluded[k] for k in values if k != "transcript_id"},
        )
        await _execute_guarded(self._conn, stmt, lambda: NotFoundError("transcript", notes.transcript_id))

    async def unfinished(self, updated_before: datetime) -> list[TranscriptNotes]:
        t = tb.transcript_notes
        stmt = (
            select(t)
            .where(t.c.status.in_([NotesStatus.PENDING.value, NotesStatus.RUNNING.value]))
            .where(t.c.updated_at < updated_before)
            .order_by(t.c.updated_at, t.c.transcript_id)
        )
        return [notes_from(row) for row in (await self._conn.execute(stmt)).mappings()]
