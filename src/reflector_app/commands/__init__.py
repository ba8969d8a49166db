"""Sub-commands of ``reflector``; each module has ``register(subparsers)`` and sets ``handler``."""

from __future__ import annotations

import argparse
from collections.abc import Callable

Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def registry() -> list[Register]:
    """Every sub-command, in the order ``--help`` lists them."""
    from reflector_app.commands import apikey, db, inspect, notes, process, service, user

    registers: list[Register] = [
        process.register,
        notes.register,
        inspect.register,
        service.register,
        db.register,
        apikey.register,
    ]
    registers.append(user.register)
    return registers
