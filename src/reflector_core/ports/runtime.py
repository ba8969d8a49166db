"""The process's surroundings: the time, and the background job queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current UTC-aware instant."""
        ...


class JobQueue(Protocol):
    async def enqueue(self, job: str, **kwargs: Any) -> None: ...
