"""The SQS adapter against moto's server over real HTTP: receive, acknowledge, redelivery, dead-letter queue."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiobotocore.session import AioSession

from reflector_adapters.notifications.config import SqsQueueConfig
from reflector_adapters.notifications.sqs import SqsRecordingNotifications
from reflector_core.errors import ConfigurationError, InvalidInputError, QueueError
from reflector_core.ports import Notification
from tests.contract.notifications.conftest import expected, load_fixture
from tests.moto_server import MotoServer


@pytest.fixture
async def queue(sqs_queue: SqsQueueConfig, aio_session: AioSession) -> AsyncIterator[SqsRecordingNotifications]:
    async with SqsRecordingNotifications(sqs_queue, session=aio_session) as notifications:
        yield notifications


def send(server: MotoServer, queue_url: str, body: str) -> str:
    message_id: str = server.boto3_client("sqs").send_message(QueueUrl=queue_url, MessageBody=body)["MessageId"]
    return message_id


async def receive_all(queue: SqsRecordingNotifications, count: int, *, wait: int = 2) -> list[Notification]:
    """Receive until ``count`` messages arrived (moto, like SQS, may return fewer per call)."""
    got: list[Notification] = []
    deadline = time.monotonic() + 10
    while len(got) < count and time.monotonic() < deadline:
        got += await queue.receive(max_messages=min(10, count - len(got)), wait_seconds=wait)
    return got


def visible_and_hidden(server: MotoServer, queue_url: str) -> tuple[int, int]:
    attrs: dict[str, Any] = server.boto3_client("sqs").get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]), int(attrs["ApproximateNumberOfMessagesNotVisible"])


async def test_send_receive_acknowledge(moto_server: MotoServer, queue: SqsRecordingNotifications) -> None:
    fixture = load_fixture("s3_event_object_created.json")
    message_id = send(moto_server, queue.queue_url, fixture["Body"])
    (notification,) = await receive_all(queue, 1)
    assert notification.message_id == message_id
    assert notification.receive_count == 1
    assert [o.key for o in notification.objects] == [expected()["s3_event_object_created.json"]["decoded_key"]]
    assert visible_and_hidden(moto_server, queue.queue_url) == (0, 1), "received but not yet deleted"
    await queue.acknowledge(notification)
    assert visible_and_hidden(moto_server, queue.queue_url) == (0, 0)


@pytest.mark.parametrize(
    "name", ["s3_event_object_created.json", "s3_event_key_with_spaces.json", "sns_wrapped_s3_event.json"]
)
async def test_every_event_fixture_through_the_queue(
    moto_server: MotoServer, queue: SqsRecordingNotifications, name: str
) -> None:
    send(moto_server, queue.queue_url, load_fixture(name)["Body"])
    (notification,) = await receive_all(queue, 1)
    want = expected()[name]
    assert notification.error is None
    assert [(o.bucket, o.key) for o in notification.objects] == [(want["bucket"], want["decoded_key"])]
    await queue.acknowledge(notification)


async def test_test_event_and_batch_fixture_through_the_queue(
    moto_server: MotoServer, queue: SqsRecordingNotifications
) -> None:
    send(moto_server, queue.queue_url, load_fixture("s3_test_event.json")["Body"])
    for message in load_fixture("receive_message_response.json")["Messages"]:
        send(moto_server, queue.queue_url, message["Body"])
    got = await receive_all(queue, 3)
    assert sorted(n.test_event for n in got) == [False, True, True]
    created = [o.key for n in got for o in n.objects]
    assert created == [expected()["s3_event_object_created.json"]["decoded_key"]]
    for notification in got:
        await queue.acknowledge(notification)
    assert visible_and_hidden(moto_server, queue.queue_url) == (0, 0)


async def test_batches_hold_at_most_ten(moto_server: MotoServer, queue: SqsRecordingNotifications) -> None:
    for i in range(12):
        send(moto_server, queue.queue_url, load_fixture("s3_test_event.json")["Body"].replace("K8N2", f"{i:04d}"))
    first = await queue.receive(max_messages=10, wait_seconds=1)
    assert 1 <= len(first) <= 10
    rest = await receive_all(queue, 12 - len(first))
    assert len({n.message_id for n in first + rest}) == 12


async def test_unacknowledged_message_is_redelivered_after_the_visibility_timeout(
    moto_server: MotoServer, aio_session: AioSession
) -> None:
    url, _ = moto_server.new_queue()
    config = moto_server.queue_config(url, visibility_timeout=2)
    async with SqsRecordingNotifications(config, session=aio_session) as queue:
        message_id = send(moto_server, url, load_fixture("s3_event_object_created.json")["Body"])
        (first,) = await receive_all(queue, 1)
        assert await queue.receive(wait_seconds=0) == [], "hidden while its visibility timeout runs"
        await asyncio.sleep(2.5)
        (again,) = await receive_all(queue, 1)
        assert again.message_id == first.message_id == message_id
        assert (first.receive_count, again.receive_count) == (1, 2)
        assert again.receipt != first.receipt
        await queue.acknowledge(again)
        await asyncio.sleep(2.5)
        assert await queue.receive(wait_seconds=0) == []


async def test_change_visibility_releases_a_message_at_once(
    moto_server: MotoServer, queue: SqsRecordingNotifications
) -> None:
    send(moto_server, queue.queue_url, load_fixture("s3_test_event.json")["Body"])
    (first,) = await receive_all(queue, 1)
    await queue.change_visibility(first, 0)
    (again,) = await receive_all(queue, 1)
    assert again.message_id == first.message_id
    with pytest.raises(InvalidInputError):
        await queue.change_visibility(again, -1)


async def test_long_polling_waits_and_returns_early(moto_server: MotoServer, queue: SqsRecordingNotifications) -> None:
    started = time.monotonic()
    assert await queue.receive(wait_seconds=1) == []
    assert time.monotonic() - started >= 0.9, "an empty long poll waits for WaitTimeSeconds"
    loop = asyncio.get_running_loop()
    loop.call_later(0.5, send, moto_server, queue.queue_url, load_fixture("s3_test_event.json")["Body"])
    started = time.monotonic()
    got = await queue.receive(wait_seconds=10)
    assert len(got) == 1
    assert time.monotonic() - started < 8, "a long poll returns as soon as a message arrives"


async def test_malformed_body_is_never_acknowledged_and_reaches_the_dead_letter_queue(
    moto_server: MotoServer, aio_session: AioSession, caplog: pytest.LogCaptureFixture
) -> None:
    url, dlq_url = moto_server.new_queue(dead_letter_after=2)
    assert dlq_url is not None
    config = moto_server.queue_config(url, visibility_timeout=1)
    async with SqsRecordingNotifications(config, session=aio_session) as queue:
        message_id = send(moto_server, url, '{"Records": "not a list"}')
        with caplog.at_level(logging.WARNING, logger="reflector_adapters.notifications.sqs"):
            (first,) = await receive_all(queue, 1)
        assert first.error is not None and "not a list" in first.error
        assert message_id in caplog.text, "the log names the message"
        # The caller leaves it alone: it comes back until maxReceiveCount, then moves to the DLQ.
        await asyncio.sleep(1.5)
        (second,) = await receive_all(queue, 1)
        assert (second.message_id, second.receive_count) == (message_id, 2)
        await asyncio.sleep(1.5)
        assert await queue.receive(wait_seconds=1) == []
    dead = moto_server.boto3_client("sqs").receive_message(QueueUrl=dlq_url, WaitTimeSeconds=1)["Messages"]
    assert [(m["MessageId"], m["Body"]) for m in dead] == [(message_id, '{"Records": "not a list"}')]


async def test_receive_arguments_are_checked(queue: SqsRecordingNotifications) -> None:
    for kwargs in [{"max_messages": 0}, {"max_messages": 11}, {"wait_seconds": -1}, {"wait_seconds": 21}]:
        with pytest.raises(InvalidInputError):
            await queue.receive(**kwargs)


async def test_missing_queue_is_a_queue_error(moto_server: MotoServer, aio_session: AioSession) -> None:
    url = f"{moto_server.endpoint_url}/123456789012/no-such-queue"
    async with SqsRecordingNotifications(moto_server.queue_config(url), session=aio_session) as queue:
        with pytest.raises(QueueError) as info:
            await queue.receive(wait_seconds=0)
    assert info.value.queue == url
    assert info.value.operation == "receive"


async def test_acknowledge_with_a_bogus_receipt_is_a_queue_error(queue: SqsRecordingNotifications) -> None:
    with pytest.raises(QueueError) as info:
        await queue.acknowledge(Notification(message_id="m-1", receipt="not-a-receipt"))
    assert info.value.message_id == "m-1"


def test_queue_config_rules() -> None:
    with pytest.raises(ConfigurationError, match="both"):
        SqsQueueConfig(queue_url="https://sqs.eu-central-1.amazonaws.com/1/q", secret_access_key="s")
    with pytest.raises(ConfigurationError, match="long-poll"):
        SqsQueueConfig(queue_url="https://sqs.eu-central-1.amazonaws.com/1/q", read_timeout=20)
    with pytest.raises(ValueError, match="visibility_timeout"):
        SqsQueueConfig(queue_url="q", visibility_timeout=43201)
    assert SqsQueueConfig(queue_url="https://sqs.eu-central-1.amazonaws.com/1/q").effective_region == "eu-central-1"
    assert SqsQueueConfig(queue_url="http://localhost:4566/1/q").effective_region == "us-east-1"
