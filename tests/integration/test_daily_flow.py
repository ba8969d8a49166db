"""Daily end to end: signed webhook or polling → tracks from the bucket → a named transcript, exactly once."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from tests.fakes.daily_api import FakeDaily
from tests.fakes.signing import daily_headers
from tests.integration.conftest import daily_bucket
from tests.integration.harness import DAILY_SECRET, Service, meeting_webhook, track_files, truth, wait_until

pytestmark = pytest.mark.slow


def _post_webhook(service: Service, body: dict[str, Any]) -> str:
    raw = json.dumps(body).encode()
    r = service.http.post("/v1/daily/webhook", content=raw, headers=daily_headers(DAILY_SECRET, int(time.time()), raw))
    assert r.status_code == 200, r.text
    return str(r.json()["status"])


def _meeting(service: Service, room: str) -> dict[str, Any]:
    r = service.api("POST", "/v1/rooms", json={"name": room, "platform": "daily", "recording_kind": "raw-tracks"})
    assert r.status_code == 201, r.text
    r = service.api("POST", f"/v1/rooms/{room}/meeting")
    assert r.status_code == 200, r.text
    return dict(r.json()["meeting"])


def _recording(service: Service, fake: FakeDaily, room_name: str, *, session: str) -> dict[str, Any]:
    """Put the fixture meeting's tracks in the Daily bucket and make the platform know the recording."""
    rid = str(uuid.uuid4())
    body = meeting_webhook(room_name, recording_id=rid)
    for key, path in track_files(body).items():
        service.upload(daily_bucket(service), key, path)
    fake.add_recording(body["payload"], mtg_session_id=session)
    fake.participants[session] = [
        {
            "participant_id": p["participant_id"],
            "user_id": p["user_id"],
            "user_name": p["name"],
            "join_time": 1773480603,
            "duration": 26,
        }
        for p in truth()["participants"]
    ]
    return body


def post_recording(service: Service, fake: FakeDaily, room: str, *, session: str) -> str:
    """A room, its meeting, the fixture recording in the bucket and its signed webhook; the recording id."""
    meeting = _meeting(service, room)
    body = _recording(service, fake, meeting["platform_room_name"], session=session)
    assert _post_webhook(service, body) == "accepted"
    return str(body["payload"]["recording_id"])


def test_signed_webhook_gives_one_named_transcript_despite_redelivery_and_polling(
    service: Service, fake_daily: FakeDaily
) -> None:
    meeting = _meeting(service, "standup")
    body = _recording(service, fake_daily, meeting["platform_room_name"], session="mtg-1")
    rid = body["payload"]["recording_id"]

    assert _post_webhook(service, body) == "accepted"
    transcript = service.wait_transcript(rid)

    assert transcript["status"] == "done", transcript
    names = {p["participant_id"]: p["name"] for p in transcript["participants"]}
    assert names == {p["participant_id"]: p["name"] for p in truth()["participants"]}
    vtt = service.api("GET", f"/v1/transcripts/{transcript['id']}/export.vtt")
    assert vtt.status_code == 200
    assert "<v Alice>" in vtt.text and "<v Bob>" in vtt.text
    words = service.api("GET", f"/v1/transcripts/{transcript['id']}/export.json").json()["words"]
    assert len(words) >= 20
    audio = service.api("GET", f"/v1/transcripts/{transcript['id']}/audio.mp3", headers={"Range": "bytes=0-99"})
    assert audio.status_code == 206 and len(audio.content) == 100

    # Daily redelivers (same event id, fresh timestamp); polling lists the same recording.
    assert _post_webhook(service, body) == "duplicate"
    assert _post_webhook(service, body) == "duplicate"
    polls = sum(1 for m, p in fake_daily.requests if p.startswith("/v1/recordings?") or p == "/v1/recordings")
    wait_until(
        lambda: sum(1 for m, p in fake_daily.requests if p.startswith("/v1/recordings")) >= polls + 2,
        timeout=60,
        what="two more polls",
    )
    assert [t["id"] for t in service.transcripts_for(rid)] == [transcript["id"]]


