"""The Daily adapter against recorded Daily answers: exact requests, pagination, retries, errors."""

from __future__ import annotations

import copy
import inspect
from datetime import UTC, datetime

import httpx
import pytest

from reflector_adapters.daily.client import DailyClient, DailySettings
from reflector_adapters.platform_api import RetryPolicy
from reflector_core.errors import (
    ConfigurationError,
    InvalidInputError,
    PayloadError,
    PlatformError,
    PlatformUnavailableError,
)
from reflector_core.model import Meeting, Platform, RecordingKind, Room, TrackKind
from reflector_core.naming import speech_tracks
from reflector_core.ports import (
    ParticipantDirectory,
    PlatformParticipant,
    RecordingControl,
    RecordingSource,
    VideoPlatform,
)

from .support import FixedClock, Script, Sleeps, Step, fixture, json_reply, raise_

API = "https://api.daily.co/v1"
KEY = "daily-test-key"
START = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)
END = datetime(2026, 3, 12, 16, 0, tzinfo=UTC)
ROOM_NAME = "intake-20260312140000"
B = "9f4e2b71-3c8a-4d56-b0e7-5a1c9d3f2e68"
C = "2b7d9e14-8f6a-4c3b-a1d5-7e0f9c2b4a86"
E = "5c3a1f8e-2d4b-4e9a-b7c6-0f1e2d3c4b5a"
F = "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b"
G = "3d2c1b0a-9f8e-4d7c-a6b5-4c3d2e1f0a9b"
P1 = "4d9c2a1e-7b3f-4e85-a0d2-6f1b8c3e5a97"
P2 = "b82f0e6c-1d47-4a3b-9c5e-3e7a2d9f1b04"
SESSION = "e3a1c7d2-5b4f-4f0e-9a61-2c8d7b3e9f10"


def settings(**overrides: object) -> DailySettings:
    values: dict[str, object] = {
        "api_key": KEY,
        "recordings_bucket": "acmecare-daily-raw-tracks",
        "bucket_region": "eu-central-1",
        "assume_role_arn": "arn:aws:iam::210987654321:role/DailyRecordingsWriter",
        "max_participants": 4,
    }
    values.update(overrides)
    return DailySettings(**values)  # type: ignore[arg-type]


def daily(script: Script, sleeps: Sleeps | None = None, **overrides: object) -> DailyClient:
    return DailyClient(
        settings(**overrides),
        client=script.client(),
        sleep=sleeps or Sleeps(),
        retry=RetryPolicy(attempts=3, base_delay=0.5, jitter=0.0),
        clock=FixedClock(START),
    )


def meeting() -> Meeting:
    return Meeting(
        platform=Platform.DAILY,
        platform_meeting_id="6f0e5d4c-3b2a-4190-8f7e-6d5c4b3a2f10",
        platform_room_name=ROOM_NAME,
        room_url=f"https://acmecare.daily.co/{ROOM_NAME}",
        host_room_url=f"https://acmecare.daily.co/{ROOM_NAME}",
        start=START,
        end=END,
        room_name="intake",
        id="m-1",
    )


def test_implements_the_platform_ports() -> None:
    client = DailyClient(settings(), client=Script().client())
    assert client.platform is Platform.DAILY
    for name in ("create_meeting", "delete_meeting", "room_sessions", "join_token", "get_recording", "participants"):
        assert inspect.iscoroutinefunction(getattr(client, name)), name
    assert inspect.isasyncgenfunction(client.recordings_newest_first)
    typed: tuple[VideoPlatform, RecordingSource, ParticipantDirectory, RecordingControl] = (client,) * 4
    assert typed


def test_settings_refuse_missing_values_and_bad_page_sizes() -> None:
    with pytest.raises(ConfigurationError, match="api_key"):
        settings(api_key="")
    with pytest.raises(ConfigurationError, match="assume_role_arn"):
        settings(assume_role_arn=" ")
    with pytest.raises(ConfigurationError, match="recordings_page_size"):
        settings(recordings_page_size=101)
    assert "daily-test-key" not in repr(settings())


