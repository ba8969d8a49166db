"""Arbitrary JSON at the endpoints that take bodies: never a 500."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from reflector_core.model import ConsentChoice, ConsentPolicy, Platform, RecordingKind, Room

from .conftest import OWNER, add_meeting, add_transcript, make_app, make_world

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def _near(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly plausible values, sometimes anything at all."""
    return st.one_of(valid, json_values)


names = st.one_of(st.from_regex(r"[A-Za-z0-9_-]{1,20}", fullmatch=True), st.text(max_size=150))
room_fields = {
    "name": _near(names),
    "platform": _near(st.sampled_from([p.value for p in Platform])),
    "recording_kind": _near(st.sampled_from([k.value for k in RecordingKind])),
    "locked": _near(st.booleans()),
    "consent_policy": _near(st.sampled_from([c.value for c in ConsentPolicy])),
    "webhook_url": _near(st.sampled_from(["https://hooks.example/x", "http://h", "ftp://x", "", None])),
    "webhook_secret": _near(st.text(max_size=10) | st.none()),
}
room_bodies = st.one_of(json_values, st.fixed_dictionaries({}, optional=room_fields))
consent_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {}, optional={"participant": _near(st.text(max_size=30)), "choice": _near(st.sampled_from(list(ConsentChoice)))}
    ),
)
rename_bodies = st.one_of(json_values, st.fixed_dictionaries({}, optional={"name": _near(st.text(max_size=30))}))

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_room_endpoints_never_500() -> None:
    world = make_world()
    world.store.rooms["fixed"] = Room(name="fixed", platform=Platform.DAILY, id="room-fixed", owner=OWNER)
    with TestClient(app=make_app(world)) as client:
        client.headers.update(world.auth)

        @FUZZ
        @given(body=room_bodies)
        def check(body: Any) -> None:
            created = client.post("/v1/rooms", json=body)
            assert created.status_code in (201, 400, 409, 422), created.text
            updated = client.patch("/v1/rooms/fixed", json=body)
            assert updated.status_code in (200, 400, 422), updated.text

        check()


def test_consent_and_rename_never_500() -> None:
    world = make_world()
    meeting = add_meeting(world)
    transcript = add_transcript(world)
    with TestClient(app=make_app(world)) as client:
        client.headers.update(world.auth)

        @FUZZ
        @given(consent=consent_bodies, rename=rename_bodies, speaker=st.integers(-5, 5))
        def check(consent: Any, rename: Any, speaker: int) -> None:
            r = client.post(f"/v1/meetings/{meeting.id}/consent", json=consent)
            assert r.status_code in (201, 400, 422), r.text
            r = client.patch(f"/v1/transcripts/{transcript.id}/participants/{speaker}", json=rename)
            assert r.status_code in (200, 400, 404, 422), r.text

        check()


def test_raw_garbage_bodies_never_500() -> None:
    world = make_world()
    with TestClient(app=make_app(world)) as client:
        client.headers.update(world.auth)

        @FUZZ
        @given(
            body=st.binary(max_size=200),
            path=st.sampled_from(["/v1/rooms", "/v1/daily/webhook", "/v1/whereby/webhook"]),
        )
        def check(body: bytes, path: str) -> None:
            r = client.post(path, content=body, headers={"Content-Type": "application/json"})
            assert r.status_code < 500, r.text

        check()
