"""Building the async engine: PostgreSQL (asyncpg) in production, SQLite (aiosqlite) embedded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from reflector_core.errors import ConfigurationError

SQLITE_BUSY_TIMEOUT_MS = 30_000
SUPPORTED = ("sqlite+aiosqlite:///path/to/file.db", "postgresql+asyncpg://user:password@host:5432/database")


def parse_url(url: str | URL) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigurationError(f"invalid database URL {url!r}; expected one of {', '.join(SUPPORTED)}") from exc
    if parsed.drivername not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
        raise ConfigurationError(
            f"unsupported database URL scheme {parsed.drivername!r}; expected one of {', '.join(SUPPORTED)}"
        )
    if parsed.drivername == "sqlite+aiosqlite" and (not parsed.database or parsed.database == ":memory:"):
        # An in-memory database is private to one connection, and each unit of work has its own.
        raise ConfigurationError("SQLite needs a file (sqlite+aiosqlite:///path/to/file.db), not an in-memory database")
    return parsed


def display_url(url: str | URL) -> str:
    """The URL with its password masked, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def create_engine(url: str | URL, *, echo: bool = False) -> AsyncEngine:
    """An engine for ``url``; for SQLite, creates the file's directory and sets up each connection."""
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database is not None
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # One connection per engine: every unit of work is a write transaction (BEGIN IMMEDIATE) and
        # SQLite takes one writer at a time, so more connections only wait in SQLite's busy handler,
        # which sleeps in growing steps (up to 100 ms) and makes the tail slow under bursts; the pool's
        # queue hands the connection on as soon as it is free.
        engine = create_async_engine(
            parsed, echo=echo, pool_size=1, max_overflow=0, pool_timeout=SQLITE_BUSY_TIMEOUT_MS / 1000
        )
        _configure_sqlite(engine)
        return engine
    return create_async_engine(parsed, echo=echo, pool_pre_ping=True)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver, which would BEGIN only before the first
        # write and so let a read-then-write transaction fail with SQLITE_BUSY under concurrency.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # IMMEDIATE takes the write lock up front: concurrent writers queue on busy_timeout instead
        # of failing on lock upgrade, and every unit of work is serializable, like one writer.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