# --- rooms -------------------------------------------------------------------------------------


async def test_create_meeting_sends_the_documented_room_request() -> None:
    script = Script(Step("POST", "/v1/rooms", json_reply(200, fixture("daily/rooms_create_response.json"))))
    room = Room(name="intake", platform=Platform.DAILY, recording_kind=RecordingKind.RAW_TRACKS, locked=True)

    created = await daily(script).create_meeting(room, start=START, end=END)

    request = script.requests[0]
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.headers["Content-Type"] == "application/json"
    expected = fixture("daily/rooms_create_request.json")
    expected["properties"]["enable_knocking"] = True  # locked rooms let token-less people knock
    assert script.body(0) == expected
    assert created == Meeting(
        platform=Platform.DAILY,
        platform_meeting_id="6f0e5d4c-3b2a-4190-8f7e-6d5c4b3a2f10",
        platform_room_name=ROOM_NAME,
        room_url=f"https://acmecare.daily.co/{ROOM_NAME}",
        host_room_url=f"https://acmecare.daily.co/{ROOM_NAME}",
        start=START,
        end=END,
        room_name="intake",
    )


async def test_create_meeting_names_the_room_in_utc_whatever_the_callers_zone() -> None:
    from datetime import timedelta, timezone

    script = Script(Step("POST", "/v1/rooms", json_reply(200, fixture("daily/rooms_create_response.json"))))
    berlin = timezone(timedelta(hours=1))
    await daily(script).create_meeting(
        Room(name="intake", platform=Platform.DAILY), start=START.astimezone(berlin), end=END.astimezone(berlin)
    )
    assert script.body(0)["name"] == ROOM_NAME


async def test_open_room_without_recording_has_no_bucket_and_no_knocking() -> None:
    script = Script(Step("POST", "/v1/rooms", json_reply(200, fixture("daily/rooms_create_response.json"))))
    room = Room(name="intake", platform=Platform.DAILY, recording_kind=RecordingKind.NONE)

    await daily(script, join_lead=None, max_participants=None).create_meeting(room, start=START, end=END)

    assert script.body(0) == {
        "name": ROOM_NAME,
        "privacy": "public",
        "properties": {"exp": 1773331200, "eject_at_room_exp": True},
    }


async def test_cloud_room_asks_for_cloud_recording_into_our_bucket() -> None:
    script = Script(Step("POST", "/v1/rooms", json_reply(200, fixture("daily/rooms_create_response.json"))))
    room = Room(name="intake", platform=Platform.DAILY, recording_kind=RecordingKind.CLOUD)
    await daily(script).create_meeting(room, start=START, end=END)
    props = script.body(0)["properties"]
    assert props["enable_recording"] == "cloud"
    assert props["recordings_bucket"]["assume_role_arn"].endswith("DailyRecordingsWriter")
    assert "aws_access_key_id" not in str(props)


async def test_create_meeting_rejects_an_end_before_the_start_without_calling() -> None:
    script = Script()
    with pytest.raises(InvalidInputError):
        await daily(script).create_meeting(Room(name="intake", platform=Platform.DAILY), start=END, end=START)
    assert script.requests == []


async def test_create_meeting_error_body_becomes_a_typed_error_and_is_not_retried() -> None:
    script = Script(Step("POST", "/v1/rooms", json_reply(400, fixture("daily/error_response.json"))))
    with pytest.raises(PlatformError) as caught:
        await daily(script).create_meeting(Room(name="intake", platform=Platform.DAILY), start=START, end=END)
    err = caught.value
    assert not isinstance(err, PlatformUnavailableError)
    assert (err.platform, err.operation, err.status, err.code) == ("daily", "create room", 400, "invalid-request-error")
    assert "could not assume role" in err.info
    assert len(script.requests) == 1


