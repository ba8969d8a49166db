"""``reflector apikey create --owner NAME`` and ``reflector apikey revoke KEY_ID``.

The database is the one ``reflector db`` uses (``--url``, else ``$REFLECTOR_DATABASE_URL``, else the
embedded SQLite file). ``create`` prints the key alone on stdout, once, so it can be captured by a
script; the database keeps only its id and hash, so a lost key cannot be shown again, only replaced.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from reflector_app.commands.db import DEFAULT_URL, URL_ENV, database_url
from reflector_core.errors import ConfigurationError, InvalidInputError, NotFoundError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("apikey", help="create and revoke API keys")
    actions = parser.add_subparsers(dest="apikey_action", metavar="ACTION", required=True)
    url_help = f"database URL (default: ${URL_ENV} or {DEFAULT_URL})"

    create = actions.add_parser("create", help="create a key for an owner and print it (shown only this once)")
    create.add_argument("--owner", required=True, help="who the key acts as: it sees only this owner's rooms")
    create.add_argument("--url", help=url_help)
    create.set_defaults(handler=_create)

    revoke = actions.add_parser("revoke", help="revoke a key at once (by its id, the 12 hex characters after rk_)")
    revoke.add_argument("key_id")
    revoke.add_argument("--url", help=url_help)
    revoke.set_defaults(handler=_revoke)


async def _with_database(url: str, action: str, value: str) -> str:
    # Imported here so that `reflector --help` does not load SQLAlchemy.
    from reflector_adapters.clock import SYSTEM_CLOCK
    from reflector_adapters.db import create_engine, unit_of_work_factory
    from reflector_adapters.db.migrate import ensure_migrated
    from reflector_core.usecases.api_keys import create_api_key, revoke_api_key

    engine = create_engine(url)
    try:
        await ensure_migrated(engine)
        uow = unit_of_work_factory(engine)
        if action == "create":
            key = await create_api_key(value, unit_of_work=uow, clock=SYSTEM_CLOCK)
            print(f"created API key {key.key_id} for {value.strip()!r}; it is shown only now:", file=sys.stderr)
            return key.plaintext
        key_id = await revoke_api_key(value, unit_of_work=uow)
        return f"revoked API key {key_id}"
    finally:
        await engine.dispose()


def _run(args: argparse.Namespace, action: str, value: str) -> int:
    try:
        print(asyncio.run(_with_database(database_url(args.url), action, value)))
    except ConfigurationError as exc:
        print(f"reflector apikey: {exc}", file=sys.stderr)
        return 2
    except (InvalidInputError, NotFoundError) as exc:
        print(f"reflector apikey {action}: {exc}", file=sys.stderr)
        return 1
    return 0


def _create(args: argparse.Namespace) -> int:
    return _run(args, "create", args.owner)


def _revoke(args: argparse.Namespace) -> int:
    return _run(args, "revoke", args.key_id)
