"""Abuse over a real socket: uvicorn on 127.0.0.1 in front of the app (memory adapters, real verifiers).

What the in-process test client cannot send: streamed bodies without a Content-Length, a Content-Length
that lies, and raw request lines with ``..`` or NUL bytes that no HTTP client library would produce.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn

from tests.api.conftest import MAX_BODY, World, make_app
from tests.api.test_abuse import DAILY_SECRET, DAILY_URL, daily_event, now, real_world
from tests.fakes.signing import daily_headers


@pytest.fixture
async def served() -> AsyncIterator[tuple[World, str]]:
    world = real_world()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(make_app(world), log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(1000):  # uvicorn offers no start event; bounded at 10 s
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    assert server.started, "uvicorn did not start"
    try:
        yield world, f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        sock.close()


async def _raw(base: str, request: bytes) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(request)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(65536), 10)
    writer.close()
    return answer


async def test_a_streamed_body_over_the_limit_is_413(served: tuple[World, str]) -> None:
    world, base = served

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(8):
            yield b" " * MAX_BODY

    async with httpx.AsyncClient(base_url=base, headers=world.auth) as client:
        body = daily_event()
        headers = daily_headers(DAILY_SECRET, now(world), body)
        r = await client.post(DAILY_URL, content=chunks(), headers=headers)
        assert r.status_code == 413
        r = await client.post("/v1/rooms", content=chunks(), headers={"Content-Type": "application/json"})
        assert r.status_code == 413
    assert world.store.rooms == {}
    assert world.queue.jobs == []


async def test_a_lying_content_length_is_413_without_reading(served: tuple[World, str]) -> None:
    _, base = served
    answer = await _raw(
        base,
        b"POST /v1/daily/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {MAX_BODY * 1000}\r\n\r\n".encode()
        + b"{}",
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


@pytest.mark.parametrize(
    "target",
    [
        b"/v1/transcripts/../../../etc/passwd",
        b"/v1/transcripts/..%2F..%2F..%2Fetc%2Fpasswd/audio.mp3",
        b"/v1/rooms/%00",
        b"/v1/transcripts/a%00b/waveform",
        b"/v1/meetings/%2e%2e/participants",
        b"/../../etc/passwd",
    ],
)
async def test_raw_traversal_request_lines_never_escape(served: tuple[World, str], target: bytes) -> None:
    world, base = served
    answer = await _raw(
        base,
        b"GET "
        + target
        + b" HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
        + world.key.encode()
        + b"\r\nConnection: close\r\n\r\n",
    )
    status = int(answer.split(b" ", 2)[1])
    assert 400 <= status < 500, answer[:300]
    assert b"root:" not in answer


async def test_replay_over_http_is_recorded_once(served: tuple[World, str]) -> None:
    world, base = served
    body = daily_event("evt-replayed")
    headers = daily_headers(DAILY_SECRET, now(world), body)
    async with httpx.AsyncClient(base_url=base) as client:
        replies = await asyncio.gather(*(client.post(DAILY_URL, content=body, headers=headers) for _ in range(10)))
    assert sorted(r.json()["status"] for r in replies) == ["accepted"] + ["duplicate"] * 9
    assert len(world.queue.jobs) == 1
