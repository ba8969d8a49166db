"""Slow-loris clients over a real socket: uvicorn on 127.0.0.1 with the deadlines ``reflector serve`` uses
(shortened), a raw socket trickling its request one byte at a time."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator

import attrs
import pytest
import uvicorn

from reflector_app.http.slow_clients import uvicorn_options

from .conftest import World, make_app, make_world

DEADLINE = 0.5
TRICKLE = 0.05
"""One byte every 50 ms: the connection is never idle, so only a deadline (not an idle timeout) ends it."""


@pytest.fixture
async def served() -> AsyncIterator[tuple[World, int]]:
    world = make_world()
    world.container.settings = attrs.evolve(
        world.container.settings,
        http=attrs.evolve(world.container.settings.http, request_read_timeout_seconds=DEADLINE),
    )
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(make_app(world), log_level="warning", lifespan="on", **uvicorn_options(DEADLINE))
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(1000):  # uvicorn offers no start event; bounded at 10 s
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    assert server.started, "uvicorn did not start"
    try:
        yield world, port
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        sock.close()


async def _trickle(port: int, head: bytes, trickled: bytes, *, limit: float = 5.0) -> tuple[bytes, float]:
    """Send ``head`` at once, then ``trickled`` a byte at a time until the server answers or closes;
    returns what the server sent and how long the connection lasted."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    writer.write(head)
    await writer.drain()

    async def dribble() -> None:
        for byte in trickled:
            writer.write(bytes([byte]))
            try:
                await writer.drain()
            except ConnectionError:
                return
            await asyncio.sleep(TRICKLE)

    sender = asyncio.create_task(dribble())
    try:
        answer = await asyncio.wait_for(reader.read(), limit)  # until the server closes
    except TimeoutError:
        pytest.fail(f"the server still held the connection after {limit} s")
    finally:
        sender.cancel()
        writer.close()
    return answer, time.monotonic() - started


async def test_headers_sent_a_byte_at_a_time_are_cut_off(served: tuple[World, int]) -> None:
    _, port = served
    request = b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 200 + b"\r\n\r\n"
    answer, lasted = await _trickle(port, b"", request)
    assert answer == b"", "no request was complete, so nothing is answered"
    assert lasted < DEADLINE + 2, lasted


async def test_a_body_sent_a_byte_at_a_time_gets_408_and_the_connection_closes(served: tuple[World, int]) -> None:
    world, port = served
    body = b'{"name": "standup", "platform": "daily"}' + b" " * 200
    head = (
        b"POST /v1/rooms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {world.key}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    )
    answer, lasted = await _trickle(port, head, body)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:300]
    assert b"connection: close" in answer.lower()
    assert b"request body not received" in answer
    assert lasted < DEADLINE + 2, lasted
    assert world.store.rooms == {}


async def test_a_prompt_client_on_the_same_server_is_served(served: tuple[World, int]) -> None:
    world, port = served
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    body = b'{"name": "standup", "platform": "daily"}'
    writer.write(
        b"POST /v1/rooms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {world.key}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    line = await asyncio.wait_for(reader.readline(), 5)
    writer.close()
    assert line.startswith(b"HTTP/1.1 201"), line
    # An idle keep-alive connection ends too (uvicorn's keep-alive timeout, or the header deadline).
    assert "standup" in world.store.rooms
