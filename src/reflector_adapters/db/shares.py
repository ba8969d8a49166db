"""Who may read a transcript besides its owner (``ShareRepository``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from reflector_adapters.db import tables as tb
from reflector_adapters.db.repositories import _execute_guarded, _insert
from reflector_core.errors import NotFoundError


class SqlShares:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def set_link(self, transcript_id: str, token_hash: str, created_at: datetime) -> None:
        t = tb.transcript_share_link
        stmt = _insert(self._conn, t).values(transcript_id=transcript_id, token_hash=token_hash, created_at=created_at)
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.transcript_id],
            set_={"token_hash": stmt.excluded.token_hash, "created_at": stmt.excluded.created_at},
        )
        await _execute_guarded(self._conn, stmt, lambda: NotFoundError("transcript", transcript_id))

    async def drop_link(self, transcript_id: str) -> bool:
        t = tb.transcript_share_link
        return bool((await self._conn.execute(delete(t).where(t.c.transcript_id == transcript_id))).rowcount)

    async def link_created(self, transcript_id: str) -> datetime | None:
        t = tb.transcript_share_link
        found: datetime | None = await self._conn.scalar(
            select(t.c.created_at).where(t.c.transcript_id == transcript_id)
        )
        return found

    async def by_link(self, token_hash: str) -> str | None:
        t = tb.transcript_share_link
        found: str | None = await self._conn.scalar(select(t.c.transcript_id).where(t.c.token_hash == token_hash))
        return found

    async def add_user(self, transcript_id: str, username: str, created_at: datetime) -> None:
        t = tb.transcript_share_user
        stmt = (
            _insert(self._conn, t)
            .values(transcript_id=transcript_id, username=username, created_at=created_at)
            .on_conflict_do_nothing(index_elements=[t.c.transcript_id, t.c.username])
        )
        await _execute_guarded(self._conn, stmt, lambda: NotFoundError("transcript", transcript_id))

    async def drop_user(self, transcript_id: str, username: str) -> bool:
        t = tb.transcript_share_user
        stmt = delete(t).where(t.c.transcript_id == transcript_id, t.c.username == username)
        return bool((await self._conn.execute(stmt)).rowcount)

    async def users(self, transcript_id: str) -> list[str]:
        t = tb.transcript_share_user
        stmt = select(t.c.username).where(t.c.transcript_id == transcript_id).order_by(t.c.username)
        return list((await self._conn.scalars(stmt)).all())

    async def shared_with(self, transcript_id: str, username: str) -> bool:
        t = tb.transcript_share_user
        stmt = select(t.c.username).where(t.c.transcript_id == transcript_id, t.c.username == username)
        return await self._conn.scalar(stmt) is not None
