"""Webhooks: signature failure vs ping vs malformed-but-signed vs duplicate delivery."""

from __future__ import annotations

import json

from litestar import Litestar
from litestar.testing import AsyncTestClient

from reflector_core.usecases.events import HandlePlatformEvent

from .conftest import MAX_BODY, SIGNED, World

EVENT = json.dumps({"id": "evt-1", "type": "meeting.ended", "room": "standup-20260312140000"}).encode()


async def test_signed_event_is_accepted_and_enqueued(client: AsyncTestClient[Litestar], world: World) -> None:
    r = await client.post("/v1/daily/webhook", content=EVENT, headers=SIGNED)
    assert r.status_code == 200
    assert r.json() == {"status": "accepted"}
    assert world.queue.jobs == [HandlePlatformEvent(platform="daily", body=EVENT.decode())]


async def test_whereby_endpoint_uses_the_whereby_verifier(client: AsyncTestClient[Litestar], world: World) -> None:
    r = await client.post("/v1/whereby/webhook", content=EVENT, headers=SIGNED)
    assert r.json() == {"status": "accepted"}
    assert [getattr(job, "platform", None) for job in world.queue.jobs] == ["whereby"]


async def test_redelivery_is_a_duplicate_without_a_second_job(client: AsyncTestClient[Litestar], world: World) -> None:
    await client.post("/v1/daily/webhook", content=EVENT, headers=SIGNED)
    r = await client.post("/v1/daily/webhook", content=EVENT, headers=SIGNED)
    assert r.status_code == 200
    assert r.json() == {"status": "duplicate"}
    assert len(world.queue.jobs) == 1


async def test_bad_signature_is_401(client: AsyncTestClient[Litestar], world: World) -> None:
    for headers in ({}, {"X-Test-Signature": "wrong"}):
        r = await client.post("/v1/daily/webhook", content=EVENT, headers=headers)
        assert r.status_code == 401
        assert "signature" in r.json()["detail"]
    assert world.queue.jobs == []


async def test_unsigned_daily_ping_is_200(client: AsyncTestClient[Litestar], world: World) -> None:
    for body in (b'{"test":"test"}', b'{"test": "test"}\n'):
        r = await client.post("/v1/daily/webhook", content=body)
        assert r.status_code == 200
        assert r.json() == {"status": "ok"}
    assert world.queue.jobs == []


async def test_the_ping_exception_is_daily_only(client: AsyncTestClient[Litestar]) -> None:
    r = await client.post("/v1/whereby/webhook", content=b'{"test":"test"}')
    assert r.status_code == 401


async def test_signed_ping_from_the_verifier_is_ok(client: AsyncTestClient[Litestar], world: World) -> None:
    r = await client.post("/v1/daily/webhook", content=b'{"type":"ping"}', headers=SIGNED)
    assert r.json() == {"status": "ok"}
    assert world.queue.jobs == []


async def test_malformed_but_signed_is_200_ignored(client: AsyncTestClient[Litestar], world: World) -> None:
    for body in (b"not json", b"[1,2]", b'{"no":"type"}', b"\xff\xfe"):
        r = await client.post("/v1/daily/webhook", content=body, headers=SIGNED)
        assert r.status_code == 200, body
        assert r.json() == {"status": "ignored"}
    assert world.queue.jobs == []


async def test_unknown_event_type_is_200_ignored(client: AsyncTestClient[Litestar], world: World) -> None:
    r = await client.post("/v1/daily/webhook", content=b'{"id":"x","type":"ignored"}', headers=SIGNED)
    assert r.status_code == 200
    assert r.json() == {"status": "ignored"}
    assert world.queue.jobs == []


async def test_unconfigured_platform_is_404(world: World) -> None:
    from .conftest import make_app

    world.container.webhooks = {}
    async with AsyncTestClient(app=make_app(world)) as client:
        r = await client.post("/v1/whereby/webhook", content=EVENT, headers=SIGNED)
    assert r.status_code == 404


async def test_body_over_the_limit_is_413(client: AsyncTestClient[Litestar], world: World) -> None:
    body = json.dumps({"id": "big", "type": "meeting.ended", "pad": "x" * MAX_BODY}).encode()
    r = await client.post("/v1/daily/webhook", content=body, headers=SIGNED)
    assert r.status_code == 413
    assert world.queue.jobs == []
