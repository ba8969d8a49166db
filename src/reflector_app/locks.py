"""Named mutual exclusion: one holder per key, in this process or across every process sharing Redis.

Used where a read-then-create must not run twice at once (a room's meeting creation). The in-process
registry serialises callers of one process; with Redis configured the Redis lock extends that to
every API process, and the local lock in front of it keeps one waiter per process on Redis.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol, runtime_checkable

import redis.asyncio as aioredis
from redis.exceptions import LockError, RedisError

log = logging.getLogger(__name__)

DEFAULT_WAIT = 15.0
"""Seconds a caller waits for the lock: longer than one platform call (10 s timeout) takes."""
DEFAULT_TTL = 30.0
"""Seconds after which Redis frees the lock of a holder that died."""


class LockUnavailableError(Exception):
    """The lock could not be taken in time, or the lock service is unreachable (HTTP 503)."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"lock {key!r}: {reason}")
        self.key = key
        self.reason = reason


@runtime_checkable  # Litestar checks the type of every injected dependency
class Locks(Protocol):
    def hold(self, key: str) -> AbstractAsyncContextManager[None]:
        """Hold the lock named ``key`` for the duration of the ``async with`` block."""
        ...


class LocalLocks:
    """An ``asyncio.Lock`` per key; a key's lock is dropped when nobody holds or awaits it."""

    def __init__(self, *, wait: float = DEFAULT_WAIT) -> None:
        self._wait = wait
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            try:
                async with asyncio.timeout(self._wait):
                    await lock.acquire()
            except TimeoutError:
                raise LockUnavailableError(key, f"still held after {self._wait:g} s") from None
            try:
                yield
            finally:
                lock.release()
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:
                del self._users[key]
                del self._locks[key]


class RedisLocks:
    """A Redis lock per key (``SET NX PX`` with a token), behind a local lock per key."""

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        prefix: str = "reflector:lock:",
        wait: float = DEFAULT_WAIT,
        ttl: float = DEFAULT_TTL,
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._wait = wait
        self._ttl = ttl
        self._local = LocalLocks(wait=wait)

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        async with self._local.hold(key):
            lock = self._client.lock(self._prefix + key, timeout=self._ttl, blocking_timeout=self._wait)
            try:
                acquired = await lock.acquire()
            except RedisError as exc:
                raise LockUnavailableError(key, f"Redis: {exc}") from exc
            if not acquired:
                raise LockUnavailableError(key, f"still held elsewhere after {self._wait:g} s")
            try:
                yield
            finally:
                try:
                    await lock.release()
                except (LockError, RedisError) as exc:
                    # The TTL ran out (the work outlived it) or Redis went away: it frees itself.
                    log.warning("lock %s not released cleanly: %s", key, exc)


def locks_for(client: aioredis.Redis | None) -> Locks:
    """Redis locks over the deployment's one Redis client (the composition root owns it), else in-process ones."""
    return LocalLocks() if client is None else RedisLocks(client)
