"""Public participation: a signed-out visitor enters a room and records consent with a token only the
service issues, for that meeting only; rate limits per address and per token; no 500 on any body."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient

from reflector_core import participant_tokens
from reflector_core.model import ConsentChoice, ConsentPolicy, RecordingState
from reflector_core.usecases.consent import ApplyConsent

from .conftest import OWNER, World, add_meeting, add_room, make_app, make_world

H = "X-Participant-Token"


def consent_room(world: World, name: str = "standup") -> None:
    room = add_room(world, name)
    world.store.rooms[name] = type(room)(
        name=name, platform=room.platform, consent_policy=ConsentPolicy.REQUIRED, owner=OWNER, id=room.id
    )


async def visit(client: AsyncTestClient[Litestar], room: str = "standup", token: str | None = None) -> dict:
    headers = {H: token} if token else {}
    r = await client.post(f"/v1/rooms/{room}/enter", headers=headers | {"Authorization": ""})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
async def anon(world: World) -> AsyncTestClient[Litestar]:
    async with AsyncTestClient(app=make_app(world)) as c:
        yield c


async def test_a_signed_out_visitor_enters_and_gets_a_meeting_scoped_token(world: World, anon) -> None:
    consent_room(world)
    body = await visit(anon)
    assert body["consent_required"] is True and body["consent"] is None
    assert body["owner"] is False and body["token"] is None
    assert body["url"].endswith(world.store.meetings[body["meeting_id"]].platform_room_name)
    assert "host" not in body["url"]
    assert body["participant"].startswith("guest-")
    assert body["recording"] == {"state": None, "failed": False}
    # A reload with the token keeps the participant (and so their decision); another visitor is new.
    again = await visit(anon, token=body["participant_token"])
    assert (again["meeting_id"], again["participant"]) == (body["meeting_id"], body["participant"])
    other = await visit(anon)
    assert other["participant"] != body["participant"]


async def test_consent_is_stored_per_participant_latest_wins_and_repeats_are_idempotent(world: World, anon) -> None:
    consent_room(world)
    body = await visit(anon)
    mid, token = body["meeting_id"], body["participant_token"]
    url = f"/v1/meetings/{mid}/participant-consent"
    first = await anon.post(url, json={"choice": "given"}, headers={H: token})
    assert first.status_code == 201 and first.json()["participant"] == body["participant"]
    repeat = await anon.post(url, json={"choice": "given"}, headers={H: token})
    assert repeat.status_code == 200 and repeat.json()["at"] == first.json()["at"]
    world.clock.current += timedelta(minutes=1)
    refused = await anon.post(url, json={"choice": "refused"}, headers={H: token})
    assert refused.status_code == 201
    await anon.post(url, json={"choice": "refused"}, headers={H: token})
    assert world.queue.jobs.count(ApplyConsent(body["meeting_id"])) == 1  # one deletion, not one per click
    assert [(d.participant, d.choice) for d in world.store.consents] == [(body["participant"], ConsentChoice.REFUSED)]
    view = await anon.get(f"/v1/meetings/{mid}/participant", headers={H: token})
    assert view.json() == {
        "participant": body["participant"],
        "consent": "refused",
        "recording": {"state": None, "failed": False},
    }
    # The owner lists every decision.
    async with AsyncTestClient(app=make_app(world)) as owner:
        listed = await owner.get(f"/v1/meetings/{mid}/consent", headers=world.auth)
    assert listed.status_code == 200
    assert [(d["participant"], d["choice"]) for d in listed.json()] == [(body["participant"], "refused")]
    assert set(listed.json()[0]) == {"participant", "choice", "at"}


async def test_forged_expired_and_other_meeting_tokens_are_refused(world: World, anon) -> None:
    consent_room(world)
    consent_room(world, "other")
    mine = await visit(anon)
    theirs = await visit(anon, "other")
    url = f"/v1/meetings/{mine['meeting_id']}/participant-consent"
    key_guess = participant_tokens.issue(
        b"not-the-key", mine["meeting_id"], "guest-x", world.clock.now() + timedelta(hours=1)
    )
    tampered = mine["participant_token"][:-2] + ("AA" if not mine["participant_token"].endswith("AA") else "BB")
    for token in (None, "", "garbage", key_guess, tampered, theirs["participant_token"], "x" * 5000):
        r = await anon.post(url, json={"choice": "refused"}, headers={H: token} if token is not None else {})
        assert r.status_code == 401, (token, r.text)
    # Expired: the meeting's end has passed.
    world.clock.current += timedelta(hours=9)
    r = await anon.post(url, json={"choice": "given"}, headers={H: mine["participant_token"]})
    assert r.status_code == 401
    # An unknown meeting: no token can be valid for it.
    r = await anon.post("/v1/meetings/nope/participant-consent", json={"choice": "given"}, headers={H: "x"})
    assert r.status_code in (401, 404)
    assert world.store.consents == []


async def test_a_burst_is_rate_limited_per_token_and_per_address(world: World, anon) -> None:
    consent_room(world)
    body = await visit(anon)
    url = f"/v1/meetings/{body['meeting_id']}/participant-consent"
    codes = [
        (await anon.post(url, json={"choice": "given"}, headers={H: body["participant_token"]})).status_code
        for _ in range(100)
    ]
    assert codes[:10] == [201] + [200] * 9
    assert set(codes[10:]) == {429}
    limited = await anon.post(url, json={"choice": "given"}, headers={H: body["participant_token"]})
    assert int(limited.headers["Retry-After"]) >= 1
    # Forged tokens from one address run into the address limit too.
    forged = [
        (await anon.post(url, json={"choice": "given"}, headers={H: f"pt1.a.b.1.{n}"})).status_code for n in range(100)
    ]
    assert 429 in forged and set(forged) <= {401, 429}
    assert len(world.store.consents) == 1


async def test_the_owner_reads_and_controls_the_recording(world: World, client) -> None:
    from tests.fakes.memory import MemoryRecordingControl

    control = MemoryRecordingControl()
    world.container.recording_control = control
    m = add_meeting(world)
    r = await client.get(f"/v1/meetings/{m.id}/recording")
    assert r.json() == {"meeting_id": m.id, "recording": None}
    r = await client.post(f"/v1/meetings/{m.id}/recording/start")
    assert r.status_code == 202 and r.json()["recording"]["state"] == "requested"
    assert world.store.meeting_recordings[m.id or ""].state is RecordingState.REQUESTED
    detail = (await client.get(f"/v1/meetings/{m.id}")).json()
    assert detail["recording"]["state"] == "requested" and detail["recording"]["error"] is None
    r = await client.post(f"/v1/meetings/{m.id}/recording/stop")
    assert r.status_code == 200 and r.json()["recording"]["state"] == "stopped"
    # Another owner sees nothing.
    from .conftest import add_key, bearer

    other = bearer(add_key(world.store, "mallory"))
    for method, path in (
        ("GET", "recording"),
        ("POST", "recording/start"),
        ("POST", "recording/stop"),
        ("GET", "consent"),
    ):
        r = await client.request(method, f"/v1/meetings/{m.id}/{path}", headers=other)
        assert r.status_code == 404, path


async def test_a_rooms_meetings_list_participants_recording_and_transcripts(world: World, client) -> None:
    from reflector_core.model import ParticipantSession

    from .conftest import add_transcript

    m = add_meeting(world)
    world.store.sessions[(m.id or "", "s-1")] = ParticipantSession(m.id or "", "s-1", world.clock.now(), name="Ana")
    t = add_transcript(world, meeting_id=m.id)
    r = await client.get("/v1/rooms/standup/meetings")
    assert r.status_code == 200
    [item] = r.json()
    assert item["meeting"]["id"] == m.id
    assert [p["name"] for p in item["participants"]] == ["Ana"]
    assert item["transcripts"] == [{"id": t.id, "status": "done", "url": f"/v1/transcripts/{t.id}"}]
    assert (await client.get("/v1/rooms/nope/meetings")).status_code == 404


bodies = st.one_of(
    st.binary(max_size=200),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
        lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
        max_leaves=10,
    ).map(lambda v: json.dumps(v).encode()),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies, token_ok=st.booleans())
async def test_fuzzed_bodies_never_500(body: bytes, token_ok: bool) -> None:
    world = make_world()
    consent_room(world)
    async with AsyncTestClient(app=make_app(world)) as c:
        entered = await visit(c)
        headers = {"Content-Type": "application/json"}
        if token_ok:
            headers[H] = entered["participant_token"]
        r = await c.post(f"/v1/meetings/{entered['meeting_id']}/participant-consent", content=body, headers=headers)
        assert r.status_code < 500, r.text
        r = await c.post("/v1/rooms/standup/enter", content=body, headers=headers)
        assert r.status_code < 500, r.text