async def test_create_meeting_is_not_repeated_after_a_server_error_or_timeout() -> None:
    for reply in (json_reply(503, {"error": "server-error", "info": "try later"}), raise_(httpx.ReadTimeout)):
        script = Script(Step("POST", "/v1/rooms", reply))
        with pytest.raises(PlatformUnavailableError):
            await daily(script).create_meeting(Room(name="intake", platform=Platform.DAILY), start=START, end=END)
        assert len(script.requests) == 1


async def test_create_meeting_is_repeated_after_a_rate_limit_or_connection_refusal() -> None:
    ok = json_reply(200, fixture("daily/rooms_create_response.json"))
    sleeps = Sleeps()
    script = Script(
        Step("POST", "/v1/rooms", json_reply(429, fixture("daily/error_rate_limited.json"))),
        Step("POST", "/v1/rooms", raise_(httpx.ConnectError)),
        Step("POST", "/v1/rooms", ok),
    )
    created = await daily(script, sleeps).create_meeting(
        Room(name="intake", platform=Platform.DAILY), start=START, end=END
    )
    assert created.platform_room_name == ROOM_NAME
    assert sleeps.waits == [0.5, 1.0]
    assert script.body(0) == script.body(2)


async def test_delete_room_succeeds_and_treats_404_as_already_deleted() -> None:
    script = Script(
        Step("DELETE", f"/v1/rooms/{ROOM_NAME}", json_reply(200, fixture("daily/rooms_delete_response.json"))),
        Step("DELETE", f"/v1/rooms/{ROOM_NAME}", json_reply(404, {"error": "not-found", "info": "no such room"})),
    )
    client = daily(script)
    await client.delete_meeting(meeting())
    await client.delete_meeting(meeting())
    assert script.done()


async def test_delete_room_retries_server_errors_then_gives_up() -> None:
    err = json_reply(502, {"error": "server-error", "info": "bad gateway"})
    script = Script(*(Step("DELETE", f"/v1/rooms/{ROOM_NAME}", err) for _ in range(3)))
    sleeps = Sleeps()
    with pytest.raises(PlatformUnavailableError) as caught:
        await daily(script, sleeps).delete_meeting(meeting())
    assert caught.value.status == 502
    assert sleeps.waits == [0.5, 1.0]


async def test_room_name_cannot_escape_its_path_segment() -> None:
    script = Script(Step("DELETE", "/v1/rooms/..%2Frecordings", json_reply(200, {})))
    bad = meeting()
    import attrs

    await daily(script).delete_meeting(attrs.evolve(bad, platform_room_name="../recordings"))
    assert script.requests[0].url.raw_path == b"/v1/rooms/..%2Frecordings"


# --- presence and tokens -----------------------------------------------------------------------


async def test_room_sessions_reads_presence() -> None:
    script = Script(
        Step("GET", f"/v1/rooms/{ROOM_NAME}/presence", json_reply(200, fixture("daily/room_presence.json")))
    )
    sessions = await daily(script).room_sessions(meeting())
    assert [(s.meeting_id, s.session_id, s.user_id, s.name, s.joined_at) for s in sessions] == [
        ("m-1", P1, "usr-7Q2M9", "Dr. Lena Okafor", datetime(2026, 3, 12, 14, 0, 12, tzinfo=UTC)),
        ("m-1", P2, "usr-3K8P1", "Tomás Rivera", datetime(2026, 3, 12, 14, 1, 3, tzinfo=UTC)),
    ]
    assert all(s.left_at is None for s in sessions)


async def test_presence_with_null_names_is_not_an_error() -> None:
    body = fixture("daily/room_presence.json")
    body["data"][0]["userName"] = None
    body["data"][0]["userId"] = None
    script = Script(Step("GET", f"/v1/rooms/{ROOM_NAME}/presence", json_reply(200, body)))
    sessions = await daily(script).room_sessions(meeting())
    assert (sessions[0].name, sessions[0].user_id) == (None, None)


