"""S3 event notification bodies, as SQS delivers them, parsed into ``ObjectCreated`` events (pure: no I/O).

Accepted bodies:

- ``{"Records": [...]}`` straight from S3; every ``ObjectCreated:*`` record becomes an
  ``ObjectCreated`` (other events, e.g. ``ObjectRemoved:*``, are ignored);
- the same inside an SNS envelope (``{"Type": "Notification", "Message": "<S3 JSON as a string>"}``),
  the S3 → SNS → SQS route with raw message delivery off;
- ``{"Event": "s3:TestEvent", ...}``, sent once when a notification is configured (direct or wrapped).

Object keys arrive form-urlencoded (``+`` is a space, ``%2B`` a plus, ``%3A`` a colon) and are decoded
with ``unquote_plus``; plain ``unquote`` would turn every space into a ``+``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

from attrs import frozen

from reflector_core.errors import PayloadError
from reflector_core.events import ObjectCreated
from reflector_core.ports import Notification

SOURCE = "S3 event notification"
TEST_EVENT = "s3:TestEvent"


@frozen
class S3EventMessage:
    """What one message body announced."""

    objects: tuple[ObjectCreated, ...] = ()
    test_event: bool = False
    ignored: tuple[str, ...] = ()
    """Names of the events that were not ``ObjectCreated:*`` (e.g. ``ObjectRemoved:Delete``)."""
    errors: tuple[str, ...] = ()
    """One line per record that could not be read; the other records are still in ``objects``."""


def _load_object(text: Any, what: str) -> dict[str, Any]:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PayloadError(SOURCE, f"{what} is not UTF-8: {exc}") from exc
    if not isinstance(text, str):
        raise PayloadError(SOURCE, f"{what} is not a string but {type(text).__name__}")
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise PayloadError(SOURCE, f"{what} is not JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise PayloadError(SOURCE, f"{what} is JSON but not an object")
    return doc


def _required(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} is missing or not a non-empty string")
    return value


def _optional(value: Any, what: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{what} is not a string")
    return value


def _record(index: int, record: Any) -> ObjectCreated | str:
    """An ``ObjectCreated`` for an ObjectCreated record, the event name for any other record."""
    if not isinstance(record, dict):
        raise ValueError(f"record {index} is not an object")
    name = _required(record.get("eventName"), f"record {index} eventName")
    version = record.get("eventVersion")
    if version is not None and (not isinstance(version, str) or version.split(".")[0] != "2"):
        raise ValueError(f"record {index} has eventVersion {version!r}; only 2.x is understood")
    # Docs write event names without the "s3:" prefix, configurations with it; accept both.
    if not name.removeprefix("s3:").startswith("ObjectCreated:"):
        return name
    s3 = record.get("s3")
    bucket = s3.get("bucket") if isinstance(s3, dict) else None
    obj = s3.get("object") if isinstance(s3, dict) else None
    if not isinstance(bucket, dict) or not isinstance(obj, dict):
        raise ValueError(f"record {index} ({name}) lacks s3.bucket or s3.object")
    bucket_name = _required(bucket.get("name"), f"record {index} s3.bucket.name")
    raw_key = _required(obj.get("key"), f"record {index} s3.object.key")
    size = obj.get("size")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        raise ValueError(f"record {index} s3.object.size is not a non-negative integer: {size!r}")
    event_time: datetime | None = None
    if (raw_time := _optional(record.get("eventTime"), f"record {index} eventTime")) is not None:
        try:
            event_time = datetime.fromisoformat(raw_time)
        except ValueError:
            raise ValueError(f"record {index} eventTime is not ISO 8601: {raw_time!r}") from None
        if event_time.tzinfo is None:
            # S3 always writes UTC ("...Z"); a bare time can only mean the same.
            event_time = event_time.replace(tzinfo=UTC)
    return ObjectCreated(
        bucket=bucket_name,
        key=unquote_plus(raw_key),
        size=size,
        etag=_optional(obj.get("eTag"), f"record {index} s3.object.eTag"),
        sequencer=_optional(obj.get("sequencer"), f"record {index} s3.object.sequencer"),
        version_id=_optional(obj.get("versionId"), f"record {index} s3.object.versionId"),
        event_time=event_time,
    )


def parse_event_body(body: object) -> S3EventMessage:
    """Parse one SQS message body (``str`` or UTF-8 ``bytes``). Raises ``PayloadError`` when the body as a whole is unreadable."""
    doc = _load_object(body, "body")
    if doc.get("Type") == "Notification" and "Message" in doc:
        doc = _load_object(doc["Message"], "SNS Message")
    if doc.get("Event") == TEST_EVENT:
        return S3EventMessage(test_event=True)
    if "Records" not in doc:
        raise PayloadError(SOURCE, "neither Records nor an s3:TestEvent")
    records = doc["Records"]
    if not isinstance(records, list):
        raise PayloadError(SOURCE, "Records is not a list")
    objects: list[ObjectCreated] = []
    ignored: list[str] = []
    errors: list[str] = []
    for index, record in enumerate(records):
        try:
            parsed = _record(index, record)
        except ValueError as exc:
            errors.append(str(exc))
            continue
        if isinstance(parsed, ObjectCreated):
            objects.append(parsed)
        else:
            ignored.append(parsed)
    return S3EventMessage(objects=tuple(objects), test_event=False, ignored=tuple(ignored), errors=tuple(errors))


def _receive_count(attributes: Any) -> int | None:
    if not isinstance(attributes, Mapping):
        return None
    raw = attributes.get("ApproximateReceiveCount")
    try:
        return int(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None


def notification_from_message(message: Mapping[str, Any]) -> Notification:
    """One SQS message (boto3's ``Messages[i]`` shape) as a ``Notification``; never raises for a bad body.

    An unreadable body, or any unreadable record, sets ``error``: the caller must then leave the
    message alone so the queue's redrive policy moves it to the dead-letter queue. Records that were
    readable are still returned in ``objects`` (recording them is idempotent).
    """
    message_id = message.get("MessageId")
    receipt = message.get("ReceiptHandle")
    if not isinstance(message_id, str) or not isinstance(receipt, str):
        # Without these the message cannot even be acknowledged: this is not a body problem.
        raise PayloadError("SQS message", "MessageId or ReceiptHandle missing")
    receive_count = _receive_count(message.get("Attributes"))
    try:
        parsed = parse_event_body(message.get("Body"))
    except PayloadError as exc:
        return Notification(message_id=message_id, receipt=receipt, error=exc.reason, receive_count=receive_count)
    return Notification(
        message_id=message_id,
        receipt=receipt,
        objects=parsed.objects,
        test_event=parsed.test_event,
        error="; ".join(parsed.errors) or None,
        receive_count=receive_count,
    )
