"""The live status stream carries the stage and progress the worker reports."""

from __future__ import annotations

import json

from litestar.testing import AsyncTestClient

from reflector_adapters.progress import MemoryProgressBoard
from reflector_app.http import create_app
from reflector_app.http.live import LiveOptions
from reflector_app.locks import LocalLocks
from reflector_core.model import TranscriptStatus
from tests.api.conftest import World, add_transcript


async def test_events_carry_stage_and_progress(world: World) -> None:
    board = MemoryProgressBoard()
    t = add_transcript(world, status=TranscriptStatus.PROCESSING)
    board.report(t.id or "", "transcribe", 0.634)
    app = create_app(
        world.container,
        locks=LocalLocks(wait=5),
        live_options=LiveOptions(poll_seconds=0.01, max_seconds=0.2, progress=board),
    )
    async with AsyncTestClient(app=app) as c:
        body = (await c.get(f"/v1/transcripts/{t.id}/events", headers=world.auth)).text
    first = json.loads(body.split("data: ", 1)[1].split("\n", 1)[0])
    assert (first["status"], first["stage"], first["progress"]) == ("processing", "transcribe", 0.63)


async def test_redis_board_round_trips(world: World) -> None:
    import os

    import pytest
    import redis

    from reflector_adapters.progress import RedisProgressBoard

    url = f"redis://127.0.0.1:6379/{os.environ.get('REFLECTOR_TEST_REDIS_DB', '13')}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    board = RedisProgressBoard(url)
    try:
        board.report("tr-x", "mixdown", 0.5)
        found = await board.current("tr-x")
        assert found is not None and (found.stage, found.fraction) == ("mixdown", 0.5)
        assert await board.current("tr-none") is None
    finally:
        await board.aclose()