async def test_join_token_sends_the_documented_request() -> None:
    script = Script(
        Step("POST", "/v1/meeting-tokens", json_reply(200, fixture("daily/meeting_token_create_response.json")))
    )
    token = await daily(script).join_token(
        meeting(), user_id="usr-3K8P1", name="Tomás Rivera", owner=False, expires_at=END
    )
    assert script.body(0) == fixture("daily/meeting_token_create_request.json")
    assert token == fixture("daily/meeting_token_create_response.json")["token"]


async def test_owner_token_without_user_still_names_the_room() -> None:
    script = Script(Step("POST", "/v1/meeting-tokens", json_reply(200, {"token": "t"})))
    await daily(script, join_lead=None).join_token(meeting(), user_id=None, name=None, owner=True, expires_at=END)
    assert script.body(0) == {
        "properties": {"room_name": ROOM_NAME, "is_owner": True, "exp": 1773331200, "eject_at_token_exp": True}
    }


async def test_join_token_refuses_overlong_user_ids_before_calling() -> None:
    script = Script()
    with pytest.raises(InvalidInputError, match="36"):
        await daily(script).join_token(meeting(), user_id="u" * 37, name=None, owner=False, expires_at=END)
    assert script.requests == []


async def test_token_response_without_token_is_a_payload_error() -> None:
    script = Script(Step("POST", "/v1/meeting-tokens", json_reply(200, {"tokn": "x"})))
    with pytest.raises(PayloadError, match="token"):
        await daily(script).join_token(meeting(), user_id=None, name=None, owner=True, expires_at=END)


# --- recordings --------------------------------------------------------------------------------


def _pages(*bodies: object) -> Script:
    return Script(*(Step("GET", "/v1/recordings", json_reply(200, body)) for body in bodies))


async def test_recordings_walk_every_page_until_an_empty_one() -> None:
    script = _pages(
        fixture("daily/recordings_list_page1.json"),
        fixture("daily/recordings_list_page2.json"),
        {"total_count": 5, "data": []},
    )
    found = [r async for r in daily(script, recordings_page_size=3).recordings_newest_first()]

    assert [r.platform_recording_id for r in found] == [C, E, B, F, G]
    assert [script.query(i) for i in range(3)] == [
        {"limit": "3"},
        {"limit": "3", "starting_after": B},
        {"limit": "3", "starting_after": G},
    ]
    assert all(r.headers["Authorization"] == f"Bearer {KEY}" for r in script.requests)

    rec_c, rec_e, rec_b, rec_f, rec_g = found
    # C: P1 alone and muted: one video track, no speech.
    assert [t.kind for t in rec_c.tracks] == [TrackKind.VIDEO]
    assert speech_tracks(rec_c.tracks) == []
    assert rec_c.kind is RecordingKind.RAW_TRACKS
    # E: still recording: no duration, no tracks.
    assert (rec_e.duration, rec_e.tracks, rec_e.platform_room_name) == (None, (), "followup-20260312143000")
    # B: all three tracks kept; speech_tracks leaves the two cam-audio ones.
    assert rec_b.duration == 2207
    assert rec_b.started_at == datetime(2026, 3, 12, 14, 2, 5, tzinfo=UTC)
    assert rec_b.platform_session_id == SESSION
    assert rec_b.object_key == "acmecare/intake-20260312140000/1773324125512"
    assert rec_b.bucket == "acmecare-daily-raw-tracks"
    assert len(rec_b.tracks) == 3
    expected_keys = fixture("_expected.json")["daily_audio_track_keys_for_recording_B"]
    assert [t.key for t, _ in speech_tracks(rec_b.tracks)] == expected_keys
    assert [t.participant_id for t in rec_b.audio_tracks] == [P1, P2]
    assert rec_b.audio_tracks[0].offset == pytest.approx(0.435)
    assert rec_b.audio_tracks[0].size == 2483911
    # F and G: no tracks and no type; neither can be told apart from the payload.
    assert rec_f.tracks == rec_g.tracks == ()
    assert {rec_f.kind, rec_g.kind} == {RecordingKind.RAW_TRACKS}


