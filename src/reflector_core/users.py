"""People who sign in to the web pages. A user *is* an owner: the owner name of their rooms and keys.

The rooms, meetings and transcripts an API key of owner ``ana`` sees are exactly what the user ``ana``
sees, because both reach the same use cases with the same owner string.
"""

from __future__ import annotations

from datetime import datetime

from attrs import field, frozen

from reflector_core.errors import InvalidInputError

MIN_PASSWORD = 8
MAX_PASSWORD = 1024
"""Argon2 takes any length, but hashing a megabyte per attempt is a cheap way to burn our CPU."""


@frozen
class User:
    username: str
    password_hash: str = field(repr=False)
    created_at: datetime
    id: str | None = None

    @property
    def owner(self) -> str:
        return self.username


def check_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInputError(f"a password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return password
