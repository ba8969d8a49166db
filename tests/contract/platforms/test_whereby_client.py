"""The Whereby adapter against recorded Whereby answers: exact requests, pagination, retries, errors."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime

import httpx
import pytest

from reflector_adapters.platform_api import RetryPolicy
from reflector_adapters.whereby.client import WherebyClient, WherebySettings, room_name_prefix
from reflector_core.errors import (
    ConfigurationError,
    InvalidInputError,
    PayloadError,
    PlatformError,
    PlatformUnavailableError,
)
from reflector_core.model import Meeting, ParticipantSession, Platform, RecordingKind, Room
from reflector_core.ports import VideoPlatform

from .support import FixedClock, Script, Sleeps, Step, fixture, json_reply, raise_

KEY = "whereby-test-key"
START = datetime(2026, 3, 12, 13, 58, 44, tzinfo=UTC)
END = datetime(2026, 3, 12, 16, 0, tzinfo=UTC)
ROOM = "/consult-3f9a1c2e-8b7d-4e6f-a5c4-1d2e3f4a5b6c"


def settings(**overrides: object) -> WherebySettings:
    destination = fixture("whereby/meetings_create_request.json")["recording"]["destination"]
    values: dict[str, object] = {
        "api_key": KEY,
        "recordings_bucket": "acmecare-whereby-recordings",
        "recordings_prefix": "raw",
        "upload_access_key_id": destination["accessKeyId"],
        "upload_secret_access_key": destination["accessKeySecret"],
    }
    values.update(overrides)
    return WherebySettings(**values)  # type: ignore[arg-type]


def whereby(script: Script, sleeps: Sleeps | None = None, **overrides: object) -> WherebyClient:
    return WherebyClient(
        settings(**overrides),
        client=script.client(),
        sleep=sleeps or Sleeps(),
        retry=RetryPolicy(attempts=3, base_delay=0.5, jitter=0.0, max_retry_after=30),
        clock=FixedClock(START),
    )


def meeting() -> Meeting:
    return Meeting(
        platform=Platform.WHEREBY,
        platform_meeting_id="104857193",
        platform_room_name=ROOM,
        room_url=f"https://acmecare.whereby.com{ROOM}",
        host_room_url=f"https://acmecare.whereby.com{ROOM}?roomKey=x",
        start=START,
        end=END,
        room_name="consult",
        id="m-9",
    )


def test_implements_the_platform_port() -> None:
    client = WherebyClient(settings(), client=Script().client())
    assert client.platform is Platform.WHEREBY
    for name in ("create_meeting", "delete_meeting", "room_sessions", "join_token", "upload_logo"):
        assert inspect.iscoroutinefunction(getattr(client, name)), name
    typed: VideoPlatform = client
    assert typed


def test_settings_require_the_upload_keys_and_hide_them() -> None:
    with pytest.raises(ConfigurationError, match="upload_secret_access_key"):
        settings(upload_secret_access_key="")
    text = repr(settings())
    assert "wJalrXUtnFEMI" not in text and KEY not in text
    assert settings(recordings_prefix="").destination_bucket == "acmecare-whereby-recordings"
    assert settings(recordings_prefix="/raw/").destination_bucket == "acmecare-whereby-recordings/raw"


@pytest.mark.parametrize(
    ("name", "prefix"),
    [("consult", "consult"), ("Intake_Room-2", "intakeroom2"), ("x" * 60, "x" * 39), ("---", "")],
)
def test_room_name_prefix_follows_whereby_pattern(name: str, prefix: str) -> None:
    assert room_name_prefix(name) == prefix


async def test_create_meeting_sends_the_documented_request() -> None:
    script = Script(Step("POST", "/v1/meetings", json_reply(201, fixture("whereby/meetings_create_response.json"))))
    room = Room(name="consult", platform=Platform.WHEREBY, recording_kind=RecordingKind.CLOUD, locked=True)

    created = await whereby(script).create_meeting(room, start=START, end=END)

    assert script.requests[0].headers["Authorization"] == f"Bearer {KEY}"
    assert script.body(0) == fixture("whereby/meetings_create_request.json")
    response = fixture("whereby/meetings_create_response.json")
    assert created == Meeting(
        platform=Platform.WHEREBY,
        platform_meeting_id="104857193",
        platform_room_name=ROOM,
        room_url=response["roomUrl"],
        host_room_url=response["hostRoomUrl"],
        start=START,
        end=END,
        room_name="consult",
    )


async def test_meeting_without_recording_sends_no_upload_keys() -> None:
    script = Script(Step("POST", "/v1/meetings", json_reply(201, fixture("whereby/meetings_create_response.json"))))
    room = Room(name="consult", platform=Platform.WHEREBY, recording_kind=RecordingKind.NONE)
    await whereby(script, room_mode="group").create_meeting(room, start=START, end=END)
    body = script.body(0)
    assert "recording" not in body
    assert (body["isLocked"], body["roomMode"]) == (False, "group")


async def test_create_meeting_refuses_naive_times() -> None:
    script = Script()
    with pytest.raises(InvalidInputError, match="naive"):
        await whereby(script).create_meeting(
            Room(name="consult", platform=Platform.WHEREBY), start=START, end=END.replace(tzinfo=None)
        )
    assert script.requests == []


async def test_create_meeting_is_not_repeated_after_a_server_error() -> None:
    script = Script(Step("POST", "/v1/meetings", httpx.Response(500, text="internal")))
    with pytest.raises(PlatformUnavailableError) as caught:
        await whereby(script).create_meeting(Room(name="consult", platform=Platform.WHEREBY), start=START, end=END)
    assert caught.value.status == 500
    assert len(script.requests) == 1


async def test_create_meeting_waits_out_a_rate_limit_using_ms_left() -> None:
    sleeps = Sleeps()
    script = Script(
        Step("POST", "/v1/meetings", json_reply(429, fixture("whereby/error_rate_limited.json"))),
        Step("POST", "/v1/meetings", json_reply(201, fixture("whereby/meetings_create_response.json"))),
    )
    await whereby(script, sleeps).create_meeting(Room(name="consult", platform=Platform.WHEREBY), start=START, end=END)
    assert sleeps.waits == [21.45]


async def test_retry_after_header_wins_over_ms_left() -> None:
    sleeps = Sleeps()
    limited = json_reply(429, fixture("whereby/error_rate_limited.json"), headers={"Retry-After": "3"})
    script = Script(
        Step("DELETE", "/v1/meetings/104857193", limited),
        Step("DELETE", "/v1/meetings/104857193", httpx.Response(204)),
    )
    await whereby(script, sleeps).delete_meeting(meeting())
    assert sleeps.waits == [3.0]


async def test_rate_limit_longer_than_we_wait_gives_up_at_once() -> None:
    sleeps = Sleeps()
    body = {"error": "Rate limit active for throttle key: organization:48213", "data": {"msLeft": 45000}}
    script = Script(Step("DELETE", "/v1/meetings/104857193", json_reply(429, body)))
    with pytest.raises(PlatformUnavailableError) as caught:
        await whereby(script, sleeps).delete_meeting(meeting())
    assert caught.value.status == 429
    assert "Rate limit active" in caught.value.info
    assert sleeps.waits == []


async def test_delete_meeting_accepts_204_and_404() -> None:
    script = Script(
        Step("DELETE", "/v1/meetings/104857193", httpx.Response(204)),
        Step("DELETE", "/v1/meetings/104857193", httpx.Response(404, json={"error": "Meeting not found"})),
    )
    client = whereby(script)
    await client.delete_meeting(meeting())
    await client.delete_meeting(meeting())
    assert script.done()


async def test_delete_meeting_unauthorised_is_a_platform_error() -> None:
    script = Script(Step("DELETE", "/v1/meetings/104857193", json_reply(401, {"error": "Unauthorized"})))
    with pytest.raises(PlatformError) as caught:
        await whereby(script).delete_meeting(meeting())
    assert (caught.value.status, caught.value.code, caught.value.info) == (401, None, "Unauthorized")


async def test_room_sessions_from_insights() -> None:
    script = Script(Step("GET", "/v1/insights/room-sessions", json_reply(200, fixture("whereby/room_sessions.json"))))
    sessions = await whereby(script).room_sessions(meeting())
    assert script.query(0) == {"roomName": ROOM, "limit": "100"}
    assert sessions == [
        ParticipantSession(
            meeting_id="m-9",
            session_id="0d9c8b7a-6f5e-4d3c-b2a1-9f8e7d6c5b4a",
            joined_at=datetime(2026, 3, 12, 15, 10, 2, tzinfo=UTC),
        ),
        ParticipantSession(
            meeting_id="m-9",
            session_id="7c1e9b2a-4d3f-4a8e-b6c5-0e9d8f7a6b51",
            joined_at=datetime(2026, 3, 12, 14, 3, 5, tzinfo=UTC),
            left_at=datetime(2026, 3, 12, 14, 48, 11, tzinfo=UTC),
        ),
    ]


async def test_room_sessions_follow_the_cursor() -> None:
    full = fixture("whereby/room_sessions.json")
    first = {"cursor": "c-2", "results": full["results"][:1]}
    second = {"cursor": None, "results": full["results"][1:]}
    script = Script(
        Step("GET", "/v1/insights/room-sessions", json_reply(200, first)),
        Step("GET", "/v1/insights/room-sessions", json_reply(200, second)),
    )
    sessions = await whereby(script, sessions_page_size=1).room_sessions(meeting())
    assert len(sessions) == 2
    assert script.query(1) == {"roomName": ROOM, "limit": "1", "cursor": "c-2"}


async def test_room_sessions_accept_the_openapi_field_names() -> None:
    body = {"cursor": None, "results": [{"roomSessionId": "s", "createdAt": "2026-03-12T14:03:05Z", "endAt": None}]}
    script = Script(Step("GET", "/v1/insights/room-sessions", json_reply(200, body)))
    (session,) = await whereby(script).room_sessions(meeting())
    assert session.joined_at == datetime(2026, 3, 12, 14, 3, 5, tzinfo=UTC)


async def test_room_sessions_stop_a_repeating_cursor() -> None:
    page = {"cursor": "same", "results": fixture("whereby/room_sessions.json")["results"]}
    script = Script(*(Step("GET", "/v1/insights/room-sessions", json_reply(200, page)) for _ in range(2)))
    with pytest.raises(PayloadError, match="repeats"):
        await whereby(script).room_sessions(meeting())


async def test_room_sessions_timeouts_are_retried() -> None:
    sleeps = Sleeps()
    script = Script(
        Step("GET", "/v1/insights/room-sessions", raise_(httpx.ReadTimeout)),
        Step("GET", "/v1/insights/room-sessions", raise_(httpx.ConnectTimeout)),
        Step("GET", "/v1/insights/room-sessions", json_reply(200, {"cursor": None, "results": []})),
    )
    assert await whereby(script, sleeps).room_sessions(meeting()) == []
    assert sleeps.waits == [0.5, 1.0]


@pytest.mark.parametrize(
    "body",
    [
        {"results": [{"roomSessionId": "s"}]},
        {"results": [{"roomSessionId": "s", "startedAt": "not a time"}]},
        {"results": ["s"]},
        {"results": None},
        [],
    ],
)
async def test_malformed_room_sessions_are_payload_errors(body: object) -> None:
    script = Script(Step("GET", "/v1/insights/room-sessions", json_reply(200, body)))
    with pytest.raises(PayloadError):
        await whereby(script).room_sessions(meeting())


async def test_whereby_has_no_join_tokens() -> None:
    script = Script()
    assert await whereby(script).join_token(meeting(), user_id="u", name="n", owner=True, expires_at=END) is None
    assert script.requests == []


async def test_upload_logo_sends_multipart_image() -> None:
    script = Script(
        Step("PUT", "/v1/rooms/consult-3f9a1c2e-8b7d-4e6f-a5c4-1d2e3f4a5b6c/theme/logo", httpx.Response(204))
    )
    png = b"\x89PNG\r\n\x1a\nfake"
    await whereby(script).upload_logo(ROOM, png)
    request = script.requests[0]
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'name="image"; filename="logo.png"' in request.content
    assert b"Content-Type: image/png" in request.content
    assert png in request.content


async def test_upload_logo_refuses_an_empty_image() -> None:
    script = Script()
    with pytest.raises(InvalidInputError):
        await whereby(script).upload_logo(ROOM, b"")
    assert script.requests == []
