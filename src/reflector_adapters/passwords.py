"""``Argon2Hasher``: the ``PasswordHasher`` port over argon2-cffi (Argon2id, the library's tuned defaults)."""

from __future__ import annotations

from argon2 import PasswordHasher as _Argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2Hasher:
    def __init__(self, hasher: _Argon2 | None = None) -> None:
        self._hasher = hasher or _Argon2()

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    @classmethod
    def fast_for_tests(cls) -> Argon2Hasher:
        """Minimal cost parameters: still Argon2id, but milliseconds instead of a deliberate ~50 ms."""
        return cls(_Argon2(time_cost=1, memory_cost=8, parallelism=1))
