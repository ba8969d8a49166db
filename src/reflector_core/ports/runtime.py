"""The process's surroundings: the time, and the background job queue."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from reflector_core.jobs import Job


@runtime_checkable  # Litestar checks the type of every injected dependency
class Clock(Protocol):
    def now(self) -> datetime:
        """The current UTC-aware instant."""
        ...


@runtime_checkable  # Litestar checks the type of every injected dependency
class JobQueue(Protocol):
    async def enqueue(self, job: Job) -> None:
        """Send one job message (a ``Job`` subclass) to the workers."""
        ...
