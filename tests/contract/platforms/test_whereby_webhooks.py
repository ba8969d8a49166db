"""Whereby webhook fixtures through verification and parsing."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from reflector_adapters.whereby.webhooks import WherebySignatureCheck, WherebyWebhooks, parse_whereby_event
from reflector_core.errors import PayloadError, WebhookRejectedError
from reflector_core.events import (
    IgnoredEvent,
    MeetingStarted,
    ParticipantJoined,
    ParticipantLeft,
    RecordingReady,
)
from reflector_core.model import Platform, Recording, RecordingKind

from .support import FixedClock, fixture, fixture_bytes

BUCKET = "acmecare-whereby-recordings"
VECTOR = fixture("whereby/signature_vector.json")
SECRET = VECTOR["webhook_secret"]
RAW = VECTOR["raw_body"].encode("utf-8")
HEADERS = {"Whereby-Signature": VECTOR["headers"]["Whereby-Signature"]}
NOW = VECTOR["expected_valid_at_unix"]
STAMP = 1773324185
ROOM = "/consult-3f9a1c2e-8b7d-4e6f-a5c4-1d2e3f4a5b6c"


def verifier(*secrets: str, now: float = NOW) -> WherebySignatureCheck:
    return WherebySignatureCheck(list(secrets or [SECRET]), clock=FixedClock(datetime.fromtimestamp(now, UTC)))


def sign(body: bytes, stamp: int, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {"Whereby-Signature": f"t={stamp},v1={digest}"}


def test_the_fixture_vector_verifies() -> None:
    assert VECTOR["expected_valid"] is True
    verifier().verify(RAW, HEADERS)
    verifier().verify(RAW, {"whereby-signature": HEADERS["Whereby-Signature"]})


def test_tampered_body_fails() -> None:
    tampered = RAW.replace(b'"numClients":2', b'"numClients":3')
    assert tampered != RAW
    with pytest.raises(WebhookRejectedError, match="does not match"):
        verifier().verify(tampered, HEADERS)


def test_reserialised_json_with_other_spacing_fails() -> None:
    spaced = json.dumps(json.loads(RAW)).encode()
    assert spaced != RAW
    with pytest.raises(WebhookRejectedError, match="does not match"):
        verifier().verify(spaced, HEADERS)


def test_non_ascii_bodies_verify_over_their_raw_utf8_bytes() -> None:
    # The reference re-serialises with ensure_ascii=True ("Tom\\u00e1s") and so rejects this valid delivery.
    body = RAW.replace(b"Jonas Becker", "Tomás Rivera".encode())
    verifier().verify(body, sign(body, STAMP))


@pytest.mark.parametrize("offset", [301, -301])
def test_stale_and_future_timestamps_fail(offset: int) -> None:
    with pytest.raises(WebhookRejectedError, match="timestamp"):
        verifier(now=STAMP + offset).verify(RAW, HEADERS)


def test_wrong_secret_fails() -> None:
    with pytest.raises(WebhookRejectedError, match="does not match"):
        verifier("0" * 32).verify(RAW, HEADERS)


def test_rotation_accepts_either_secret() -> None:
    verifier("new-secret", SECRET).verify(RAW, HEADERS)
    verifier(SECRET, "new-secret").verify(RAW, sign(RAW, STAMP, "new-secret"))


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Whereby-Signature": ""},
        {"Whereby-Signature": "garbage"},
        {"Whereby-Signature": f"t={STAMP}"},
        {"Whereby-Signature": "v1=" + "0" * 64},
        {"Whereby-Signature": f"t=soon,v1={'0' * 64}"},
        {"Whereby-Signature": f"t={STAMP},v1=xyz"},
        {"Whereby-Signature": f"t={STAMP},t={STAMP},v1={'0' * 64}"},
    ],
)
def test_missing_or_malformed_headers_fail_cleanly(headers: dict[str, str]) -> None:
    with pytest.raises(WebhookRejectedError):
        verifier().verify(RAW, headers)


def test_receive_verifies_then_parses() -> None:
    hooks = WherebyWebhooks([SECRET], bucket=BUCKET, prefix="raw", clock=FixedClock(datetime.fromtimestamp(NOW, UTC)))
    assert isinstance(hooks.parse(RAW, HEADERS), ParticipantJoined)
    with pytest.raises(WebhookRejectedError):
        hooks.parse(RAW, {})
    unknown = (
        b'{"id":"u1","apiVersion":"1.0","createdAt":"2026-03-12T14:03:06Z","type":"assistant.requested","data":{}}'
    )
    assert isinstance(hooks.parse(unknown, sign(unknown, STAMP)), IgnoredEvent)
    broken = b'{"id":"u2","type":"room.client.joined","data":{"roomName":"/x"}}'
    with pytest.raises(PayloadError, match="participantId"):
        hooks.parse(broken, sign(broken, STAMP))


def parse(name: str) -> object:
    return parse_whereby_event(fixture_bytes(f"whereby/{name}.json"), bucket=BUCKET, prefix="raw")


def test_client_joined_and_left() -> None:
    joined = parse("webhook_room_client_joined")
    assert joined == ParticipantJoined(
        platform=Platform.WHEREBY,
        event_id="19abb8b792285814045ad1496cf60e3625a2453a309bbb88789e7ae9ffaebf99",
        occurred_at=datetime(2026, 3, 12, 14, 3, 5, 118000, tzinfo=UTC),
        platform_room_name=ROOM,
        session_id="a4b3c2d1-e0f9-4e8d-9c7b-6a5f4e3d2c1b",
        user_id="ext-4471",
        name="Jonas Becker",
        at=datetime(2026, 3, 12, 14, 3, 5, 118000, tzinfo=UTC),
    )
    left = parse("webhook_room_client_left")
    assert isinstance(left, ParticipantLeft)
    assert (left.event_id, left.session_id, left.at) == (
        "22ceae2d9dc578f6671fbbc9c0734006f37aaf7c479cc1c5882e60cfccb16138",
        "a4b3c2d1-e0f9-4e8d-9c7b-6a5f4e3d2c1b",
        datetime(2026, 3, 12, 14, 47, 19, 630000, tzinfo=UTC),
    )


def test_session_started() -> None:
    at = datetime(2026, 3, 12, 14, 3, 5, 402000, tzinfo=UTC)
    assert parse("webhook_room_session_started") == MeetingStarted(
        Platform.WHEREBY,
        "69bd9047220f3212b01732877a9ee9185942c205bef14d83694869d12240c769",
        at,
        ROOM,
        "104857193",
        at,
    )


def test_recording_finished_points_at_our_bucket() -> None:
    event = parse("webhook_recording_finished")
    assert event == RecordingReady(
        Platform.WHEREBY,
        "874092cbc3af13f593aef449293f3219ae84de6cb055be84f15d0784ddc6fe71",
        datetime(2026, 3, 12, 14, 49, 2, 771000, tzinfo=UTC),
        Recording(
            platform=Platform.WHEREBY,
            platform_recording_id="88213407",
            bucket=BUCKET,
            kind=RecordingKind.CLOUD,
            started_at=datetime(2026, 3, 12, 14, 3, 21, tzinfo=UTC),
            platform_room_name=ROOM,
            object_key="raw/consult-3f9a1c2e-8b7d-4e6f-a5c4-1d2e3f4a5b6c-2026-03-12T14:03:21Z.mp4",
        ),
    )
    # The S3 notification path decodes to the same key (fixtures/_expected.json).
    assert isinstance(event, RecordingReady)
    assert event.recording.object_key == fixture("_expected.json")["sqs/s3_event_object_created.json"]["decoded_key"]


def test_the_vector_body_parses_like_the_fixture() -> None:
    assert parse_whereby_event(RAW, bucket=BUCKET) == parse("webhook_room_client_joined")


def test_default_tolerance_is_five_minutes() -> None:
    WherebySignatureCheck(
        [SECRET], tolerance=timedelta(minutes=5), clock=FixedClock(datetime.fromtimestamp(STAMP + 300, UTC))
    ).verify(RAW, HEADERS)
    with pytest.raises(WebhookRejectedError):
        verifier(now=STAMP + 301).verify(RAW, HEADERS)
