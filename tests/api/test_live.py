"""The live status stream: one event per change, ending on a terminal status."""

from __future__ import annotations

import asyncio
import json

import attrs
import httpx

from reflector_app.http import create_app
from reflector_app.http.live import LiveOptions
from reflector_app.locks import LocalLocks
from reflector_core.model import TranscriptStatus
from reflector_core.ports import UnitOfWork
from reflector_core.usecases.api_keys import revoke_api_key

from .conftest import OWNER, World, add_key, add_transcript, bearer, make_app


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
            # Long enough for the stream to see each status even on a loaded machine (CI shares cores).
            await asyncio.sleep(0.25)
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


async def test_revoking_the_key_closes_its_open_stream(world: World) -> None:
    # The transcript never finishes: without the key check the stream would run for its 3 hours.
    t = add_transcript(world, status=TranscriptStatus.PROCESSING)
    other = add_transcript(world, status=TranscriptStatus.PROCESSING)
    app = create_app(
        world.container,
        locks=LocalLocks(wait=5),
        live_options=LiveOptions(poll_seconds=0.01, key_check_seconds=0.05),
    )
    second_key = add_key(world.store, OWNER)
    events: list[str] = []

    async def watch(client: httpx.AsyncClient, transcript_id: str, key: str) -> str:
        async with client.stream("GET", f"/v1/transcripts/{transcript_id}/events", headers=bearer(key)) as r:
            assert r.status_code == 200
            body = ""
            async for chunk in r.aiter_text():
                body += chunk
                events.append(transcript_id)
            return body

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        revoked = asyncio.create_task(watch(client, t.id or "", world.key))
        kept = asyncio.create_task(watch(client, other.id or "", second_key))
        for _ in range(500):  # both streams open and past their first key check
            if len(events) >= 2:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)
        assert not revoked.done(), "the stream ended before the key was revoked"
        await revoke_api_key(world.key, unit_of_work=world.uow)
        body = await asyncio.wait_for(revoked, timeout=5)
        assert not kept.done(), "another key's stream is not affected"
        kept.cancel()
        reconnect = await client.get(f"/v1/transcripts/{t.id}/events", headers=bearer(world.key))
    assert [e for e, _ in _events(body)] == ["status", "unauthorized"]
    assert reconnect.status_code == 401
