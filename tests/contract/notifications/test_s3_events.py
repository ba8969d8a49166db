"""Parsing S3 event bodies (pure), against the recorded fixtures and hand-made hostile bodies."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reflector_adapters.notifications.s3_events import notification_from_message, parse_event_body
from reflector_core.errors import PayloadError
from reflector_core.events import ObjectCreated
from tests.contract.notifications.conftest import expected, load_fixture


def record(key: str, *, event: str = "ObjectCreated:Put", bucket: str = "b", **obj: Any) -> dict[str, Any]:
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "eventTime": "2026-03-12T14:48:58.412Z",
        "eventName": event,
        "s3": {"bucket": {"name": bucket}, "object": {"key": key, **obj}},
    }


def body(*records: dict[str, Any]) -> str:
    return json.dumps({"Records": list(records)})


@pytest.mark.parametrize("name", sorted(expected()))
def test_fixture_messages_decode_to_the_expected_keys(name: str) -> None:
    want = expected()[name]
    notification = notification_from_message(load_fixture(name))
    assert notification.error is None
    assert not notification.test_event
    assert [(o.bucket, o.key) for o in notification.objects] == [(want["bucket"], want["decoded_key"])]
    assert notification.receive_count == 1


def test_object_created_fixture_fields() -> None:
    message = load_fixture("s3_event_object_created.json")
    notification = notification_from_message(message)
    assert notification.message_id == message["MessageId"]
    assert notification.receipt == message["ReceiptHandle"]
    assert notification.objects == (
        ObjectCreated(
            bucket="acmecare-whereby-recordings",
            key="raw/consult-3f9a1c2e-8b7d-4e6f-a5c4-1d2e3f4a5b6c-2026-03-12T14:03:21Z.mp4",
            size=84213907,
            etag="4f9b1c7e2a3d5e6f708192a3b4c5d6e7",
            sequencer="0065F0D3A1B2C3D4E5",
            event_time=datetime(2026, 3, 12, 14, 48, 58, 412000, tzinfo=UTC),
        ),
    )


def test_sns_wrapped_fixture_keeps_the_version_id() -> None:
    (obj,) = notification_from_message(load_fixture("sns_wrapped_s3_event.json")).objects
    assert obj.version_id == "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"
    assert obj.etag == "c4ca4238a0b923820dcc509a6f75849b-1"


def test_test_event_fixture() -> None:
    notification = notification_from_message(load_fixture("s3_test_event.json"))
    assert notification.test_event
    assert notification.objects == ()
    assert notification.error is None


def test_receive_message_response_fixture() -> None:
    messages = load_fixture("receive_message_response.json")["Messages"]
    first, second = (notification_from_message(m) for m in messages)
    assert first.test_event and not second.test_event
    assert [o.key for o in second.objects] == [expected()["s3_event_object_created.json"]["decoded_key"]]


def test_sns_wrapped_test_event() -> None:
    inner = json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "b"})
    assert parse_event_body(json.dumps({"Type": "Notification", "Message": inner})).test_event


def test_several_records_and_other_events() -> None:
    parsed = parse_event_body(
        body(
            record("one.mp4"),
            record("gone.mp4", event="ObjectRemoved:Delete"),
            record("two+words.mp4", event="ObjectCreated:CompleteMultipartUpload", size=5),
            record("three%2Bplus%3A.mp4", event="s3:ObjectCreated:Copy"),
        )
    )
    assert [o.key for o in parsed.objects] == ["one.mp4", "two words.mp4", "three+plus:.mp4"]
    assert parsed.ignored == ("ObjectRemoved:Delete",)
    assert parsed.errors == ()


def test_records_without_object_created_ask_for_nothing() -> None:
    parsed = parse_event_body(body(record("x", event="ObjectRemoved:Delete")))
    assert (parsed.objects, parsed.test_event, parsed.errors) == ((), False, ())
    assert parse_event_body(json.dumps({"Records": []})).objects == ()


def test_a_bad_record_is_reported_and_the_good_ones_kept() -> None:
    message = {"MessageId": "m", "ReceiptHandle": "r", "Body": body(record("good.mp4"), record(""))}
    notification = notification_from_message(message)
    assert [o.key for o in notification.objects] == ["good.mp4"]
    assert notification.error is not None and "record 1" in notification.error


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "not an object"),
        ("{}", "neither Records"),
        ('{"Records": {}}', "not a list"),
        ('{"Type": "Notification", "Message": {"Records": []}}', "not a string"),
        ('{"Type": "Notification", "Message": "{broken"}', "SNS Message is not JSON"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_malformed_bodies_raise_payload_error(raw: str | bytes, reason: str) -> None:
    with pytest.raises(PayloadError, match=reason):
        parse_event_body(raw)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"eventName": 3}, "eventName"),
        ({"eventVersion": "3.0"}, "eventVersion"),
        ({"s3": None}, "lacks s3.bucket"),
        ({"s3": {"bucket": {"name": ""}, "object": {"key": "k"}}}, "bucket.name"),
        ({"s3": {"bucket": {"name": "b"}, "object": {"key": "k", "size": -1}}}, "size"),
        ({"s3": {"bucket": {"name": "b"}, "object": {"key": "k", "size": True}}}, "size"),
        ({"s3": {"bucket": {"name": "b"}, "object": {"key": "k", "eTag": 5}}}, "eTag"),
        ({"eventTime": "yesterday"}, "eventTime"),
    ],
)
def test_malformed_records_are_errors(bad: dict[str, Any], reason: str) -> None:
    rec = record("k") | bad
    parsed = parse_event_body(body(rec))
    assert parsed.objects == ()
    assert len(parsed.errors) == 1 and reason in parsed.errors[0]


def test_a_body_error_becomes_the_notification_error() -> None:
    notification = notification_from_message(
        {"MessageId": "m", "ReceiptHandle": "r", "Body": "garbage", "Attributes": {"ApproximateReceiveCount": "4"}}
    )
    assert notification.error is not None and "not JSON" in notification.error
    assert notification.receive_count == 4
    assert notification.objects == ()


def test_a_message_without_receipt_is_unusable() -> None:
    with pytest.raises(PayloadError):
        notification_from_message({"MessageId": "m", "Body": "{}"})


def test_naive_event_time_is_utc() -> None:
    (obj,) = parse_event_body(body(record("k") | {"eventTime": "2026-03-12T14:48:58"})).objects
    assert obj.event_time == datetime(2026, 3, 12, 14, 48, 58, tzinfo=UTC)


@given(key=st.text(alphabet=st.characters(codec="utf-8"), min_size=1))
def test_any_form_encoded_key_decodes_back(key: str) -> None:
    (obj,) = parse_event_body(body(record(quote_plus(key, safe="/")))).objects
    assert obj.key == key
