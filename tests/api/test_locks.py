"""The per-key locks: in-process always, Redis when it is reachable."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis.asyncio as aioredis

from reflector_app.locks import LocalLocks, LockUnavailableError, RedisLocks, locks_for
from tests.services import require_port


async def _overlap(locks: LocalLocks | RedisLocks, key: str, n: int = 5) -> int:
    inside = 0
    most = 0

    async def worker() -> None:
        nonlocal inside, most
        async with locks.hold(key):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.01)
            inside -= 1

    await asyncio.gather(*(worker() for _ in range(n)))
    return most


async def test_local_locks_serialise_one_key_and_forget_it() -> None:
    locks = LocalLocks()
    assert await _overlap(locks, "a") == 1
    assert len(locks) == 0


async def test_local_locks_do_not_block_other_keys() -> None:
    locks = LocalLocks(wait=0.05)
    async with locks.hold("a"), locks.hold("b"):
        pass


async def test_local_lock_wait_times_out() -> None:
    locks = LocalLocks(wait=0.05)
    async with locks.hold("a"):
        with pytest.raises(LockUnavailableError):
            async with locks.hold("a"):
                pass
    assert len(locks) == 0
    async with locks.hold("a"):  # usable again
        pass


def test_redis_chooses_the_lock() -> None:
    assert isinstance(locks_for(None), LocalLocks)
    assert isinstance(locks_for(aioredis.Redis.from_url("redis://127.0.0.1:6379/0")), RedisLocks)


@pytest.mark.services
async def test_redis_locks_serialise_across_instances() -> None:
    require_port("Redis", "127.0.0.1", 6379)
    a_client = aioredis.Redis.from_url("redis://127.0.0.1:6379/0")
    b_client = aioredis.Redis.from_url("redis://127.0.0.1:6379/0")
    key = f"test-{uuid.uuid4()}"
    try:
        # Two instances stand for two API processes: only Redis connects them.
        a, b = RedisLocks(a_client, wait=2), RedisLocks(b_client, wait=0.1)
        async with a.hold(key):
            with pytest.raises(LockUnavailableError):
                async with b.hold(key):
                    pass
        async with b.hold(key):
            pass
        assert await _overlap(a, key) == 1
    finally:
        await a_client.aclose()
        await b_client.aclose()


async def test_unreachable_redis_is_lock_unavailable() -> None:
    client = aioredis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    try:
        with pytest.raises(LockUnavailableError):
            async with RedisLocks(client, wait=0.2).hold("x"):
                pass
    finally:
        await client.aclose()
