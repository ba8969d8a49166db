"""Liveness, readiness, the OpenAPI document and the body size limit."""

from __future__ import annotations

import asyncio

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from reflector_app.http import health as health_module

from .conftest import MAX_BODY, World, make_app


async def test_health_does_no_io(client: AsyncTestClient[Litestar]) -> None:
    r = await client.get("/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


async def test_ready_without_checks_is_ok(client: AsyncTestClient[Litestar]) -> None:
    assert (await client.get("/ready")).status_code == 200


async def test_ready_lists_failures(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    async def fine() -> None:
        return None

    async def down() -> None:
        raise ConnectionRefusedError("db down")

    async def hangs() -> None:
        await asyncio.sleep(10)

    monkeypatch.setattr(health_module, "CHECK_TIMEOUT", 0.05)
    world.container.health_checks = {"database": down, "storage": fine, "queue": hangs}
    async with AsyncTestClient(app=make_app(world)) as client:
        r = await client.get("/ready")
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "unavailable"
    assert set(body["failures"]) == {"database", "queue"}
    assert "db down" in body["failures"]["database"]


async def test_openapi_is_served(client: AsyncTestClient[Litestar]) -> None:
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in (
        "/v1/daily/webhook",
        "/v1/rooms",
        "/v1/rooms/{name}/meeting",
        "/v1/meetings/{meeting_id}/consent",
        "/v1/transcripts/{transcript_id}/audio.mp3",
        "/v1/transcripts/{transcript_id}/events",
        "/ready",
    ):
        assert path in paths


async def test_json_bodies_over_the_limit_are_413(client: AsyncTestClient[Litestar]) -> None:
    r = await client.post("/v1/rooms", json={"name": "x", "platform": "daily", "webhook_secret": "k" * MAX_BODY})
    assert r.status_code == 413
