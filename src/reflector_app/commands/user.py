"""``reflector user create NAME``: a person who signs in to the web pages as owner ``NAME``.

The password is prompted for (twice) on a terminal; otherwise it is the first line of standard input,
so scripts can pipe it in (``printf '%s\\n' "$PW" | reflector user create ana``). The database is the
one ``reflector db`` uses.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from reflector_app.commands.db import DEFAULT_URL, URL_ENV, database_url
from reflector_core.errors import ConfigurationError, ConflictError, InvalidInputError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("user", help="create people who sign in to the web pages")
    actions = parser.add_subparsers(dest="user_action", metavar="ACTION", required=True)
    create = actions.add_parser(
        "create", help="create a user (password prompted, or read from stdin when it is not a terminal)"
    )
    create.add_argument("name", help="the username; also the owner name their rooms and API keys carry")
    create.add_argument("--url", help=f"database URL (default: ${URL_ENV} or {DEFAULT_URL})")
    create.set_defaults(handler=_create)


def read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise InvalidInputError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


async def _create_user(url: str, name: str, password: str) -> str:
    # Imported here so that `reflector --help` does not load SQLAlchemy or argon2.
    from reflector_adapters.clock import SYSTEM_CLOCK
    from reflector_adapters.db import create_engine, unit_of_work_factory
    from reflector_adapters.db.migrate import ensure_migrated
    from reflector_adapters.passwords import Argon2Hasher
    from reflector_core.usecases.accounts import create_user

    engine = create_engine(url)
    try:
        await ensure_migrated(engine)
        user = await create_user(
            name, password, unit_of_work=unit_of_work_factory(engine), hasher=Argon2Hasher(), clock=SYSTEM_CLOCK
        )
        return f"created user {user.username!r}"
    finally:
        await engine.dispose()


def _create(args: argparse.Namespace) -> int:
    try:
        password = read_password()
        print(asyncio.run(_create_user(database_url(args.url), args.name, password)))
    except ConfigurationError as exc:
        print(f"reflector user: {exc}", file=sys.stderr)
        return 2
    except (InvalidInputError, ConflictError) as exc:
        print(f"reflector user create: {exc}", file=sys.stderr)
        return 1
    return 0
