"""``RecordingNotifications`` on an SQS queue, with aiobotocore.

A received message stays in the queue, hidden for the visibility timeout. It is deleted only by
``acknowledge``, which the caller invokes after durably recording what the message announced: a crash
in between makes the message visible again and it is redelivered (ingestion is idempotent). A
malformed message is never acknowledged; the queue's redrive policy moves it to the dead-letter
queue once ``maxReceiveCount`` receives have passed without a delete.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession
from botocore.exceptions import BotoCoreError, ClientError

from reflector_adapters.aws_client import OwnedClient
from reflector_adapters.notifications.config import SQS_MAX_VISIBILITY, SqsQueueConfig
from reflector_adapters.notifications.s3_events import notification_from_message
from reflector_core.errors import InvalidInputError, PayloadError, QueueError
from reflector_core.ports import Notification

log = logging.getLogger(__name__)

MAX_BATCH = 10
MAX_WAIT_SECONDS = 20


class SqsRecordingNotifications(OwnedClient):
    """Open before use: ``async with SqsRecordingNotifications(config) as queue: ...``."""

    service = "sqs"

    def __init__(self, config: SqsQueueConfig, *, session: AioSession | None = None) -> None:
        super().__init__(session)
        self.config = config
        self.queue_url = config.queue_url

    def client_arguments(self) -> dict[str, Any]:
        c = self.config
        return {
            "region_name": c.effective_region,
            "endpoint_url": c.endpoint_url,
            "aws_access_key_id": c.access_key_id,
            "aws_secret_access_key": c.secret_access_key,
            "aws_session_token": c.session_token,
            "config": AioConfig(
                region_name=c.effective_region,
                connect_timeout=c.connect_timeout,
                read_timeout=c.read_timeout,
                retries={"max_attempts": c.max_attempts, "mode": "standard"},
            ),
        }

    @property
    def _sqs(self) -> Any:
        if self._client is None:
            raise QueueError(self.queue_url, "use", "queue is not open (use 'async with' or await open())")
        return self._client

    @contextmanager
    def _errors(self, operation: str, message_id: str | None = None) -> Iterator[None]:
        try:
            yield
        except ClientError as exc:
            error = exc.response.get("Error", {})
            reason = f"{error.get('Code', '')} {error.get('Message', '')}".strip()
            raise QueueError(self.queue_url, operation, reason, message_id=message_id) from exc
        except (BotoCoreError, aiohttp.ClientError, TimeoutError) as exc:
            raise QueueError(self.queue_url, operation, f"{type(exc).__name__}: {exc}", message_id=message_id) from exc

    async def receive(self, *, max_messages: int = 10, wait_seconds: int = 20) -> list[Notification]:
        """Long-poll for up to ``max_messages`` (1..10) messages, waiting up to ``wait_seconds`` (0..20)."""
        if not 1 <= max_messages <= MAX_BATCH:
            raise InvalidInputError(f"max_messages must be 1..{MAX_BATCH}, got {max_messages}")
        if not 0 <= wait_seconds <= MAX_WAIT_SECONDS:
            raise InvalidInputError(f"wait_seconds must be 0..{MAX_WAIT_SECONDS}, got {wait_seconds}")
        with self._errors("receive"):
            reply = await self._sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=max_messages,
                WaitTimeSeconds=wait_seconds,
                VisibilityTimeout=self.config.visibility_timeout,
                MessageSystemAttributeNames=["ApproximateReceiveCount", "SentTimestamp"],
            )
        notifications: list[Notification] = []
        for message in reply.get("Messages", ()):
            try:
                notification = notification_from_message(message)
            except PayloadError as exc:
                log.error("queue %s: unusable message %r: %s", self.queue_url, message.get("MessageId"), exc)
                continue
            if notification.error is not None:
                # Not acknowledged on purpose: after the queue's maxReceiveCount it lands in the DLQ.
                log.warning(
                    "queue %s: message %s (receive %s) has a malformed body, left for the dead-letter queue: %s",
                    self.queue_url,
                    notification.message_id,
                    notification.receive_count,
                    notification.error,
                )
            notifications.append(notification)
        return notifications

    async def acknowledge(self, notification: Notification) -> None:
        """Delete the message (with the receipt of its latest receive). Deleting it twice is harmless."""
        with self._errors("delete", notification.message_id):
            await self._sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=notification.receipt)

    async def change_visibility(self, notification: Notification, seconds: int) -> None:
        """Hide the message for ``seconds`` more (long work), or release it now with ``0`` (shutdown)."""
        if not 0 <= seconds <= SQS_MAX_VISIBILITY:
            raise InvalidInputError(f"visibility must be 0..{SQS_MAX_VISIBILITY} s, got {seconds}")
        with self._errors("change visibility", notification.message_id):
            await self._sqs.change_message_visibility(
                QueueUrl=self.queue_url, ReceiptHandle=notification.receipt, VisibilityTimeout=seconds
            )
