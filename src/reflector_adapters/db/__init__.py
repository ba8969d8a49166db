"""Persistence over SQLAlchemy Core: PostgreSQL (asyncpg) in production, SQLite (aiosqlite) embedded.

The composition root does::

    engine = create_engine(url)              # sqlite+aiosqlite:///… or postgresql+asyncpg://…
    await ensure_migrated(engine)            # DatabaseNotMigratedError: run `reflector db upgrade`
    unit_of_work = unit_of_work_factory(engine)
    async with unit_of_work() as uow:
        ...
        await uow.commit()
"""

from reflector_adapters.db.engine import create_engine
from reflector_adapters.db.errors import DatabaseNotMigratedError
from reflector_adapters.db.migrate import ensure_migrated
from reflector_adapters.db.unit_of_work import SqlUnitOfWork, unit_of_work_factory

__all__ = ["DatabaseNotMigratedError", "SqlUnitOfWork", "create_engine", "ensure_migrated", "unit_of_work_factory"]
