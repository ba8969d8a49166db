"""Whereby end to end: the MP4 lands in the bucket, S3 tells SQS, Reflector transcribes it once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import pytest

from tests.integration.conftest import whereby_bucket
from tests.integration.harness import WHEREBY, Service, wait_until

pytestmark = pytest.mark.slow


def _s3_event(bucket: str, key: str, size: int) -> str:
    return json.dumps(
        {
            "Records": [
                {
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "awsRegion": "us-east-1",
                    "eventTime": "2026-03-14T09:31:00.000Z",
                    "eventName": "ObjectCreated:Put",
                    "s3": {
                        "s3SchemaVersion": "1.0",
                        "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                        "object": {"key": quote_plus(key, safe="/"), "size": size, "sequencer": "0065F1A2B3C4D5E6F7"},
                    },
                }
            ]
        }
    )


def _queue_empty(service: Service) -> bool:
    attrs: dict[str, Any] = service.sqs.get_queue_attributes(
        QueueUrl=service.queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return attrs["ApproximateNumberOfMessages"] == "0" and attrs["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_s3_event_on_sqs_gives_one_transcript_despite_redelivery(service: Service) -> None:
    r = service.api("POST", "/v1/rooms", json={"name": "weekly", "platform": "whereby", "recording_kind": "cloud"})
    assert r.status_code == 201, r.text
    r = service.api("POST", "/v1/rooms/weekly/meeting")
    assert r.status_code == 200, r.text
    room = r.json()["meeting"]["platform_room_name"].lstrip("/")
    mp4: Path = next(WHEREBY.glob("*.mp4"))
    # Whereby names the file after its room and the recording start.
    key = f"recordings/{room}-2026-03-14T09:30:11Z.mp4"
    bucket = whereby_bucket(service)
    service.upload(bucket, key, mp4)
    body = _s3_event(bucket, key, mp4.stat().st_size)
    service.sqs.send_message(QueueUrl=service.queue_url, MessageBody=body)

    transcript = service.wait_transcript(key)
    assert transcript["status"] == "done", transcript
    # The room's language (the default, en) went to the transcriber and is stored with the result.
    assert service.api("GET", f"/v1/transcripts/{transcript['id']}").json()["language"] == "en"
    assert service.api("GET", f"/v1/transcripts/{transcript['id']}/export.vtt").text.startswith("WEBVTT\nLanguage: en")
    text = service.api("GET", f"/v1/transcripts/{transcript['id']}/export.txt").text
    truth = json.loads((WHEREBY / "truth.json").read_text())
    expected = {w.strip(".,?!").lower() for u in truth["utterances"] for w in u["text"].split()}
    heard = {w.strip(".,?!").lower() for w in text.replace(":", " ").split()}
    assert len(expected & heard) >= len(expected) // 2, text
    wait_until(lambda: _queue_empty(service), timeout=30, what="the message to be acknowledged")

    # S3 and SQS deliver at least once: the same event again changes nothing.
    service.sqs.send_message(QueueUrl=service.queue_url, MessageBody=body)
    wait_until(lambda: _queue_empty(service), timeout=30, what="the redelivered message to be acknowledged")
    assert [t["id"] for t in service.transcripts_for(key)] == [transcript["id"]]


def test_a_malformed_notification_is_left_for_the_dead_letter_queue(service: Service) -> None:
    service.sqs.send_message(QueueUrl=service.queue_url, MessageBody="{not json")

    def received_but_kept() -> bool:
        attrs = service.sqs.get_queue_attributes(
            QueueUrl=service.queue_url,
            AttributeNames=["ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessages"],
        )["Attributes"]
        return attrs["ApproximateNumberOfMessagesNotVisible"] == "1"

    wait_until(received_but_kept, timeout=30, what="the malformed message to be received and not deleted")
    assert service.processes["serve"].alive()
