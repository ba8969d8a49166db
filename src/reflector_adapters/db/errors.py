"""Errors of the database adapter that the application reports at start-up."""

from __future__ import annotations

from reflector_core.errors import ConfigurationError

UPGRADE_COMMAND = "reflector db upgrade"


class DatabaseNotMigratedError(ConfigurationError):
    """The database schema is not the one this code expects; the message says what to run."""

    def __init__(self, url: str, current: str | None, expected: str, *, newer: bool = False) -> None:
        if newer:
            message = (
                f"database {url} is at revision {current}, which this version of Reflector does not know "
                f"(it needs {expected}): it was migrated by a newer Reflector; run that version, or "
                f"`reflector db downgrade {expected}` with the newer one"
            )
        else:
            state = "has no Reflector schema" if current is None else f"is at revision {current}"
            message = (
                f"database {url} {state}, but Reflector needs revision {expected}: run `{UPGRADE_COMMAND} --url {url}`"
            )
        super().__init__(message)
        self.url = url
        self.current = current
        self.expected = expected
