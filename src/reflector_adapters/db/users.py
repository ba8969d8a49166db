"""``SqlUsers``: the people who sign in to the web pages (table ``app_user``)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from reflector_adapters.db import tables as tb
from reflector_adapters.db.repositories import _insert
from reflector_core.errors import ConflictError
from reflector_core.users import User


class SqlUsers:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, user: User) -> User:
        user_id = str(uuid.uuid4())
        stmt = (
            _insert(self._conn, tb.app_user)
            .values(id=user_id, username=user.username, password_hash=user.password_hash, created_at=user.created_at)
            .on_conflict_do_nothing()
        )
        if (await self._conn.execute(stmt)).rowcount != 1:
            raise ConflictError(f"username taken: {user.username}")
        return User(username=user.username, password_hash=user.password_hash, created_at=user.created_at, id=user_id)

    async def get(self, username: str) -> User | None:
        t = tb.app_user
        row = (await self._conn.execute(select(t).where(t.c.username == username))).one_or_none()
        if row is None:
            return None
        return User(username=row.username, password_hash=row.password_hash, created_at=row.created_at, id=row.id)
