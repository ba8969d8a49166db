"""Daily webhook fixtures through verification and parsing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from reflector_adapters.daily.webhooks import DailySignatureCheck, DailyWebhooks, parse_daily_event
from reflector_core.errors import PayloadError, WebhookRejectedError
from reflector_core.events import (
    IgnoredEvent,
    MeetingEnded,
    MeetingStarted,
    ParticipantJoined,
    ParticipantLeft,
    RecordingFailed,
    RecordingReady,
    RecordingStarted,
    VerificationPing,
)
from reflector_core.model import Platform, RecordingKind, TrackKind

from .support import FixedClock, fixture, fixture_bytes

BUCKET = "acmecare-daily-raw-tracks"
VECTOR = fixture("daily/signature_vector.json")
SECRET = VECTOR["hmac_secret_base64"]
STAMP = int(VECTOR["headers"]["X-Webhook-Timestamp"])
RAW = VECTOR["raw_body"].encode("utf-8")
HEADERS = {k: v for k, v in VECTOR["headers"].items() if k != "Content-Type"}
P1 = "4d9c2a1e-7b3f-4e85-a0d2-6f1b8c3e5a97"
P2 = "b82f0e6c-1d47-4a3b-9c5e-3e7a2d9f1b04"


def at(seconds: float) -> FixedClock:
    return FixedClock(datetime.fromtimestamp(seconds, UTC))


def verifier(*secrets: str, now: float = STAMP + 3, tolerance: timedelta = timedelta(minutes=5)) -> DailySignatureCheck:
    return DailySignatureCheck(list(secrets or [SECRET]), clock=at(now), tolerance=tolerance)


def sign(body: bytes, stamp: str, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(base64.b64decode(secret), stamp.encode() + b"." + body, hashlib.sha256).digest()
    return {"X-Webhook-Timestamp": stamp, "X-Webhook-Signature": base64.b64encode(digest).decode()}


# --- the vector --------------------------------------------------------------------------------


def test_the_fixture_vector_verifies() -> None:
    assert VECTOR["expected_valid"] is True
    verifier().verify(RAW, HEADERS)


def test_header_names_are_case_insensitive() -> None:
    verifier().verify(RAW, {k.lower(): v for k, v in HEADERS.items()})


def test_tampered_body_fails() -> None:
    assert VECTOR["tampered_body_expected_valid"] is False
    tampered = RAW.replace(b'"duration":2207', b'"duration":2208')
    assert tampered != RAW
    with pytest.raises(WebhookRejectedError, match="does not match"):
        verifier().verify(tampered, HEADERS)


def test_reserialised_json_with_other_spacing_fails() -> None:
    spaced = json.dumps(json.loads(RAW), indent=2).encode()
    assert json.loads(spaced) == json.loads(RAW)
    with pytest.raises(WebhookRejectedError, match="does not match"):
        verifier().verify(spaced, HEADERS)


@pytest.mark.parametrize("offset", [-301, 301, -3600, 10**6])
def test_stale_and_future_timestamps_fail(offset: int) -> None:
    with pytest.raises(WebhookRejectedError, match="timestamp"):
        verifier(now=STAMP - offset).verify(RAW, HEADERS)


@pytest.mark.parametrize("offset", [-300, 0, 300])
def test_timestamps_inside_the_window_pass(offset: int) -> None:
    verifier(now=STAMP - offset).verify(RAW, HEADERS)


def test_tolerance_is_a_parameter() -> None:
    with pytest.raises(WebhookRejectedError):
        verifier(now=STAMP + 61, tolerance=timedelta(seconds=60)).verify(RAW, HEADERS)


def test_wrong_secret_fails() -> None:
    other = base64.b64encode(b"another secret of 32 bytes......").decode()
    with pytest.raises(WebhookRejectedError, match="does not match"):
        verifier(other).verify(RAW, HEADERS)


def test_rotation_accepts_either_secret() -> None:
    other = base64.b64encode(b"the next secret").decode()
    verifier(other, SECRET).verify(RAW, HEADERS)
    verifier(SECRET, other).verify(RAW, HEADERS)
    verifier(other, SECRET).verify(RAW, sign(RAW, str(STAMP), other))


@pytest.mark.parametrize("missing", ["X-Webhook-Signature", "X-Webhook-Timestamp"])
def test_missing_headers_fail_cleanly(missing: str) -> None:
    headers = {k: v for k, v in HEADERS.items() if k != missing}
    with pytest.raises(WebhookRejectedError, match=missing):
        verifier().verify(RAW, headers)


def test_a_different_timestamp_than_the_one_signed_fails() -> None:
    headers = dict(HEADERS, **{"X-Webhook-Timestamp": str(STAMP + 1)})
    with pytest.raises(WebhookRejectedError, match="does not match"):
        verifier().verify(RAW, headers)


# --- receive: verify, then parse ---------------------------------------------------------------


def test_receive_verifies_then_parses() -> None:
    hooks = DailyWebhooks([SECRET], bucket=BUCKET, clock=at(STAMP))
    event = hooks.parse(RAW, HEADERS)
    assert isinstance(event, RecordingReady)
    with pytest.raises(WebhookRejectedError):
        hooks.parse(RAW, {})


def test_receive_answers_the_verification_ping_unsigned() -> None:
    hooks = DailyWebhooks([SECRET], bucket=BUCKET, clock=at(STAMP))
    ping = fixture_bytes("daily/webhook_verification_ping.json")
    assert hooks.parse(ping, {}) == VerificationPing(Platform.DAILY, None, None)
    assert hooks.parse(b'{"test":"test"}', {"X-Webhook-Signature": "bogus", "X-Webhook-Timestamp": "1"}) == (
        VerificationPing(Platform.DAILY, None, None)
    )


def test_receive_acknowledges_an_unknown_signed_event() -> None:
    body = json.dumps(
        {"version": "1.0.0", "type": "streaming.started", "id": "str-1", "payload": {"x": 1}, "event_ts": STAMP}
    ).encode()
    event = DailyWebhooks([SECRET], bucket=BUCKET, clock=at(STAMP)).parse(body, sign(body, str(STAMP)))
    assert event == IgnoredEvent(
        Platform.DAILY, "str-1", datetime.fromtimestamp(STAMP, UTC), "streaming.started", "event type not handled"
    )


def test_receive_reports_a_signed_malformed_body_as_payload_error() -> None:
    body = b'{"version":"1.0.0","type":"participant.joined","id":"x","payload":{"room":"r"}}'
    with pytest.raises(PayloadError, match="session_id"):
        DailyWebhooks([SECRET], bucket=BUCKET, clock=at(STAMP)).parse(body, sign(body, str(STAMP)))


# --- every event fixture -----------------------------------------------------------------------


def parse(name: str) -> object:
    return parse_daily_event(fixture_bytes(f"daily/{name}.json"), bucket=BUCKET)


def test_participant_joined() -> None:
    assert parse("webhook_participant_joined") == ParticipantJoined(
        platform=Platform.DAILY,
        event_id="ptcpt-join-usr-3K8P1-1773324063913",
        occurred_at=datetime.fromtimestamp(1773324063.913, UTC),
        platform_room_name="intake-20260312140000",
        session_id=P2,
        user_id="usr-3K8P1",
        name="Tomás Rivera",
        at=datetime.fromtimestamp(1773324063.912, UTC),
    )


def test_participant_left() -> None:
    event = parse("webhook_participant_left")
    assert isinstance(event, ParticipantLeft)
    assert (event.event_id, event.session_id, event.user_id, event.duration) == (
        "ptcpt-left-usr-3K8P1-1773326320222",
        P2,
        "usr-3K8P1",
        2256.303,
    )
    assert event.at == datetime.fromtimestamp(1773324063.912 + 2256.303, UTC)
    assert event.at.replace(microsecond=0) == datetime(2026, 3, 12, 14, 38, 40, tzinfo=UTC)


def test_waiting_participant_is_ignored() -> None:
    event = parse("webhook_waiting_participant_joined")
    assert isinstance(event, IgnoredEvent)
    assert (event.event_id, event.event_type) == (
        "1-w-ptcpt-joined-f1e2d3c4-b5a6-4978-8a9b-c0d1e2f3a4b5",
        "waiting-participant.joined",
    )


def test_meeting_started_and_ended() -> None:
    session = "e3a1c7d2-5b4f-4f0e-9a61-2c8d7b3e9f10"
    assert parse("webhook_meeting_started") == MeetingStarted(
        Platform.DAILY,
        f"met-sta-{session}-1773324012",
        datetime.fromtimestamp(1773324012.795, UTC),
        "intake-20260312140000",
        session,
        datetime.fromtimestamp(1773324012.418, UTC),
    )
    assert parse("webhook_meeting_ended") == MeetingEnded(
        Platform.DAILY,
        f"met-end-{session}-1773327157",
        datetime.fromtimestamp(1773327177.315, UTC),
        "intake-20260312140000",
        session,
        datetime.fromtimestamp(1773327157.903, UTC),
    )


def test_recording_started_has_no_room() -> None:
    assert parse("webhook_recording_started") == RecordingStarted(
        Platform.DAILY,
        "rec-sta-c0a8f3e2-6d1b-4a9f-8e27-4b5d1c7a9e03-1773324125",
        datetime.fromtimestamp(1773324126, UTC),
        recording_id="9f4e2b71-3c8a-4d56-b0e7-5a1c9d3f2e68",
        platform_room_name=None,
        at=datetime(2026, 3, 12, 14, 2, 5, tzinfo=UTC),
    )


def test_recording_ready_keeps_only_speech_audio() -> None:
    event = parse("webhook_recording_ready_to_download")
    assert isinstance(event, RecordingReady)
    assert event.event_id == "rec-rtd-c0a8f3e2-6d1b-4a9f-8e27-4b5d1c7a9e03-1773326371"
    rec = event.recording
    assert (rec.platform, rec.platform_recording_id, rec.bucket, rec.kind) == (
        Platform.DAILY,
        "9f4e2b71-3c8a-4d56-b0e7-5a1c9d3f2e68",
        BUCKET,
        RecordingKind.RAW_TRACKS,
    )
    assert [t.key for t in rec.tracks] == fixture("_expected.json")["daily_audio_track_keys_for_recording_B"]
    assert [t.participant_id for t in rec.tracks] == [P1, P2]
    assert {t.kind for t in rec.tracks} == {TrackKind.AUDIO}
    assert [t.size for t in rec.tracks] == [2483911, 2210384]
    assert (rec.duration, rec.object_key, rec.platform_room_name) == (
        2207,
        "acmecare/intake-20260312140000/1773324125512",
        "intake-20260312140000",
    )
    assert rec.started_at == datetime(2026, 3, 12, 14, 2, 5, tzinfo=UTC)
    # The webhook carries no mtgSessionId: the participants lookup will degrade, not fail.
    assert rec.platform_session_id is None


def test_recording_error() -> None:
    assert parse("webhook_recording_error") == RecordingFailed(
        Platform.DAILY,
        "rec-err-e7f6a5b4-c3d2-4e1f-8a9b-0c1d2e3f4a5b-1773326469",
        datetime.fromtimestamp(1773326469.214, UTC),
        recording_id=None,
        platform_room_name="intake-20260312140000",
        error="cloud-recording-err: Recording worker could not write to the configured bucket: "
        "AccessDenied while assuming role",
    )


def test_verification_ping() -> None:
    assert parse("webhook_verification_ping") == VerificationPing(Platform.DAILY, None, None)


def test_vector_body_parses_like_the_fixture() -> None:
    assert parse_daily_event(RAW, bucket=BUCKET) == parse("webhook_recording_ready_to_download")
