"""Object storage buckets and the notifications they send (S3 events through SQS)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol, runtime_checkable

from reflector_core.events import Notification
from reflector_core.model import ObjectInfo


@runtime_checkable  # Litestar checks the type of every injected dependency
class ObjectStorage(Protocol):
    """One bucket. Keys are relative, ``/``-separated; a key can never leave its bucket."""

    bucket: str

    async def download(self, key: str, destination: Path) -> int:
        """Stream the object to ``destination``; returns its size. Raises ``ObjectNotFoundError``."""
        ...

    async def upload(self, key: str, source: Path, *, content_type: str | None = None) -> None: ...

    async def read(self, key: str, *, start: int = 0, end: int | None = None) -> bytes:
        """Bytes ``start`` to ``end`` inclusive (an HTTP Range), for small reads and range replies."""
        ...

    async def delete(self, key: str) -> None:
        """Idempotent: deleting a missing object succeeds."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def stat(self, key: str) -> ObjectInfo: ...

    async def presigned_url(self, key: str, *, expires_in: int) -> str: ...

    def list(self, prefix: str = "") -> AsyncIterator[ObjectInfo]: ...


class RecordingNotifications(Protocol):
    """S3 ``ObjectCreated`` notifications (Whereby recordings) through SQS."""

    async def receive(self, *, max_messages: int = 10, wait_seconds: int = 20) -> list[Notification]: ...

    async def acknowledge(self, notification: Notification) -> None:
        """Delete the message: call only after what it announced is durably recorded."""
        ...
