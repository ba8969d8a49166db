"""What signing in needs: a slow, salted password hash."""

from __future__ import annotations

from typing import Protocol


class PasswordHasher(Protocol):
    """A slow, salted password hash (argon2) as one self-describing string."""

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool:
        """``False`` for a wrong password or a hash this hasher cannot read; never raises for those."""
        ...
