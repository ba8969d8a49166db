"""Daily and Whereby wire conversion: spellings, kinds, statuses, and what counts as malformed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from reflector_adapters.daily.webhooks import parse_daily_event
from reflector_adapters.daily.wire import recording_wire, to_recording
from reflector_adapters.whereby.webhooks import parse_whereby_event
from reflector_core.errors import PayloadError
from reflector_core.events import (
    IgnoredEvent,
    ParticipantLeft,
    RecordingFailed,
    RecordingReady,
    RecordingStarted,
)
from reflector_core.model import RecordingKind, TrackKind

PID = "4d9c2a1e-7b3f-4e85-a0d2-6f1b8c3e5a97"
AUDIO = f"acme/room-20260312140000/1773324125512-{PID}-cam-audio-1773324125947"
VIDEO = f"acme/room-20260312140000/1773324125512-{PID}-cam-video-1773324125947"
SCREEN = f"acme/room-20260312140000/1773324125512-{PID}-screen-audio-1773324130000"


def recording(**fields: object) -> object:
    return to_recording(recording_wire({"id": "r1", **fields}, "test"), bucket="bkt", source="test")


@pytest.mark.parametrize("spelling", ["s3key", "s3Key", "s3_key"])
def test_every_key_spelling_is_read(spelling: str) -> None:
    rec = recording(**{spelling: "acme/room/1773324125512"}, tracks=[{"type": "audio", spelling: AUDIO}])
    assert rec.object_key == "acme/room/1773324125512"  # type: ignore[attr-defined]
    assert rec.tracks[0].key == AUDIO  # type: ignore[attr-defined]


def test_kind_comes_from_type_then_tracks_then_extension_then_default() -> None:
    assert recording(type="cloud").kind is RecordingKind.CLOUD  # type: ignore[attr-defined]
    assert recording(type="cloud-audio-only").kind is RecordingKind.CLOUD  # type: ignore[attr-defined]
    assert recording(type="raw-tracks", tracks=None).kind is RecordingKind.RAW_TRACKS  # type: ignore[attr-defined]
    assert recording(tracks=[{"type": "audio", "s3Key": AUDIO}]).kind is RecordingKind.RAW_TRACKS  # type: ignore[attr-defined]
    assert recording(s3key="acme/room/1773324125512.mp4").kind is RecordingKind.CLOUD  # type: ignore[attr-defined]
    assert recording(s3key="acme/room/1773324125512").kind is RecordingKind.RAW_TRACKS  # type: ignore[attr-defined]
    cloudy = to_recording(recording_wire({"id": "r"}, "t"), bucket="b", source="t", default_kind=RecordingKind.CLOUD)
    assert cloudy.kind is RecordingKind.CLOUD


def test_track_kind_and_participant_come_from_the_key_when_the_type_is_missing() -> None:
    rec = recording(tracks=[{"s3Key": VIDEO}, {"type": "audio", "s3Key": "elsewhere/opaque-name"}])
    video, opaque = rec.tracks  # type: ignore[attr-defined]
    assert (video.kind, video.participant_id, video.offset) == (TrackKind.VIDEO, PID, pytest.approx(0.435))
    assert (opaque.kind, opaque.participant_id, opaque.offset) == (TrackKind.AUDIO, None, None)


def test_only_a_finished_recording_keeps_its_duration() -> None:
    assert recording(status="finished", duration=10).duration == 10  # type: ignore[attr-defined]
    assert recording(status="in-progress", duration=10).duration is None  # type: ignore[attr-defined]
    assert recording(status="canceled", duration=10).duration is None  # type: ignore[attr-defined]


def test_bucket_from_the_recording_wins_over_the_configured_one() -> None:
    assert recording(s3={"bucket_name": "theirs", "key": "k"}).bucket == "theirs"  # type: ignore[attr-defined]
    assert recording(s3={"bucket_name": "theirs", "key": "k"}).object_key == "k"  # type: ignore[attr-defined]
    assert recording().bucket == "bkt"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "fields",
    [
        {"duration": -1},
        {"start_ts": -5},
        {"start_ts": True},
        {"tracks": [{"type": "audio", "s3Key": AUDIO, "size": -1}]},
        {"tracks": [{"type": "audio", "s3Key": ""}]},
        {"tracks": "none"},
        {"tracks": [None]},
        {"type": 7},
    ],
)
def test_malformed_recordings(fields: dict[str, object]) -> None:
    with pytest.raises(PayloadError):
        recording(**fields)


def envelope(kind: str, payload: object, **extra: object) -> bytes:
    return json.dumps({"version": "1.0.0", "type": kind, "id": "ev-1", "payload": payload, **extra}).encode()


def test_ready_to_download_drops_video_and_screen_audio() -> None:
    body = envelope(
        "recording.ready-to-download",
        {
            "type": "raw-tracks",
            "recording_id": "r1",
            "room_name": "room-20260312140000",
            "s3_key": "acme/room-20260312140000/1773324125512",
            "tracks": [
                {"type": "video", "s3Key": VIDEO},
                {"type": "audio", "s3Key": SCREEN},
                {"type": "audio", "s3Key": AUDIO},
            ],
        },
    )
    event = parse_daily_event(body, bucket="b")
    assert isinstance(event, RecordingReady)
    assert [t.key for t in event.recording.tracks] == [AUDIO]


def test_ready_to_download_with_null_tracks_and_cloud_type() -> None:
    raw = parse_daily_event(envelope("recording.ready-to-download", {"recording_id": "r", "tracks": None}), bucket="b")
    assert isinstance(raw, RecordingReady) and raw.recording.tracks == ()
    cloud = parse_daily_event(
        envelope("recording.ready-to-download", {"type": "cloud", "recording_id": "r", "s3_key": "a/b/1.mp4"}),
        bucket="b",
    )
    assert isinstance(cloud, RecordingReady) and cloud.recording.kind is RecordingKind.CLOUD
    odd = parse_daily_event(envelope("recording.ready-to-download", {"type": "3d", "recording_id": "r"}), bucket="b")
    assert isinstance(odd, IgnoredEvent) and "3d" in odd.reason


def test_participant_left_without_times_falls_back_to_the_delivery_time() -> None:
    event = parse_daily_event(envelope("participant.left", {"session_id": "s"}, event_ts=1773324000), bucket="b")
    assert isinstance(event, ParticipantLeft)
    assert event.at == datetime(2026, 3, 12, 14, 0, tzinfo=UTC)
    assert (event.duration, event.platform_room_name, event.user_id) == (None, None, None)


def test_daily_hipaa_user_ids_are_not_user_ids() -> None:
    event = parse_daily_event(envelope("participant.joined", {"session_id": "s", "user_id": "hipaa"}), bucket="b")
    assert getattr(event, "user_id", "missing") is None


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\xff\xfe",
        b"[]",
        b'"text"',
        b"{",
        b'{"type":"participant.joined"}',
        b'{"type":"participant.joined","payload":[]}',
        b'{"type":"participant.joined","payload":{"session_id":"s","joined_at":1e300}}',
        b'{"type":"meeting.ended","payload":{"end_ts":"late"}}',
        b'{"type":"recording.started","payload":{},"event_ts":"now"}',
        b'{"type":"recording.error","payload":{"error_msg":5}}',
        b"[" * 100_000,
    ],
)
def test_daily_malformed_bodies_are_payload_errors(body: bytes) -> None:
    with pytest.raises(PayloadError):
        parse_daily_event(body, bucket="b")


def whereby(kind: str, data: object, created: str | None = "2026-03-12T14:03:05.118Z") -> bytes:
    return json.dumps({"id": "w1", "apiVersion": "1.0", "createdAt": created, "type": kind, "data": data}).encode()


def test_whereby_recorder_join_is_the_recording_start_and_its_leave_is_ignored() -> None:
    data = {"participantId": "rec", "roomName": "/consult-x", "roleName": "recorder"}
    started = parse_whereby_event(whereby("room.client.joined", data), bucket="b")
    assert isinstance(started, RecordingStarted)
    assert (started.platform_room_name, started.recording_id) == ("/consult-x", None)
    assert isinstance(parse_whereby_event(whereby("room.client.left", data), bucket="b"), IgnoredEvent)
    captioner = dict(data, roleName="captioner")
    assert isinstance(parse_whereby_event(whereby("room.client.joined", captioner), bucket="b"), IgnoredEvent)


def test_whereby_room_name_gets_its_slash_back() -> None:
    event = parse_whereby_event(
        whereby(
            "recording.finished",
            {"recordingId": "1", "roomName": "consult-x", "filename": "consult-x-2026-03-12T14:03:21Z.mp4"},
        ),
        bucket="b",
    )
    assert isinstance(event, RecordingReady)
    assert event.recording.platform_room_name == "/consult-x"
    assert event.recording.object_key == "consult-x-2026-03-12T14:03:21Z.mp4"


def test_whereby_unparseable_filename_still_yields_the_recording() -> None:
    event = parse_whereby_event(whereby("recording.finished", {"filename": "odd.mp4"}), bucket="b", prefix="/raw/")
    assert isinstance(event, RecordingReady)
    assert (event.recording.object_key, event.recording.started_at, event.recording.platform_recording_id) == (
        "raw/odd.mp4",
        None,
        "raw/odd.mp4",
    )


def test_whereby_failed_recording_status() -> None:
    event = parse_whereby_event(whereby("recording.finished", {"filename": "a.mp4", "status": "failed"}), bucket="b")
    assert isinstance(event, RecordingFailed)
    assert "failed" in event.error


@pytest.mark.parametrize(
    "body",
    [
        whereby("recording.finished", {"filename": "../../etc/passwd"}),
        whereby("recording.finished", {"recordingId": 5, "filename": "a.mp4"}),
        whereby("room.client.joined", {"participantId": "p"}, created="yesterday"),
        whereby("room.session.ended", None),
        b'{"type":"room.client.left"}',
        b"\x00",
    ],
)
def test_whereby_malformed_bodies_are_payload_errors(body: bytes) -> None:
    with pytest.raises(PayloadError):
        parse_whereby_event(body, bucket="b")
