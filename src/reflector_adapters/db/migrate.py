"""Schema migrations, run in code (no ``alembic.ini``), and the start-up check that they ran."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import URL, Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from reflector_adapters.db.engine import create_engine, display_url
from reflector_adapters.db.errors import DatabaseNotMigratedError

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head() -> str:
    """The revision this code needs."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None, "the migrations directory has no revisions"
    return revision


async def upgrade(url: str | URL, revision: str = "head") -> None:
    await _run(url, lambda config: command.upgrade(config, revision))


async def downgrade(url: str | URL, revision: str) -> None:
    await _run(url, lambda config: command.downgrade(config, revision))


async def current(url: str | URL) -> str | None:
    """The database's revision, ``None`` when it has never been migrated."""
    engine = create_engine(url)
    try:
        return await current_revision(engine)
    finally:
        await engine.dispose()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(_revision_of)


async def ensure_migrated(engine: AsyncEngine) -> None:
    """Refuse to run on a database whose schema is not this code's: ``DatabaseNotMigratedError``."""
    found = await current_revision(engine)
    wanted = head()
    if found == wanted:
        return
    raise DatabaseNotMigratedError(
        display_url(engine.url), found, wanted, newer=found is not None and not _known(found)
    )


def _known(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def _revision_of(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


Operation = Callable[[Config], None]


async def _run(url: str | URL, operation: Operation) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_with_connection, operation)
    finally:
        await engine.dispose()


def _with_connection(connection: Connection, operation: Operation) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    operation(config)
