"""Alembic environment: runs on the connection ``reflector_adapters.db.migrate`` hands over.

There is no ``alembic.ini``: ``migrate.py`` builds the configuration in code, so migrations work
from an installed package. Use ``reflector db upgrade`` rather than the ``alembic`` command.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from reflector_adapters.db.tables import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through reflector_adapters.db.migrate (`reflector db upgrade`)")
_run(connection)
