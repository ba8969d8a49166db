"""One database per backend for the repository contract: SQLite in a temp file, PostgreSQL on the machine.

The repository contract modules also run against the in-memory fakes of ``tests/fakes/memory.py``
(``REPOSITORY_BACKENDS``, as dramatiq runs its stub broker through the broker suite): the use-case
tests rely on those fakes, so they must keep the same promises. Tests that need SQL itself (an
engine, transactions) skip on that backend.

PostgreSQL gets a uniquely named database per test session (migrated once, emptied before each
test) and a fresh one for tests that need an unmigrated database; all are dropped afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from reflector_adapters.db import create_engine, unit_of_work_factory
from reflector_adapters.db.migrate import upgrade
from reflector_adapters.db.tables import metadata
from reflector_core.ports import UnitOfWork
from tests.fakes.memory import MemoryStore, MemoryUnitOfWork
from tests.services import PgServer, require_port

PG = PgServer.from_env()

T = TypeVar("T")

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.services)]
REPOSITORY_BACKENDS = [*BACKENDS, "memory"]
"""For ``pytestmark = pytest.mark.parametrize("backend", REPOSITORY_BACKENDS, indirect=True)``."""


def pg_url(database: str) -> str:
    return PG.url(database)


def run_in_own_loop(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion on a private loop in another thread.

    The session fixture below is first requested from inside a running test loop, where
    ``asyncio.run`` is not allowed; its connections must not outlive their loop either.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


@pytest.fixture(scope="session")
def pg_migrated_url() -> Iterator[str]:
    """A migrated PostgreSQL database for the whole session (sync, so it needs no session event loop)."""
    require_port("PostgreSQL", PG.host, PG.port)
    name = run_in_own_loop(PG.create_database)
    try:
        run_in_own_loop(lambda: upgrade(pg_url(name)))
        yield pg_url(name)
    finally:
        run_in_own_loop(lambda: PG.drop_database(name))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "postgresql":
        require_port("PostgreSQL", PG.host, PG.port)
    return name


@pytest.fixture
async def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database."""
    if backend == "memory":
        pytest.skip("needs SQL: the in-memory fakes have no engine and no transactions")
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'reflector.db'}"
        await upgrade(url)
        return url
    pg: str = request.getfixturevalue("pg_migrated_url")
    engine = create_engine(pg)
    try:
        async with engine.begin() as conn:
            names = ", ".join(t.name for t in metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()
    return pg


@pytest.fixture
async def fresh_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database that has never been migrated."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh' / 'reflector.db'}"
        return
    name = await PG.create_database()
    try:
        yield pg_url(name)
    finally:
        await PG.drop_database(name)


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def uow(backend: str, request: pytest.FixtureRequest) -> Callable[[], UnitOfWork]:
    if backend == "memory":
        store = MemoryStore()
        return lambda: MemoryUnitOfWork(store)
    engine: AsyncEngine = request.getfixturevalue("engine")
    return unit_of_work_factory(engine)