async def test_recordings_stop_at_a_known_id_without_fetching_further() -> None:
    script = _pages(fixture("daily/recordings_list_page1.json"))
    found = [r async for r in daily(script, recordings_page_size=3).recordings_newest_first(stop_at=B)]
    assert [r.platform_recording_id for r in found] == [C, E]
    assert script.done() and len(script.requests) == 1


async def test_recordings_cross_a_page_boundary_to_reach_the_known_id() -> None:
    script = _pages(fixture("daily/recordings_list_page1.json"), fixture("daily/recordings_list_page2.json"))
    found = [r async for r in daily(script, recordings_page_size=3).recordings_newest_first(stop_at=G)]
    assert [r.platform_recording_id for r in found] == [C, E, B, F]
    assert script.query(1) == {"limit": "3", "starting_after": B}


async def test_recordings_default_to_pages_of_100() -> None:
    script = _pages({"total_count": 0, "data": []})
    assert [r async for r in daily(script).recordings_newest_first()] == []
    assert script.query(0) == {"limit": "100"}


async def test_recordings_rate_limit_honours_retry_after_then_succeeds() -> None:
    sleeps = Sleeps()
    limited = json_reply(429, fixture("daily/error_rate_limited.json"), headers={"Retry-After": "2"})
    script = Script(
        Step("GET", "/v1/recordings", limited),
        Step("GET", "/v1/recordings", json_reply(200, fixture("daily/recordings_list_page2.json"))),
        Step("GET", "/v1/recordings", json_reply(200, {"data": []})),
    )
    found = [r async for r in daily(script, sleeps, recordings_page_size=3).recordings_newest_first()]
    assert [r.platform_recording_id for r in found] == [F, G]
    assert sleeps.waits == [2.0]
    assert script.query(0) == script.query(1)


async def test_recordings_rate_limit_with_an_http_date_retry_after() -> None:
    sleeps = Sleeps()
    limited = json_reply(
        429, fixture("daily/error_rate_limited.json"), headers={"Retry-After": "Thu, 12 Mar 2026 14:00:07 GMT"}
    )
    script = Script(
        Step("GET", "/v1/recordings", limited), Step("GET", "/v1/recordings", json_reply(200, {"data": []}))
    )
    assert [r async for r in daily(script, sleeps).recordings_newest_first()] == []
    assert sleeps.waits == [7.0]


async def test_recordings_rate_limit_backs_off_exponentially_then_gives_up() -> None:
    sleeps = Sleeps()
    limited = json_reply(429, fixture("daily/error_rate_limited.json"))
    script = Script(*(Step("GET", "/v1/recordings", limited) for _ in range(3)))
    with pytest.raises(PlatformUnavailableError) as caught:
        [r async for r in daily(script, sleeps).recordings_newest_first()]
    assert (caught.value.status, caught.value.code) == (429, "rate-limit-error")
    assert sleeps.waits == [0.5, 1.0]
    assert len(script.requests) == 3


async def test_a_retry_after_beyond_the_limit_is_not_waited_for() -> None:
    sleeps = Sleeps()
    limited = json_reply(429, fixture("daily/error_rate_limited.json"), headers={"Retry-After": "600"})
    script = Script(Step("GET", "/v1/recordings", limited))
    with pytest.raises(PlatformUnavailableError, match="600 s"):
        [r async for r in daily(script, sleeps).recordings_newest_first()]
    assert sleeps.waits == []


async def test_recordings_timeouts_are_retried_then_reported_as_unavailable() -> None:
    sleeps = Sleeps()
    script = Script(
        Step("GET", "/v1/recordings", raise_(httpx.ReadTimeout)),
        Step("GET", "/v1/recordings", json_reply(200, {"data": []})),
    )
    assert [r async for r in daily(script, sleeps).recordings_newest_first()] == []
    assert sleeps.waits == [0.5]

    script = Script(*(Step("GET", "/v1/recordings", raise_(httpx.ReadTimeout)) for _ in range(3)))
    with pytest.raises(PlatformUnavailableError) as caught:
        [r async for r in daily(script).recordings_newest_first()]
    assert (caught.value.status, caught.value.code) == (None, "timeout")