def test_a_lost_webhook_is_recovered_by_polling(service: Service, fake_daily: FakeDaily) -> None:
    meeting = _meeting(service, "retro")
    body = _recording(service, fake_daily, meeting["platform_room_name"], session="mtg-2")
    transcript = service.wait_transcript(body["payload"]["recording_id"])
    assert transcript["status"] == "done"
    assert {p["name"] for p in transcript["participants"]} == {"Alice", "Bob"}


def _audio_objects(service: Service, transcript_id: str) -> list[str]:
    prefix = f"transcripts/{transcript_id}/"
    if service.s3 is None:
        folder = service.workdir / "storage" / service.buckets["transcripts"] / prefix
        return sorted(p.name for p in folder.glob("*")) if folder.exists() else []
    listing = service.s3.list_objects_v2(Bucket=service.buckets["transcripts"], Prefix=prefix)
    return sorted(o["Key"].rsplit("/", 1)[1] for o in listing.get("Contents", []))


def test_room_webhook_is_signed_and_a_refusal_deletes_every_audio_object(
    service: Service, fake_daily: FakeDaily
) -> None:
    from reflector_core.signing import header_of, verify
    from tests.fakes.receiver import Receiver

    receiver = Receiver().start()
    try:
        r = service.api(
            "POST",
            "/v1/rooms",
            json={
                "name": "consult",
                "platform": "daily",
                "consent_policy": "required-keep-text",
                "webhook_url": receiver.url,
                "webhook_secret": "room-secret",
            },
        )
        assert r.status_code == 201, r.text
        meeting = service.api("POST", "/v1/rooms/consult/meeting").json()["meeting"]
        body = _recording(service, fake_daily, meeting["platform_room_name"], session="mtg-3")
        assert _post_webhook(service, body) == "accepted"
        transcript = service.wait_transcript(body["payload"]["recording_id"])
        assert transcript["status"] == "done"
        assert _audio_objects(service, transcript["id"]) == ["audio.mp3", "waveform.json"]

        # The room hears about it, signed, and the signature verifies over the raw body.
        wait_until(lambda: receiver.received, timeout=60, what="the room's webhook")
        headers, raw = receiver.received[0]
        verify("room-secret", raw, header_of(headers), now=time.time())
        event = json.loads(raw)
        assert event["event"] == "transcript.completed"
        assert event["transcript"]["id"] == transcript["id"] and "<v Alice>" in event["transcript"]["webvtt"]
        # The webhook waited for the meeting notes (offline here) and carries them.
        notes = event["transcript"]["notes"]
        assert (notes["status"], notes["method"]) == ("done", "extractive") and notes["title"] and notes["topics"]
        stored = service.api("GET", f"/v1/transcripts/{transcript['id']}/notes").json()
        assert stored["title"] == notes["title"] and stored["status"] == "done"

        # One participant refuses: every audio object goes, the text stays (keep-text policy).
        r = service.api(
            "POST", f"/v1/meetings/{meeting['id']}/consent", json={"participant": "u-1", "choice": "refused"}
        )
        assert r.status_code == 201, r.text

        def deleted() -> bool:
            t = service.api("GET", f"/v1/transcripts/{transcript['id']}").json()
            return bool(t["audio_deleted"])

        wait_until(deleted, timeout=60, what="audio to be deleted")
        assert _audio_objects(service, transcript["id"]) == []
        assert service.api("GET", f"/v1/transcripts/{transcript['id']}/audio.mp3").status_code == 404
        words = service.api("GET", f"/v1/transcripts/{transcript['id']}/export.json").json()["words"]
        assert len(words) >= 20
    finally:
        receiver.stop()


def test_ready_checks_every_dependency(service: Service) -> None:
    r = service.http.get("/ready")
    assert r.status_code == 200, r.text
    assert r.json()["failures"] == {}
