"""``reflector``: the command line. Each sub-command parses its arguments and calls the composition root."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reflector",
        description="Turn Daily.co and Whereby meeting recordings into speaker-attributed transcripts.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in _commands():
        register(sub)
    return parser


def _commands() -> list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]]:
    # Each command module exposes ``register(subparsers)``; importing lazily keeps ``--help`` fast.
    from reflector_app.commands import registry

    return registry()


def configure_logging() -> None:
    """One line per record on stderr, time first; ``REFLECTOR_LOG_LEVEL`` (default INFO) filters."""
    level = os.environ.get("REFLECTOR_LOG_LEVEL", "INFO").upper()
    logging.basicConfig(
        level=level if level in logging.getLevelNamesMapping() else "INFO",
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Routine chatter of libraries we call every few seconds.
    for noisy in ("apscheduler", "httpx", "aiobotocore", "botocore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


PRIVATE_UMASK = 0o077
"""Everything Reflector creates (the SQLite database, local buckets, work folders, exports) holds
participants' audio or words: files 0600 and folders 0700, whatever the caller's umask."""


def main(argv: Sequence[str] | None = None) -> int:
    os.umask(PRIVATE_UMASK)
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging()
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0 if args.command is None else 2
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