async def test_recordings_auth_failure_is_a_platform_error_without_retry() -> None:
    script = Script(
        Step("GET", "/v1/recordings", json_reply(401, {"error": "authentication-error", "info": "bad key"}))
    )
    with pytest.raises(PlatformError) as caught:
        [r async for r in daily(script).recordings_newest_first()]
    assert (caught.value.status, caught.value.code, caught.value.info) == (401, "authentication-error", "bad key")
    assert len(script.requests) == 1


async def test_error_without_json_body_keeps_the_text() -> None:
    script = Script(Step("GET", "/v1/recordings", httpx.Response(403, text="<html>Forbidden</html>")))
    with pytest.raises(PlatformError) as caught:
        [r async for r in daily(script).recordings_newest_first()]
    assert (caught.value.status, caught.value.code) == (403, None)
    assert "Forbidden" in caught.value.info


@pytest.mark.parametrize(
    "body",
    [
        {"total_count": 1},
        {"data": "nope"},
        {"data": [{"room_name": "x"}]},
        {"data": [{"id": 42}]},
        {"data": [{"id": "r", "start_ts": "yesterday"}]},
        {"data": [{"id": "r", "tracks": [{"type": "audio"}]}]},
        {"data": [{"id": "r", "tracks": [{"type": "subtitles", "s3Key": "a/b/c"}]}]},
        {"data": [{"id": "r", "type": "hologram"}]},
        {"data": [{"id": "r", "start_ts": 1e300}]},
    ],
)
async def test_malformed_recording_pages_are_payload_errors(body: object) -> None:
    script = _pages(body)
    with pytest.raises(PayloadError):
        [r async for r in daily(script).recordings_newest_first()]


async def test_a_non_json_success_is_a_payload_error() -> None:
    script = Script(Step("GET", "/v1/recordings", httpx.Response(200, text="<html>maintenance</html>")))
    with pytest.raises(PayloadError, match="not JSON"):
        [r async for r in daily(script).recordings_newest_first()]


async def test_pagination_that_does_not_advance_is_stopped() -> None:
    page = {"data": [{"id": "only"}]}
    script = _pages(page, page)
    with pytest.raises(PayloadError, match="not advancing"):
        [r async for r in daily(script).recordings_newest_first()]
    assert len(script.requests) == 2


async def test_get_recording() -> None:
    script = Script(Step("GET", f"/v1/recordings/{B}", json_reply(200, fixture("daily/recording_get.json"))))
    recording = await daily(script).get_recording(B)
    assert recording.platform is Platform.DAILY
    assert recording.platform_recording_id == B
    assert [t.key for t, _ in speech_tracks(recording.tracks)] == fixture("_expected.json")[
        "daily_audio_track_keys_for_recording_B"
    ]


async def test_get_recording_accepts_every_key_spelling_and_null_tracks() -> None:
    original = fixture("daily/recording_get.json")
    variant = copy.deepcopy(original)
    variant["s3_key"] = variant.pop("s3key")
    variant["tracks"][0]["s3key"] = variant["tracks"][0].pop("s3Key")
    variant["tracks"][1]["s3_key"] = variant["tracks"][1].pop("s3Key")
    nulled = copy.deepcopy(original)
    nulled["tracks"] = None
    nulled["mtgSessionId"] = None
    script = Script(
        Step("GET", f"/v1/recordings/{B}", json_reply(200, original)),
        Step("GET", f"/v1/recordings/{B}", json_reply(200, variant)),
        Step("GET", f"/v1/recordings/{B}", json_reply(200, nulled)),
    )
    client = daily(script)
    first, second, third = [await client.get_recording(B) for _ in range(3)]
    assert first == second
    assert third.tracks == ()
    assert third.platform_session_id is None


async def test_get_missing_recording_is_a_404_platform_error() -> None:
    script = Script(Step("GET", "/v1/recordings/nope", json_reply(404, {"error": "not-found", "info": "no recording"})))
    with pytest.raises(PlatformError) as caught:
        await daily(script).get_recording("nope")
    assert caught.value.status == 404


