"""The live status stream: one event per change, ending on a terminal status."""

from __future__ import annotations

import asyncio
import json

import attrs
import httpx

from reflector_core.model import TranscriptStatus
from reflector_core.ports import UnitOfWork

from .conftest import World, add_transcript, make_app


def _events(body: str) -> list[tuple[str, dict[str, object]]]:
    out = []
    for block in body.replace("\r\n", "\n").strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line)
        out.append((fields["event"], json.loads(fields["data"])))
    return out


async def _stream(world: World, transcript_id: str, during: list[tuple[TranscriptStatus, str | None]]) -> str:
    app = make_app(world)

    async def advance() -> None:
        for status, error in during:
            await asyncio.sleep(0.05)
            t = world.store.transcripts[transcript_id]
            world.store.transcripts[transcript_id] = attrs.evolve(t, status=status, error=error)

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test", headers=world.auth
    ) as client:
        mover = asyncio.create_task(advance())
        r = await asyncio.wait_for(client.get(f"/v1/transcripts/{transcript_id}/events"), timeout=5)
        await mover
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    return r.text


async def test_stream_follows_the_status_until_done(world: World) -> None:
    t = add_transcript(world, status=TranscriptStatus.QUEUED)
    body = await _stream(
        world,
        t.id or "",
        [(TranscriptStatus.PROCESSING, None), (TranscriptStatus.PROCESSING, None), (TranscriptStatus.DONE, None)],
    )
    assert [(e, d["status"]) for e, d in _events(body)] == [
        ("status", "queued"),
        ("status", "processing"),
        ("status", "done"),
    ]


async def test_stream_ends_on_failure_with_the_error(world: World) -> None:
    t = add_transcript(world, status=TranscriptStatus.PROCESSING)
    body = await _stream(world, t.id or "", [(TranscriptStatus.FAILED, "no audio")])
    assert _events(body)[-1] == ("status", {"id": t.id, "status": "failed", "error": "no audio"})


async def test_terminal_transcript_gives_one_event(world: World) -> None:
    t = add_transcript(world, status=TranscriptStatus.DONE)
    body = await _stream(world, t.id or "", [])
    assert _events(body) == [("status", {"id": t.id, "status": "done", "error": None})]


async def test_missing_transcript_is_404(world: World) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=make_app(world)), base_url="http://t", headers=world.auth
    ) as client:
        assert (await client.get("/v1/transcripts/nope/events")).status_code == 404


async def test_deleted_while_watching_ends_the_stream(world: World) -> None:
    t = add_transcript(world, status=TranscriptStatus.QUEUED)
    opened = 0
    plain = world.container.unit_of_work

    def counting() -> UnitOfWork:
        nonlocal opened
        opened += 1
        return plain()

    world.container.unit_of_work = counting
    app = make_app(world)

    async def remove() -> None:
        # Delete only once the stream is polling (key check, ownership check, then polls), not before
        # the request has even been authenticated: a fixed sleep raced with a slow machine.
        for _ in range(500):
            if opened >= 4:
                break
            await asyncio.sleep(0.01)
        del world.store.transcripts[t.id or ""]

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test", headers=world.auth
    ) as client:
        task = asyncio.create_task(remove())
        r = await asyncio.wait_for(client.get(f"/v1/transcripts/{t.id}/events"), timeout=5)
        await task
    assert [e for e, _ in _events(r.text)] == ["status", "deleted"]
