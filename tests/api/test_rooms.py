"""Rooms: CRUD, the active meeting (one at a time, even under concurrency) and joining."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import attrs
import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient

from reflector_app.http import create_app
from reflector_core.model import Platform, Room

from .conftest import OWNER, World, add_key, add_meeting, bearer, make_app, make_world

ROOM = {"name": "standup", "platform": "daily"}


async def test_create_get_list_room(client: AsyncTestClient[Litestar]) -> None:
    r = await client.post("/v1/rooms", json={**ROOM, "webhook_url": "https://hooks.example/x", "webhook_secret": "k"})
    assert r.status_code == 201
    body = r.json()
    assert body["name"] == "standup"
    assert body["owner"] == "ana"
    assert body["recording_kind"] == "raw-tracks"
    assert body["webhook_url_set"] is True
    assert body["webhook_secret_set"] is True
    assert "webhook_secret" not in body and "webhook_url" not in body
    assert (await client.get("/v1/rooms/standup")).json() == body
    assert (await client.get("/v1/rooms")).json() == [body]
    # The owner comes from the key; a query parameter cannot widen or change it.
    assert (await client.get("/v1/rooms", params={"owner": "bob"})).json() == [body]


async def test_duplicate_room_is_409(client: AsyncTestClient[Litestar]) -> None:
    assert (await client.post("/v1/rooms", json=ROOM)).status_code == 201
    r = await client.post("/v1/rooms", json=ROOM)
    assert r.status_code == 409
    assert "standup" in r.json()["detail"]


async def test_invalid_rooms_are_refused(client: AsyncTestClient[Litestar]) -> None:
    for body, status in [
        ({**ROOM, "name": "has space"}, 422),
        ({**ROOM, "name": "x" * 150}, 422),
        ({**ROOM, "webhook_url": "ftp://x"}, 422),
        ({**ROOM, "platform": "zoom"}, 400),
        ({**ROOM, "colour": "red"}, 400),
        ({"name": "standup"}, 400),
        ([], 400),
    ]:
        r = await client.post("/v1/rooms", json=body)
        assert r.status_code == status, (body, r.text)
    r = await client.post("/v1/rooms", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400


async def test_room_on_an_unconfigured_platform_is_422(world: World) -> None:
    world.container.platforms = {Platform.DAILY: world.daily}
    async with AsyncTestClient(app=make_app(world)) as client:
        client.headers.update(world.auth)
        r = await client.post("/v1/rooms", json={"name": "w", "platform": "whereby"})
    assert r.status_code == 422
    assert "not configured" in r.json()["detail"]


async def test_update_changes_only_what_is_sent(client: AsyncTestClient[Litestar]) -> None:
    await client.post("/v1/rooms", json={**ROOM, "webhook_url": "https://hooks.example/x"})
    r = await client.patch("/v1/rooms/standup", json={"locked": True, "consent_policy": "required"})
    assert r.status_code == 200
    assert r.json()["locked"] is True
    assert r.json()["consent_policy"] == "required"
    assert r.json()["webhook_url_set"] is True
    r = await client.patch("/v1/rooms/standup", json={"webhook_url": None})
    assert r.json()["webhook_url_set"] is False
    assert r.json()["locked"] is True


async def test_update_errors(client: AsyncTestClient[Litestar]) -> None:
    assert (await client.patch("/v1/rooms/nope", json={"locked": True})).status_code == 404
    await client.post("/v1/rooms", json=ROOM)
    assert (await client.patch("/v1/rooms/standup", json={"name": "other"})).status_code == 400
    assert (await client.patch("/v1/rooms/standup", json={"locked": "yes"})).status_code == 400
    assert (await client.patch("/v1/rooms/standup", json={"webhook_url": "nope"})).status_code == 422


async def test_delete_room(client: AsyncTestClient[Litestar]) -> None:
    await client.post("/v1/rooms", json=ROOM)
    assert (await client.delete("/v1/rooms/standup")).status_code == 204
    assert (await client.get("/v1/rooms/standup")).status_code == 404
    assert (await client.delete("/v1/rooms/standup")).status_code == 404


async def test_meeting_is_created_then_reused(client: AsyncTestClient[Litestar], world: World) -> None:
    await client.post("/v1/rooms", json=ROOM)
    first = await client.post("/v1/rooms/standup/meeting")
    assert first.status_code == 200
    assert first.json()["created"] is True
    meeting = first.json()["meeting"]
    assert meeting["room_name"] == "standup"
    assert meeting["platform"] == "daily"
    assert "host_room_url" not in meeting
    again = await client.post("/v1/rooms/standup/meeting")
    assert again.json() == {"meeting": meeting, "created": False}
    assert len(world.daily.created) == 1
    got = await client.get(f"/v1/meetings/{meeting['id']}")
    assert got.json() == meeting


async def test_meeting_for_missing_room_is_404(client: AsyncTestClient[Litestar], world: World) -> None:
    assert (await client.post("/v1/rooms/nope/meeting")).status_code == 404
    assert world.daily.created == []


async def test_ended_meeting_is_replaced(client: AsyncTestClient[Litestar], world: World) -> None:
    await client.post("/v1/rooms", json=ROOM)
    old = add_meeting(world, end=world.clock.now() - timedelta(minutes=1))
    r = await client.post("/v1/rooms/standup/meeting")
    assert r.json()["created"] is True
    assert r.json()["meeting"]["id"] != old.id
    assert world.store.meetings[old.id or ""].active is False


async def test_meeting_on_the_rooms_current_platform(client: AsyncTestClient[Litestar], world: World) -> None:
    await client.post("/v1/rooms", json=ROOM)
    await client.post("/v1/rooms/standup/meeting")
    await client.patch("/v1/rooms/standup", json={"platform": "whereby"})
    r = await client.post("/v1/rooms/standup/meeting")
    assert r.json()["created"] is True
    assert r.json()["meeting"]["platform"] == "whereby"
    assert len(world.whereby.created) == 1


async def test_unconfigured_platform_of_an_existing_room_is_503(world: World) -> None:
    world.store.rooms["w"] = Room(name="w", platform=Platform.WHEREBY, id="room-w", owner=OWNER)
    world.container.platforms = {Platform.DAILY: world.daily}
    async with AsyncTestClient(app=make_app(world)) as client:
        client.headers.update(world.auth)
        r = await client.post("/v1/rooms/w/meeting")
    assert r.status_code == 503


class _NoLocks:
    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        yield


async def _ten_at_once(world: World, app: Litestar) -> list[httpx.Response]:
    # httpx's ASGI transport runs every request on this event loop, so the ten really interleave.
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=world.auth) as client:
        await client.post("/v1/rooms", json=ROOM)
        return await asyncio.gather(*(client.post("/v1/rooms/standup/meeting") for _ in range(10)))


async def test_concurrent_calls_create_one_meeting() -> None:
    world = make_world(daily_delay=0.05)
    replies = await _ten_at_once(world, make_app(world))
    assert [r.status_code for r in replies] == [200] * 10
    assert len(world.daily.created) == 1
    assert len({r.json()["meeting"]["id"] for r in replies}) == 1
    assert sum(r.json()["created"] for r in replies) == 1
    assert len(world.store.meetings) == 1


async def test_without_the_lock_the_race_is_real() -> None:
    """The control for the test above: it would catch a missing lock."""
    world = make_world(daily_delay=0.05)
    await _ten_at_once(world, create_app(world.container, locks=_NoLocks()))
    assert len(world.daily.created) > 1


async def test_owner_joins_with_host_url_and_expiring_token(client: AsyncTestClient[Litestar], world: World) -> None:
    await client.post("/v1/rooms", json=ROOM)
    r = await client.post("/v1/rooms/standup/join")
    assert r.status_code == 200
    body = r.json()
    meeting = world.store.meetings[body["meeting_id"]]
    assert body["owner"] is True
    assert body["url"] == meeting.host_room_url
    assert body["token"] == "token-1"
    assert world.daily.tokens[0]["owner"] is True
    assert world.daily.tokens[0]["user_id"] == "ana"
    assert world.daily.tokens[0]["expires_at"] == meeting.end
    assert body["expires_at"].startswith(meeting.end.isoformat()[:19])


async def test_another_owner_cannot_join_or_start_a_meeting(client: AsyncTestClient[Litestar], world: World) -> None:
    await client.post("/v1/rooms", json=ROOM)
    bob = bearer(add_key(world.store, "bob"))
    for path in ("/v1/rooms/standup/join", "/v1/rooms/standup/meeting"):
        r = await client.post(path, headers=bob)
        assert r.status_code == 404, path
        assert r.json()["detail"] == "room not found: standup"
    assert world.daily.created == []
    assert world.daily.tokens == []


async def test_join_missing_room_is_404(client: AsyncTestClient[Litestar]) -> None:
    assert (await client.post("/v1/rooms/nope/join")).status_code == 404


async def test_a_rooms_language_defaults_is_validated_and_changes(world: World) -> None:
    world.container.settings = attrs.evolve(
        world.container.settings,
        whisper=attrs.evolve(world.container.settings.whisper, model="base", default_language="auto"),
    )
    async with AsyncTestClient(app=make_app(world)) as client:
        client.headers.update(world.auth)
        r = await client.post("/v1/rooms", json=ROOM)
        assert r.status_code == 201 and r.json()["language"] == "auto"  # the server's default
        r = await client.post("/v1/rooms", json={"name": "fr", "platform": "daily", "language": "FR"})
        assert r.json()["language"] == "fr"
        r = await client.patch("/v1/rooms/standup", json={"language": "klingon"})
        assert r.status_code == 422 and "unknown language 'klingon'" in r.json()["detail"]
        r = await client.patch("/v1/rooms/standup", json={"language": "de"})
        assert r.status_code == 200 and r.json()["language"] == "de"
        assert (await client.get("/v1/rooms/standup")).json()["language"] == "de"


async def test_an_english_only_model_refuses_other_languages_naming_the_fix(client: AsyncTestClient[Litestar]) -> None:
    r = await client.post("/v1/rooms", json=ROOM)
    assert r.json()["language"] == "en"
    for language in ("auto", "de"):
        r = await client.patch("/v1/rooms/standup", json={"language": language})
        assert r.status_code == 422
        assert (
            "'tiny.en' is English-only" in r.json()["detail"] and "REFLECTOR_WHISPER_MODEL=base" in r.json()["detail"]
        )
    r = await client.post("/v1/rooms", json={"name": "x", "platform": "daily", "language": "de"})
    assert r.status_code == 422