# --- participants ------------------------------------------------------------------------------


async def test_participants_page_with_joined_after_until_404() -> None:
    path = f"/v1/meetings/{SESSION}/participants"
    script = Script(
        Step("GET", path, json_reply(200, fixture("daily/meeting_participants.json"))),
        Step("GET", path, json_reply(404, {"error": "not-found", "info": "no more participants"})),
    )
    found = await daily(script, participants_page_size=2).participants(SESSION)
    assert found == [
        PlatformParticipant(P1, "usr-7Q2M9", "Dr. Lena Okafor", datetime(2026, 3, 12, 14, 0, 15, tzinfo=UTC), 3128),
        PlatformParticipant(P2, "usr-3K8P1", "Tomás Rivera", datetime(2026, 3, 12, 14, 1, 0, tzinfo=UTC), 2250),
    ]
    assert script.query(0) == {"limit": "2"}
    assert script.query(1) == {"limit": "2", "joined_after": P2}


async def test_participants_end_on_an_empty_page_too() -> None:
    path = f"/v1/meetings/{SESSION}/participants"
    script = Script(
        Step("GET", path, json_reply(200, fixture("daily/meeting_participants.json"))),
        Step("GET", path, json_reply(200, {"data": []})),
    )
    assert len(await daily(script).participants(SESSION)) == 2


async def test_participants_without_a_session_id_degrade_to_none_without_calling() -> None:
    script = Script()
    assert await daily(script).participants(None) == []
    assert await daily(script).participants("") == []
    assert script.requests == []


async def test_participants_of_an_unknown_session_are_none() -> None:
    script = Script(Step("GET", "/v1/meetings/gone/participants", json_reply(404, {"error": "not-found"})))
    assert await daily(script).participants("gone") == []


async def test_participants_redact_hipaa_user_ids() -> None:
    body = fixture("daily/meeting_participants.json")
    body["data"][0]["user_id"] = "hipaa"
    script = Script(
        Step("GET", f"/v1/meetings/{SESSION}/participants", json_reply(200, body)),
        Step("GET", f"/v1/meetings/{SESSION}/participants", json_reply(404, {})),
    )
    found = await daily(script).participants(SESSION)
    assert found[0].user_id is None


async def test_participants_server_errors_are_retried() -> None:
    path = f"/v1/meetings/{SESSION}/participants"
    sleeps = Sleeps()
    script = Script(
        Step("GET", path, json_reply(500, {"error": "server-error", "info": "oops"})),
        Step("GET", path, json_reply(200, fixture("daily/meeting_participants.json"))),
        Step("GET", path, json_reply(404, {})),
    )
    assert len(await daily(script, sleeps).participants(SESSION)) == 2
    assert sleeps.waits == [0.5]


async def test_owned_client_is_closed_and_injected_client_is_not() -> None:
    script = Script()
    injected = script.client()
    async with DailyClient(settings(), client=injected):
        pass
    assert not injected.is_closed
    owned = DailyClient(settings())
    await owned.aclose()
    assert owned._api._client.is_closed


# --- recording start and stop (the service starts recordings; browsers never do) -----------------

START_PATH = f"/v1/rooms/{ROOM_NAME}/recordings/start"
STOP_PATH = f"/v1/rooms/{ROOM_NAME}/recordings/stop"
RAW_INSTANCE = "077ecdf4-e0b3-5dba-a1eb-823ff3910e09"


def test_instance_ids_follow_the_reference_scheme() -> None:
    from reflector_core.recording_instances import instance_id

    mid = "6f0e5d4c-3b2a-4190-8f7e-6d5c4b3a2f10"
    assert instance_id(mid, RecordingKind.RAW_TRACKS) == RAW_INSTANCE  # uuid5(a1b2c3d4-…, meeting id)
    assert instance_id(mid, RecordingKind.CLOUD) == mid  # the meeting's own UUID
    assert instance_id("m-1", RecordingKind.CLOUD) == instance_id("m-1", RecordingKind.CLOUD) != "m-1"
    with pytest.raises(InvalidInputError):
        instance_id(mid, RecordingKind.NONE)


