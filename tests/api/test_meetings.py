"""Meetings: details, participant sessions and consent decisions."""

from __future__ import annotations

from datetime import timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient

from reflector_core.model import ConsentChoice, ParticipantSession
from reflector_core.usecases.consent import ApplyConsent

from .conftest import World, add_meeting


async def test_get_meeting_and_404(client: AsyncTestClient[Litestar], world: World) -> None:
    meeting = add_meeting(world)
    r = await client.get(f"/v1/meetings/{meeting.id}")
    assert r.status_code == 200
    assert r.json()["id"] == meeting.id
    assert r.json()["room_url"] == meeting.room_url
    assert (await client.get("/v1/meetings/nope")).status_code == 404


async def test_participants_are_the_meetings_sessions(client: AsyncTestClient[Litestar], world: World) -> None:
    meeting = add_meeting(world)
    now = world.clock.now()
    for i, name in enumerate(["Ana", None]):
        world.store.sessions[(meeting.id or "", f"s-{i}")] = ParticipantSession(
            meeting_id=meeting.id or "",
            session_id=f"s-{i}",
            joined_at=now + timedelta(seconds=i),
            name=name,
            left_at=now + timedelta(minutes=5) if i == 0 else None,
        )
    r = await client.get(f"/v1/meetings/{meeting.id}/participants")
    assert r.status_code == 200
    assert [(p["session_id"], p["name"], p["left_at"] is None) for p in r.json()] == [
        ("s-0", "Ana", False),
        ("s-1", None, True),
    ]
    assert (await client.get("/v1/meetings/nope/participants")).status_code == 404


async def test_consent_given_is_stored_without_a_job(client: AsyncTestClient[Litestar], world: World) -> None:
    meeting = add_meeting(world)
    r = await client.post(f"/v1/meetings/{meeting.id}/consent", json={"participant": "u-1", "choice": "given"})
    assert r.status_code == 201
    assert r.json()["choice"] == "given"
    assert [(c.participant, c.choice) for c in world.store.consents] == [("u-1", ConsentChoice.GIVEN)]
    assert world.queue.jobs == []


async def test_refusal_enqueues_apply_consent(client: AsyncTestClient[Litestar], world: World) -> None:
    meeting = add_meeting(world)
    r = await client.post(f"/v1/meetings/{meeting.id}/consent", json={"participant": "u-1", "choice": "refused"})
    assert r.status_code == 201
    assert world.store.consents[0].choice is ConsentChoice.REFUSED
    assert world.queue.jobs == [ApplyConsent(meeting_id=meeting.id or "")]


async def test_consent_errors(client: AsyncTestClient[Litestar], world: World) -> None:
    r = await client.post("/v1/meetings/nope/consent", json={"participant": "u", "choice": "given"})
    assert r.status_code == 404
    meeting = add_meeting(world)
    url = f"/v1/meetings/{meeting.id}/consent"
    for body, status in [
        ({"participant": "u", "choice": "maybe"}, 400),
        ({"participant": "", "choice": "given"}, 400),
        ({"participant": "   ", "choice": "given"}, 422),
        ({"choice": "given"}, 400),
        ({"participant": "u", "choice": "given", "extra": 1}, 400),
        ("given", 400),
    ]:
        assert (await client.post(url, json=body)).status_code == status, body
    assert world.store.consents == []
    assert world.queue.jobs == []
