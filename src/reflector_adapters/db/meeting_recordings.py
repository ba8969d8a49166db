"""``SqlMeetingRecordings``: the per-meeting recording-start record (``MeetingRecordingRepository``).

The claim is an ``INSERT … ON CONFLICT DO NOTHING`` and every later move a conditional ``UPDATE``
whose ``WHERE`` names the states it may leave, so of any number of concurrent callers (join
webhooks, presence polls, API processes) exactly one wins each step.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from reflector_adapters.db import tables as tb
from reflector_adapters.db.repositories import _execute_guarded, _insert
from reflector_core.errors import NotFoundError
from reflector_core.model import MeetingRecording, RecordingState


def _from(row: RowMapping) -> MeetingRecording:
    return MeetingRecording(
        meeting_id=row["meeting_id"],
        state=RecordingState(row["state"]),
        requested_by=row["requested_by"],
        requested_at=row["requested_at"],
        started_at=row["started_at"],
        attempts=row["attempts"],
        error=row["error"],
        updated_at=row["updated_at"],
    )


class SqlMeetingRecordings:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, meeting_id: str) -> MeetingRecording | None:
        row = (
            (
                await self._conn.execute(
                    select(tb.meeting_recording).where(tb.meeting_recording.c.meeting_id == meeting_id)
                )
            )
            .mappings()
            .first()
        )
        return _from(row) if row else None

    async def request(
        self, meeting_id: str, at: datetime, *, by: str, again_from: frozenset[RecordingState] = frozenset()
    ) -> bool:
        c = tb.meeting_recording.c
        stmt = (
            _insert(self._conn, tb.meeting_recording)
            .values(
                meeting_id=meeting_id,
                state=RecordingState.REQUESTED.value,
                requested_by=by,
                requested_at=at,
                attempts=0,
                updated_at=at,
            )
            .on_conflict_do_nothing(index_elements=[c.meeting_id])
        )
        result = await _execute_guarded(self._conn, stmt, lambda: NotFoundError("meeting", meeting_id))
        if result.rowcount == 1:
            return True
        if not again_from:
            return False
        again = (
            update(tb.meeting_recording)
            .where(c.meeting_id == meeting_id, c.state.in_(sorted(s.value for s in again_from)))
            .values(
                state=RecordingState.REQUESTED.value,
                requested_by=by,
                requested_at=at,
                attempts=0,
                error=None,
                updated_at=at,
            )
        )
        return (await self._conn.execute(again)).rowcount == 1

    async def transition(
        self,
        meeting_id: str,
        to: RecordingState,
        *,
        sources: frozenset[RecordingState],
        at: datetime,
        error: str | None = None,
        failed_attempt: bool = False,
    ) -> bool:
        c = tb.meeting_recording.c
        values: dict[str, Any] = {"state": to.value, "error": error, "updated_at": at}
        if to is RecordingState.STARTED:
            values["started_at"] = at
        if failed_attempt:
            values["attempts"] = c.attempts + 1
        stmt = (
            update(tb.meeting_recording)
            .where(c.meeting_id == meeting_id, c.state.in_(sorted(s.value for s in sources)))
            .values(values)
        )
        return (await self._conn.execute(stmt)).rowcount == 1

    async def for_meetings(self, meeting_ids: Sequence[str]) -> dict[str, MeetingRecording]:
        if not meeting_ids:
            return {}
        c = tb.meeting_recording.c
        stmt = select(tb.meeting_recording).where(or_(c.meeting_id.in_(list(meeting_ids))))
        return {r.meeting_id: r for r in (_from(row) for row in (await self._conn.execute(stmt)).mappings())}
