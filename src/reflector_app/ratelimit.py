"""Fixed-window rate limits for the public routes (participant consent, entering a room).

A key (``consent:token:…``, ``consent:addr:…``) may be hit ``limit`` times per ``window`` seconds.
In-process counters serve one API process (embedded mode); with Redis configured, ``INCR`` + ``EXPIRE``
share the counts across every API process. A Redis outage fails open (logged): the limits protect the
platform and the database from floods, and refusing every participant because Redis is down would
turn a partial outage into a full one.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

import redis.asyncio as aioredis
from attrs import frozen
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


@frozen
class Limit:
    limit: int
    window: float
    """Seconds."""


@frozen
class Verdict:
    allowed: bool
    retry_after: int
    """Seconds until the window resets (0 when allowed)."""


@runtime_checkable  # Litestar checks the type of every injected dependency
class RateLimiter(Protocol):
    async def hit(self, key: str, limit: Limit) -> Verdict: ...


class LocalRateLimiter:
    def __init__(self, *, now: Callable[[], float] = time.monotonic, max_keys: int = 100_000) -> None:
        self._now = now
        self._max_keys = max_keys
        self._windows: dict[str, tuple[float, int]] = {}

    async def hit(self, key: str, limit: Limit) -> Verdict:
        now = self._now()
        start, count = self._windows.get(key, (now, 0))
        if now - start >= limit.window:
            start, count = now, 0
        count += 1
        if len(self._windows) >= self._max_keys and key not in self._windows:
            self._prune(now, limit.window)
        self._windows[key] = (start, count)
        if count <= limit.limit:
            return Verdict(True, 0)
        return Verdict(False, max(1, math.ceil(start + limit.window - now)))

    def _prune(self, now: float, window: float) -> None:
        # A flood of distinct keys (addresses, forged tokens) must not grow memory without bound.
        self._windows = {k: v for k, v in self._windows.items() if now - v[0] < window}
        if len(self._windows) >= self._max_keys:
            self._windows.clear()


class RedisRateLimiter:
    def __init__(self, client: aioredis.Redis, *, prefix: str = "reflector:rate:") -> None:
        self._client = client
        self._prefix = prefix

    async def hit(self, key: str, limit: Limit) -> Verdict:
        name = self._prefix + key
        try:
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.expire(name, math.ceil(limit.window), nx=True)
                pipe.ttl(name)
                count, _, ttl = await pipe.execute()
        except RedisError as exc:
            log.warning("rate limit %s not checked (Redis: %s); allowing", key, exc)
            return Verdict(True, 0)
        if int(count) <= limit.limit:
            return Verdict(True, 0)
        return Verdict(False, max(1, int(ttl)))


def rate_limiter_for(client: aioredis.Redis | None) -> RateLimiter:
    """A Redis limiter over the deployment's one Redis client (the composition root owns it), else in-process."""
    return LocalRateLimiter() if client is None else RedisRateLimiter(client)
