"""Abuse at the HTTP edge, with the real Daily and Whereby signature verifiers: fuzzed signed bodies,
replays, stale timestamps, foreign secrets, oversized bodies, wrong content types, traversal in ids."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient, TestClient

from reflector_adapters.storage.config import LocalBucketConfig
from reflector_adapters.storage.local import LocalStorage
from reflector_app.bootstrap import webhook_verifiers
from reflector_core.events import MeetingEnded
from reflector_core.model import Platform
from reflector_core.usecases.events import HandlePlatformEvent
from tests.fakes.signing import daily_headers, whereby_headers

from .conftest import MAX_BODY, World, add_transcript, make_app, make_world

DAILY_SECRET = base64.b64encode(b"daily-secret-for-abuse-tests-32b").decode()
OTHER_DAILY_SECRET = base64.b64encode(b"someone-elses-daily-secret-32by!").decode()
WHEREBY_SECRET = "whereby-secret-for-abuse-tests"
DAILY_URL = "/v1/daily/webhook"
WHEREBY_URL = "/v1/whereby/webhook"


def real_world() -> World:
    """The memory world, but webhooks go through the verifiers the composition root builds."""
    world = make_world()
    s = world.container.settings
    world.container.settings = attrs.evolve(
        s,
        daily=attrs.evolve(s.daily, webhook_secret=(DAILY_SECRET,)),
        whereby=attrs.evolve(s.whereby, webhook_secret=(WHEREBY_SECRET,)),
    )
    world.container.webhooks = webhook_verifiers(world.container.settings, world.clock)
    return world


def now(world: World) -> int:
    return int(world.clock.now().timestamp())


def daily_event(event_id: str = "evt-1", kind: str = "meeting.ended") -> bytes:
    payload = {"room": "standup-20260312140000", "meeting_id": "m-1", "start_ts": 1773324000, "end_ts": 1773327600}
    return json.dumps(
        {"version": "1.0.0", "type": kind, "id": event_id, "payload": payload, "event_ts": 1773327601}
    ).encode()


def whereby_event(event_id: str = "w-1") -> bytes:
    body = {
        "id": event_id,
        "apiVersion": "1.0",
        "createdAt": "2026-03-12T14:03:06Z",
        "type": "room.client.joined",
        "data": {"participantId": "p-1", "roomName": "/standup", "meetingId": "m-1", "displayName": "Ana"},
    }
    return json.dumps(body).encode()


@pytest.fixture
def world() -> World:
    return real_world()


@pytest.fixture
async def client(world: World) -> AsyncTestClient[Litestar]:
    async with AsyncTestClient(app=make_app(world)) as c:
        c.headers.update(world.auth)
        yield c


# --- replays, stale and foreign signatures ------------------------------------------------------------------------


async def test_the_same_signed_delivery_twice_is_recorded_once(client: AsyncTestClient[Litestar], world: World) -> None:
    for url, body, headers in [
        (DAILY_URL, daily_event(), daily_headers(DAILY_SECRET, now(world), daily_event())),
        (WHEREBY_URL, whereby_event(), whereby_headers(WHEREBY_SECRET, now(world), whereby_event())),
    ]:
        first = await client.post(url, content=body, headers=headers)
        again = await client.post(url, content=body, headers=headers)
        assert (first.json(), again.json()) == ({"status": "accepted"}, {"status": "duplicate"}), url
    assert world.store.inbound_events == {(Platform.DAILY, "evt-1"), (Platform.WHEREBY, "w-1")}
    first = world.queue.jobs[0]
    assert [type(job) for job in world.queue.jobs] == [HandlePlatformEvent, HandlePlatformEvent]
    assert isinstance(first, HandlePlatformEvent)
    queued = world.container.webhooks[Platform.DAILY].parse_verified(first.body.encode())
    assert isinstance(queued, MeetingEnded)


@pytest.mark.parametrize("skew", [-301, -3600, 301, 86_400])
async def test_a_timestamp_outside_the_window_is_401(
    client: AsyncTestClient[Litestar], world: World, skew: int
) -> None:
    body = daily_event()
    r = await client.post(DAILY_URL, content=body, headers=daily_headers(DAILY_SECRET, now(world) + skew, body))
    assert r.status_code == 401
    w = whereby_event()
    r = await client.post(WHEREBY_URL, content=w, headers=whereby_headers(WHEREBY_SECRET, now(world) + skew, w))
    assert r.status_code == 401
    assert world.store.inbound_events == set()
    assert world.queue.jobs == []


async def test_a_valid_signature_under_another_secret_is_401(client: AsyncTestClient[Litestar], world: World) -> None:
    body, w = daily_event(), whereby_event()
    for url, content, headers in [
        (DAILY_URL, body, daily_headers(OTHER_DAILY_SECRET, now(world), body)),
        (WHEREBY_URL, w, whereby_headers("another-whereby-secret", now(world), w)),
        # The right secret, but the other platform's scheme (or its secret on the other endpoint).
        (DAILY_URL, w, whereby_headers(WHEREBY_SECRET, now(world), w)),
        (WHEREBY_URL, body, daily_headers(DAILY_SECRET, now(world), body)),
    ]:
        r = await client.post(url, content=content, headers=headers)
        assert r.status_code == 401, url
    assert world.queue.jobs == []


async def test_a_signed_body_cannot_be_changed(client: AsyncTestClient[Litestar], world: World) -> None:
    headers = daily_headers(DAILY_SECRET, now(world), daily_event("evt-1"))
    for tampered in (daily_event("evt-2"), daily_event("evt-1") + b" ", daily_event("evt-1")[:-1]):
        assert (await client.post(DAILY_URL, content=tampered, headers=headers)).status_code == 401
    # A later timestamp with the old signature is a replay attempt: the timestamp is signed too.
    stale = daily_headers(DAILY_SECRET, now(world) - 1000, daily_event())
    stale["X-Webhook-Timestamp"] = str(now(world))
    assert (await client.post(DAILY_URL, content=daily_event(), headers=stale)).status_code == 401
    assert world.queue.jobs == []


# --- sizes and content types --------------------------------------------------------------------------------------


async def test_bodies_over_the_limit_are_413(client: AsyncTestClient[Litestar], world: World) -> None:
    # Exactly at the limit still passes (whitespace keeps the JSON valid and signed).
    body = daily_event()
    at_limit = body + b" " * (MAX_BODY - len(body))
    r = await client.post(DAILY_URL, content=at_limit, headers=daily_headers(DAILY_SECRET, now(world), at_limit))
    assert r.status_code == 200
    over = at_limit + b" "
    for url, headers in [
        (DAILY_URL, daily_headers(DAILY_SECRET, now(world), over)),
        (WHEREBY_URL, whereby_headers(WHEREBY_SECRET, now(world), over)),
        ("/v1/rooms", {"Content-Type": "application/json"}),
    ]:
        r = await client.post(url, content=over, headers=headers)
        assert r.status_code == 413, url
    big = {"name": "x", "platform": "daily", "webhook_secret": "s" * (10 * MAX_BODY)}
    assert (await client.post("/v1/rooms", json=big)).status_code == 413
    assert world.store.rooms == {}


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""],
)
async def test_wrong_content_types_never_500(
    client: AsyncTestClient[Litestar], world: World, content_type: str
) -> None:
    room = json.dumps({"name": "standup", "platform": "daily"}).encode()
    r = await client.post("/v1/rooms", content=b"name=standup&platform=daily", headers={"Content-Type": content_type})
    assert r.status_code == 400, r.text
    r = await client.post("/v1/rooms", content=room, headers={"Content-Type": content_type})
    assert r.status_code in (201, 400, 415), r.text
    # Webhooks are verified over the raw bytes, whatever the declared type.
    body = daily_event(f"evt-{content_type}")
    headers = {**daily_headers(DAILY_SECRET, now(world), body), "Content-Type": content_type}
    assert (await client.post(DAILY_URL, content=body, headers=headers)).json() == {"status": "accepted"}


# --- traversal in ids and keys ------------------------------------------------------------------------------------

TRAVERSALS = [
    "..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2f%2e%2e",
    "..%5C..%5Cwin.ini",
    "%00",
    "a%00b",
    "..",
    "%252e%252e",
]


@pytest.mark.parametrize("ident", TRAVERSALS)
async def test_traversal_in_path_ids_is_a_plain_404(client: AsyncTestClient[Litestar], ident: str) -> None:
    for path in [
        f"/v1/rooms/{ident}",
        f"/v1/meetings/{ident}",
        f"/v1/meetings/{ident}/participants",
        f"/v1/transcripts/{ident}",
        f"/v1/transcripts/{ident}/audio.mp3",
        f"/v1/transcripts/{ident}/waveform",
        f"/v1/transcripts/{ident}/export.vtt",
        f"/v1/transcripts/{ident}/webhooks",
    ]:
        r = await client.get(path)
        assert r.status_code in (400, 404), (path, r.status_code, r.text)
        assert "root:" not in r.text


async def test_an_encoded_slash_cannot_reach_another_route(client: AsyncTestClient[Litestar]) -> None:
    # "%2F" is decoded before routing: "/v1/rooms/%2F" is the caller's own list, nothing more.
    assert (await client.get("/v1/rooms/%2F")).json() == (await client.get("/v1/rooms")).json()
    assert (await client.get("/v1/transcripts/%2F")).status_code in (200, 404)


async def test_a_stored_key_that_escapes_the_bucket_is_refused(tmp_path: Path) -> None:
    """Even if a row pointed outside the bucket, the local-folder adapter would not read there."""
    (tmp_path / "secret.txt").write_text("root:x:0:0")
    world = real_world()
    bucket = LocalStorage(
        LocalBucketConfig(root=tmp_path / "bucket", name=world.container.settings.storage.transcripts.name)
    )
    await bucket.open()
    world.container.buckets = {bucket.bucket: bucket}
    bad = [add_transcript(world, audio_location=key) for key in ("../secret.txt", "/etc/passwd", "a/../../secret.txt")]
    async with AsyncTestClient(app=make_app(world)) as client:
        client.headers.update(world.auth)
        for t in bad:
            for path in (f"/v1/transcripts/{t.id}/audio.mp3", f"/v1/transcripts/{t.id}/waveform"):
                r = await client.get(path)
                assert 400 <= r.status_code < 500, (path, r.status_code, r.text)
                assert "root:" not in r.text
    await bucket.close()


# --- fuzzing the signed webhooks: a correctly signed delivery is always 200 ----------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
DAILY_TYPES = [
    "meeting.started",
    "meeting.ended",
    "participant.joined",
    "participant.left",
    "recording.started",
    "recording.ready-to-download",
    "recording.error",
    "waiting-participant.joined",
]
WHEREBY_TYPES = [
    "room.client.joined",
    "room.client.left",
    "room.session.started",
    "room.session.ended",
    "recording.finished",
]
daily_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"type": st.one_of(st.sampled_from(DAILY_TYPES), json_values)},
        optional={"id": json_values, "version": json_values, "event_ts": json_values, "payload": json_values},
    ),
)
whereby_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"type": st.one_of(st.sampled_from(WHEREBY_TYPES), json_values)},
        optional={"id": json_values, "createdAt": json_values, "data": json_values, "apiVersion": json_values},
    ),
)
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_fuzzed_signed_webhooks_are_always_200() -> None:
    world = real_world()
    with TestClient(app=make_app(world)) as client:

        @FUZZ
        @given(daily=daily_bodies, whereby=whereby_bodies, raw=st.binary(max_size=100))
        def check(daily: Any, whereby: Any, raw: bytes) -> None:
            for url, body, sign in [
                (DAILY_URL, json.dumps(daily).encode(), lambda b: daily_headers(DAILY_SECRET, now(world), b)),
                (WHEREBY_URL, json.dumps(whereby).encode(), lambda b: whereby_headers(WHEREBY_SECRET, now(world), b)),
                (DAILY_URL, raw, lambda b: daily_headers(DAILY_SECRET, now(world), b)),
                (WHEREBY_URL, raw, lambda b: whereby_headers(WHEREBY_SECRET, now(world), b)),
            ]:
                r = client.post(url, content=body, headers=sign(body))
                # Daily disables a webhook after three non-2xx answers: signed content never earns one.
                assert r.status_code == 200, (url, body, r.text)
                assert r.json()["status"] in ("accepted", "duplicate", "ignored", "ok")

        check()


def test_fuzzed_unsigned_or_badly_signed_webhooks_are_401_never_500() -> None:
    world = real_world()
    with TestClient(app=make_app(world)) as client:

        @FUZZ
        @given(
            body=st.binary(max_size=200),
            headers=st.dictionaries(
                st.sampled_from(["X-Webhook-Signature", "X-Webhook-Timestamp", "Whereby-Signature"]),
                st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60),
            ),
            url=st.sampled_from([DAILY_URL, WHEREBY_URL]),
        )
        def check(body: bytes, headers: dict[str, str], url: str) -> None:
            r = client.post(url, content=body, headers=headers)
            if url == DAILY_URL and body.strip() in (b'{"test":"test"}', b'{"test": "test"}'):
                return  # the unsigned verification ping
            assert r.status_code in (200, 401), (body, headers, r.text)

        check()
