"""API keys at the HTTP edge: 401 without a valid key, and another owner's things are 404."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from reflector_app.http.auth import PUBLIC_OPT, bearer_token
from reflector_core import apikeys
from reflector_core.model import DeliveryAttempt, DeliveryState, WebhookDelivery

from .conftest import OWNER, World, add_key, add_meeting, add_transcript, bearer, make_app

PUBLIC_PATHS = {
    "/v1/daily/webhook",
    "/v1/whereby/webhook",
    "/health",
    "/ready",
    # Participation: each checks a meeting-scoped participant token instead (test_participation.py).
    "/v1/rooms/{name:str}/enter",
    "/v1/meetings/{meeting_id:str}/participant-consent",
    "/v1/meetings/{meeting_id:str}/participant",
}


def _protected(app: Litestar) -> list[tuple[str, str, str]]:
    """(method, path template, concrete path) of every API route that is not public, read from the app itself."""
    out = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith("/schema"):
            continue
        path = re.sub(r"\{(\w+):int\}", "0", route.path)
        path = re.sub(r"\{(\w+):\w+\}", "x", path)
        for handler in route.route_handlers:
            if handler.opt.get(PUBLIC_OPT):
                continue
            out.extend((m, route.path, path) for m in sorted(handler.http_methods) if m not in ("HEAD", "OPTIONS"))
    return out


async def test_every_route_but_the_public_ones_needs_a_key(world: World) -> None:
    app = make_app(world)
    routes = _protected(app)
    assert len(routes) >= 20  # the enumeration itself works (rooms, meetings, transcripts, audio, …)
    public = {r.path for r in app.routes if isinstance(r, HTTPRoute) and not r.path.startswith("/schema")}
    public -= {template for _, template, _ in routes}
    # Pages check the browser session themselves (tests/web); static assets are public.
    pages = {
        r.path for r in app.routes if isinstance(r, HTTPRoute) and any(h.opt.get("page") for h in r.route_handlers)
    }
    assert public - pages - {r for r in public if r.startswith("/static")} == PUBLIC_PATHS
    wrong = apikeys.generate().plaintext
    async with AsyncTestClient(app=app) as client:
        for method, _, path in routes:
            for headers, error in [({}, False), (bearer(wrong), True), ({"Authorization": world.key}, False)]:
                r = await client.request(method, path, headers=headers, json={})
                assert r.status_code == 401, (method, path, headers, r.text)
                challenge = r.headers["www-authenticate"]
                assert challenge.startswith("Bearer")
                assert ('error="invalid_token"' in challenge) is error
                assert r.json()["status_code"] == 401


async def test_public_routes_need_no_key(world: World) -> None:
    async with AsyncTestClient(app=make_app(world)) as client:
        assert (await client.get("/health")).status_code == 200
        assert (await client.get("/ready")).status_code == 200
        assert (await client.get("/schema/openapi.json")).status_code == 200
        # The webhook answers by its own rule (the platform signature), not with the API-key challenge.
        r = await client.post("/v1/daily/webhook", content=b"{}")
        assert r.status_code == 401
        assert "www-authenticate" not in r.headers
        assert r.json()["detail"] == "webhook signature rejected"


@pytest.mark.parametrize(
    "header",
    ["Basic YW5hOnB3", "Bearer", "Bearer   ", "Token rk_x", "bearer rk_0123456789ab_" + "A" * 43, "Bearer a b"],
)
async def test_malformed_authorization_headers_are_401(world: World, header: str) -> None:
    async with AsyncTestClient(app=make_app(world)) as client:
        r = await client.get("/v1/rooms", headers={"Authorization": header})
    assert r.status_code == 401


def test_bearer_token_parsing() -> None:
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("bEaReR  abc ") == "abc"
    assert bearer_token("Basic abc") is None
    assert bearer_token("Bearer") is None
    assert bearer_token(None) is None


async def test_a_revoked_key_is_refused_at_once(client: AsyncTestClient[Litestar], world: World) -> None:
    assert (await client.get("/v1/rooms")).status_code == 200
    key_id = apikeys.key_id_of(world.key)
    assert await world.uow().api_keys.revoke(key_id)
    r = await client.get("/v1/rooms")
    assert r.status_code == 401
    assert 'error="invalid_token"' in r.headers["www-authenticate"]


async def test_the_key_is_not_stored_in_clear(client: AsyncTestClient[Litestar], world: World) -> None:
    assert (await client.get("/v1/rooms")).status_code == 200
    dumped = repr(world.store)
    assert world.key not in dumped
    assert world.key.removeprefix("rk_").split("_", 1)[1] not in dumped  # the whole secret (it may contain "_")
    assert apikeys.hash_key(world.key) in dumped


async def test_rooms_are_created_for_and_listed_to_their_owner(client: AsyncTestClient[Litestar], world: World) -> None:
    bob = bearer(add_key(world.store, "bob"))
    assert (await client.post("/v1/rooms", json={"name": "ana-room", "platform": "daily"})).json()["owner"] == OWNER
    r = await client.post("/v1/rooms", json={"name": "bob-room", "platform": "daily"}, headers=bob)
    assert r.json()["owner"] == "bob"
    assert [x["name"] for x in (await client.get("/v1/rooms")).json()] == ["ana-room"]
    assert [x["name"] for x in (await client.get("/v1/rooms", headers=bob)).json()] == ["bob-room"]


async def test_another_owners_things_are_404_and_untouched(client: AsyncTestClient[Litestar], world: World) -> None:
    meeting = add_meeting(world, "standup")
    transcript = add_transcript(world, meeting_id=meeting.id, audio_location="transcripts/t/audio.mp3")
    world.bucket.objects["transcripts/t/audio.mp3"] = b"ID3" + b"\0" * 100
    world.bucket.objects["transcripts/t/waveform.json"] = b"{}"
    bob = bearer(add_key(world.store, "bob"))
    t = f"/v1/transcripts/{transcript.id}"
    m = f"/v1/meetings/{meeting.id}"
    requests = [
        ("GET", "/v1/rooms/standup", None),
        ("PATCH", "/v1/rooms/standup", {"locked": True}),
        ("DELETE", "/v1/rooms/standup", None),
        ("POST", "/v1/rooms/standup/meeting", None),
        ("POST", "/v1/rooms/standup/join", None),
        ("GET", m, None),
        ("GET", f"{m}/participants", None),
        ("POST", f"{m}/consent", {"participant": "u", "choice": "refused"}),
        ("GET", t, None),
        *(("GET", f"{t}/export.{fmt}", None) for fmt in ("vtt", "srt", "json", "txt")),
        ("GET", f"{t}/audio.mp3", None),
        ("GET", f"{t}/waveform", None),
        ("GET", f"{t}/events", None),
        ("GET", f"{t}/webhooks", None),
        ("PATCH", f"{t}/participants/0", {"name": "Eve"}),
        ("POST", f"{t}/reprocess", None),
    ]
    before = repr(world.store)
    for method, path, body in requests:
        theirs = await client.request(method, path, json=body, headers=bob)
        assert theirs.status_code == 404, (method, path, theirs.text)
    assert repr(world.store) == before
    for method, path, body in requests:
        if "transcripts" in path:
            # Indistinguishable from a transcript that does not exist, apart from the id the caller sent.
            theirs = await client.request(method, path, json=body, headers=bob)
            missing = await client.request(method, path.replace(str(transcript.id), "tr-missing"), json=body)
            assert missing.json()["detail"].replace("tr-missing", str(transcript.id)) == theirs.json()["detail"]
    assert world.queue.jobs == []
    assert world.daily.created == []
    page = (await client.get("/v1/transcripts", headers=bob)).json()
    assert (page["total"], page["items"]) == (0, [])
    assert (await client.get("/v1/transcripts", params={"room": "standup"}, headers=bob)).json()["total"] == 0
    assert (await client.get("/v1/transcripts")).json()["total"] == 1
    assert (await client.get(t)).status_code == 200


async def test_a_transcript_linked_to_no_meeting_is_nobodys(client: AsyncTestClient[Litestar], world: World) -> None:
    t = add_transcript(world, linked=False)
    assert (await client.get(f"/v1/transcripts/{t.id}")).status_code == 404
    assert (await client.get("/v1/transcripts")).json()["total"] == 0


async def test_webhook_history_lists_deliveries_and_attempts(client: AsyncTestClient[Litestar], world: World) -> None:
    t = add_transcript(world)
    assert (await client.get(f"/v1/transcripts/{t.id}/webhooks")).json() == []
    now = world.clock.now()
    world.store.outbound_deliveries["evt-1"] = WebhookDelivery(
        event_id="evt-1",
        event="transcript.completed",
        transcript_id=t.id or "",
        room_name="general",
        url="https://user:token@hooks.example/secret-path",
        body='{"event":"transcript.completed"}',
        created_at=now,
        state=DeliveryState.PENDING,
        next_attempt_at=now + timedelta(minutes=2),
        attempts=(
            DeliveryAttempt(1, now, status_code=503),
            DeliveryAttempt(2, now + timedelta(minutes=1), error="connection refused"),
        ),
    )
    r = await client.get(f"/v1/transcripts/{t.id}/webhooks")
    assert r.status_code == 200
    [delivery] = r.json()
    assert delivery["event_id"] == "evt-1"
    assert delivery["event"] == "transcript.completed"
    assert delivery["state"] == "pending"
    assert delivery["next_attempt_at"].startswith("2026-03-12T14:02:00")
    assert [(a["number"], a["status_code"], a["error"]) for a in delivery["attempts"]] == [
        (1, 503, None),
        (2, None, "connection refused"),
    ]
    assert "secret-path" not in r.text and "url" not in delivery and "body" not in delivery
    assert (await client.get("/v1/transcripts/nope/webhooks")).status_code == 404