async def test_start_recording_sends_type_and_instance_id() -> None:
    script = Script(Step("POST", START_PATH, json_reply(200, fixture("daily/recording_start_response.json"))))
    assert await daily(script).start_recording(meeting(), RecordingKind.RAW_TRACKS, RAW_INSTANCE) is True
    assert script.body(0) == fixture("daily/recording_start_request.json")
    assert script.requests[0].headers["Authorization"] == f"Bearer {KEY}"


async def test_start_recording_waits_while_the_call_is_not_hosted_yet() -> None:
    not_hosted = json_reply(404, fixture("daily/error_not_hosted.json"))
    script = Script(
        Step("POST", START_PATH, not_hosted),
        Step("POST", START_PATH, not_hosted),
        Step("POST", START_PATH, json_reply(200, fixture("daily/recording_start_response.json"))),
    )
    sleeps = Sleeps()
    client = daily(script, sleeps, start_retry_delay=1.5)
    assert await client.start_recording(meeting(), RecordingKind.RAW_TRACKS, RAW_INSTANCE) is True
    assert sleeps.waits == [1.5, 1.5]
    assert script.done()


async def test_start_recording_gives_up_on_a_call_never_hosted_as_transient() -> None:
    not_hosted = json_reply(404, fixture("daily/error_not_hosted.json"))
    script = Script(*(Step("POST", START_PATH, not_hosted) for _ in range(3)))
    with pytest.raises(PlatformUnavailableError, match="not hosted"):
        await daily(script, start_attempts=3).start_recording(meeting(), RecordingKind.RAW_TRACKS, RAW_INSTANCE)
    assert script.done()


async def test_start_recording_already_active_is_success() -> None:
    script = Script(Step("POST", START_PATH, json_reply(400, fixture("daily/error_already_active.json"))))
    assert await daily(script).start_recording(meeting(), RecordingKind.RAW_TRACKS, RAW_INSTANCE) is False


async def test_start_recording_refusal_is_a_platform_error_without_retry() -> None:
    script = Script(Step("POST", START_PATH, json_reply(400, fixture("daily/error_response.json"))))
    with pytest.raises(PlatformError) as caught:
        await daily(script).start_recording(meeting(), RecordingKind.CLOUD, RAW_INSTANCE)
    assert not isinstance(caught.value, PlatformUnavailableError)
    assert caught.value.code == "invalid-request-error"
    assert script.body(0)["type"] == "cloud"


async def test_start_recording_of_an_unknown_room_is_not_waited_for() -> None:
    script = Script(Step("POST", START_PATH, json_reply(404, {"error": "not-found", "info": "room not found"})))
    with pytest.raises(PlatformError):
        await daily(script).start_recording(meeting(), RecordingKind.RAW_TRACKS, RAW_INSTANCE)
    assert script.done()


async def test_start_recording_rate_limit_is_retried() -> None:
    script = Script(
        Step("POST", START_PATH, json_reply(429, fixture("daily/error_rate_limited.json"))),
        Step("POST", START_PATH, json_reply(200, {})),
    )
    assert await daily(script).start_recording(meeting(), RecordingKind.RAW_TRACKS, RAW_INSTANCE) is True


async def test_stop_recording_and_stopping_nothing_is_not_an_error() -> None:
    script = Script(
        Step("POST", STOP_PATH, json_reply(200, {})),
        Step("POST", STOP_PATH, json_reply(400, fixture("daily/error_no_active_recording.json"))),
    )
    client = daily(script)
    assert await client.stop_recording(meeting(), RecordingKind.RAW_TRACKS, RAW_INSTANCE) is True
    assert await client.stop_recording(meeting(), RecordingKind.RAW_TRACKS, RAW_INSTANCE) is False
    assert script.body(0) == {"type": "raw-tracks", "instanceId": RAW_INSTANCE}
