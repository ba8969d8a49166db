"""``reflector db upgrade|downgrade|current``: manage the database schema."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable

from reflector_core.errors import ConfigurationError

URL_ENV = "REFLECTOR_DATABASE_URL"
DEFAULT_URL = "sqlite+aiosqlite:///./var/reflector.db"


def database_url(explicit: str | None = None) -> str:
    """``--url``, else ``$REFLECTOR_DATABASE_URL``, else the embedded SQLite file under ``./var``."""
    return explicit or os.environ.get(URL_ENV) or DEFAULT_URL


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("db", help="manage the database schema (migrations)")
    actions = parser.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    url_help = f"database URL (default: ${URL_ENV} or {DEFAULT_URL})"

    up = actions.add_parser("upgrade", help="migrate the database to a revision (default: the latest)")
    up.add_argument("revision", nargs="?", default="head")
    up.add_argument("--url", help=url_help)
    up.set_defaults(handler=_upgrade)

    down = actions.add_parser("downgrade", help="migrate the database back to a revision ('base' = empty)")
    down.add_argument("revision")
    down.add_argument("--url", help=url_help)
    down.set_defaults(handler=_downgrade)

    cur = actions.add_parser("current", help="print the database's revision and the one this code needs")
    cur.add_argument("--url", help=url_help)
    cur.set_defaults(handler=_current)


# SQLAlchemy and Alembic are imported inside the handlers so that `reflector --help` stays fast.


def _upgrade(args: argparse.Namespace) -> int:
    from reflector_adapters.db import migrate
    from reflector_adapters.db.engine import display_url

    url = database_url(args.url)

    def run() -> str:
        asyncio.run(migrate.upgrade(url, args.revision))
        return f"{display_url(url)}: upgraded to {args.revision}"

    return _report(run)


def _downgrade(args: argparse.Namespace) -> int:
    from reflector_adapters.db import migrate
    from reflector_adapters.db.engine import display_url

    url = database_url(args.url)

    def run() -> str:
        asyncio.run(migrate.downgrade(url, args.revision))
        return f"{display_url(url)}: downgraded to {args.revision}"

    return _report(run)


def _current(args: argparse.Namespace) -> int:
    from reflector_adapters.db import migrate
    from reflector_adapters.db.engine import display_url

    url = database_url(args.url)

    def run() -> str:
        found = asyncio.run(migrate.current(url))
        return f"{display_url(url)}: revision {found or '(none: not migrated)'}; this code needs {migrate.head()}"

    return _report(run)


def _report(run: Callable[[], str]) -> int:
    try:
        print(run())
    except ConfigurationError as exc:
        print(f"reflector db: {exc}", file=sys.stderr)
        return 2
    return 0
