"""Arbitrary bytes, JSON and headers through the parsers and verifiers: only our typed errors come out."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reflector_adapters.daily.webhooks import DailyWebhooks, parse_daily_event
from reflector_adapters.daily.wire import recording_wire, recordings_page, to_recording
from reflector_adapters.whereby.webhooks import WherebyWebhooks, parse_whereby_event
from reflector_adapters.whereby.wire import room_sessions_page
from reflector_core.errors import PayloadError, WebhookRejectedError
from reflector_core.events import PlatformEvent

JSON: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20,
)
DAILY_TYPES = st.sampled_from(
    [
        "participant.joined",
        "participant.left",
        "meeting.started",
        "meeting.ended",
        "recording.started",
        "recording.ready-to-download",
        "recording.error",
        "waiting-participant.left",
    ]
)
WHEREBY_TYPES = st.sampled_from(
    ["room.client.joined", "room.client.left", "room.session.started", "room.session.ended", "recording.finished"]
)
# Field names the parsers look for, so the fuzzer reaches past "required field missing".
DAILY_KEYS = st.sampled_from(
    ["session_id", "room", "user_id", "user_name", "joined_at", "duration", "meeting_id", "start_ts", "end_ts",
     "recording_id", "room_name", "type", "tracks", "s3_key", "s3Key", "status", "action", "error_msg"]
)  # fmt: skip
WHEREBY_KEYS = st.sampled_from(
    ["participantId", "roomName", "roleName", "displayName", "externalId", "meetingId", "filename", "recordingId",
     "status", "roomSessionId"]
)  # fmt: skip


@attrs.frozen
class Clock:
    def now(self) -> datetime:
        return datetime(2026, 3, 12, 14, 0, tzinfo=UTC)


@given(st.binary(max_size=200))
def test_daily_parser_on_arbitrary_bytes(body: bytes) -> None:
    try:
        assert isinstance(parse_daily_event(body, bucket="b"), PlatformEvent)
    except PayloadError:
        pass


@given(DAILY_TYPES, st.dictionaries(DAILY_KEYS, JSON, max_size=8), JSON, JSON)
def test_daily_parser_on_arbitrary_payloads(kind: str, payload: dict[str, Any], event_id: Any, ts: Any) -> None:
    body = json.dumps({"type": kind, "id": event_id, "payload": payload, "event_ts": ts}).encode()
    try:
        assert isinstance(parse_daily_event(body, bucket="b"), PlatformEvent)
    except PayloadError:
        pass


@given(JSON)
def test_daily_parser_on_arbitrary_json(data: Any) -> None:
    try:
        parse_daily_event(json.dumps(data).encode(), bucket="b")
    except PayloadError:
        pass


@given(st.binary(max_size=200))
def test_whereby_parser_on_arbitrary_bytes(body: bytes) -> None:
    try:
        assert isinstance(parse_whereby_event(body, bucket="b"), PlatformEvent)
    except PayloadError:
        pass


@given(WHEREBY_TYPES, st.dictionaries(WHEREBY_KEYS, JSON, max_size=8), JSON)
def test_whereby_parser_on_arbitrary_payloads(kind: str, data: dict[str, Any], created: Any) -> None:
    body = json.dumps({"type": kind, "id": "x", "createdAt": created, "data": data}).encode()
    try:
        assert isinstance(parse_whereby_event(body, bucket="b", prefix="raw"), PlatformEvent)
    except PayloadError:
        pass


@given(st.dictionaries(DAILY_KEYS | st.sampled_from(["id", "s3key", "mtgSessionId", "s3"]), JSON, max_size=8))
def test_daily_recording_conversion(item: dict[str, Any]) -> None:
    try:
        to_recording(recording_wire(item, "fuzz"), bucket="b", source="fuzz")
    except PayloadError:
        pass


@given(JSON)
def test_list_pages(data: Any) -> None:
    for parse in (recordings_page, room_sessions_page):
        try:
            parse(data, "fuzz")
        except PayloadError:
            pass


HEADER_NAMES = st.sampled_from(["X-Webhook-Signature", "X-Webhook-Timestamp", "Whereby-Signature", "x-other"])


@given(st.binary(max_size=100), st.dictionaries(HEADER_NAMES, st.text(max_size=80), max_size=3))
def test_receive_on_arbitrary_requests(body: bytes, headers: dict[str, str]) -> None:
    daily = DailyWebhooks(["c2VjcmV0"], bucket="b", clock=Clock())
    whereby = WherebyWebhooks(["secret"], bucket="b", clock=Clock())
    for hooks in (daily, whereby):
        try:
            hooks.parse(body, headers)
        except (WebhookRejectedError, PayloadError):
            pass


def test_a_recording_type_that_is_not_a_string_is_a_payload_error() -> None:
    # Found by the fuzzer above in CI: an unhashable "type" crashed the membership test.
    body = json.dumps({"type": "recording.ready-to-download", "id": "e", "payload": {"type": []}}).encode()
    with pytest.raises(PayloadError):
        parse_daily_event(body, bucket="b")
