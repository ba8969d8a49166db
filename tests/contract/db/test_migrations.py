"""Migrations: up, down and up again on both backends; the schema they build is the one the code queries."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from reflector_adapters.db import DatabaseNotMigratedError, create_engine, ensure_migrated
from reflector_adapters.db.migrate import current, downgrade, head, upgrade
from reflector_adapters.db.tables import metadata

FTS = "transcript_segment_fts"
MIGRATION_ONLY = (FTS, "ix_transcript_segment_tsv")
"""The text-search indexes: SQLite's FTS5 tables, PostgreSQL's expression index; made by the migration only."""


def _drift(connection: Connection) -> list[object]:
    diffs = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)
    return [
        d
        for d in diffs
        if not (
            isinstance(d, tuple) and d[0] in ("remove_table", "remove_index") and d[1].name.startswith(MIGRATION_ONLY)
        )
    ]


def _tables(connection: Connection) -> set[str]:
    return {t for t in inspect(connection).get_table_names() if not t.startswith(FTS)} - {"alembic_version"}


async def test_upgrade_downgrade_upgrade(fresh_url: str) -> None:
    assert await current(fresh_url) is None
    await upgrade(fresh_url)
    assert await current(fresh_url) == head()
    engine = create_engine(fresh_url)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_tables) == set(metadata.tables)
            assert await conn.run_sync(_drift) == []
        await downgrade(fresh_url, "base")
        assert await current(fresh_url) is None
        async with engine.connect() as conn:
            assert await conn.run_sync(_tables) == set()
        await upgrade(fresh_url)
        assert await current(fresh_url) == head()
        await upgrade(fresh_url)  # already at head: nothing to do, no error
        await ensure_migrated(engine)
    finally:
        await engine.dispose()


async def test_an_unmigrated_database_is_refused_with_the_command_to_run(fresh_url: str) -> None:
    engine = create_engine(fresh_url)
    try:
        with pytest.raises(DatabaseNotMigratedError) as info:
            await ensure_migrated(engine)
    finally:
        await engine.dispose()
    message = str(info.value)
    assert "reflector db upgrade" in message and "no Reflector schema" in message
    assert info.value.current is None and info.value.expected == head()


async def test_a_database_from_a_newer_release_is_refused(fresh_url: str) -> None:
    await upgrade(fresh_url)
    engine = create_engine(fresh_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = 'from_the_future'"))
        with pytest.raises(DatabaseNotMigratedError, match="newer Reflector") as info:
            await ensure_migrated(engine)
        assert info.value.current == "from_the_future"
    finally:
        await engine.dispose()


async def test_the_message_hides_the_password() -> None:
    engine = create_engine("postgresql+asyncpg://reflector:hunter2@127.0.0.1:1/none")
    try:
        error = DatabaseNotMigratedError("postgresql+asyncpg://reflector:***@127.0.0.1:1/none", None, head())
        assert "hunter2" not in str(error)
        from reflector_adapters.db.engine import display_url

        assert "hunter2" not in display_url(engine.url)
    finally:
        await engine.dispose()
