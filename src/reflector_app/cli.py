"""``reflector``: the command line. Each sub-command parses its arguments and calls the composition root."""

from __future__ import annotations

import argparse
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0 if args.command is None else 2
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
