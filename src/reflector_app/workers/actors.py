"""Dramatiq actors, one per entry of the job registry (``workers/jobs.py``): each decides nothing.

An actor turns the message's keyword arguments back into the job's message type and hands it to the
job's handler. The container is built lazily inside the worker's own event loop (database engines
and HTTP clients belong to the loop that created them), once per worker process, and each handler is
bound to it once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import dramatiq

from reflector_app.container import Container
from reflector_app.workers.broker import QUEUE
from reflector_app.workers.jobs import JOBS, MINUTE_MS, Handler, JobSpec
from reflector_core.errors import InvalidInputError
from reflector_core.jobs import Job

RetryWhen = Callable[[int, BaseException], bool]


def retry_policy(max_retries: int) -> RetryWhen:
    """Retry what may succeed later, up to the job's own ``max_retries``; bad input never becomes good.

    Dramatiq ignores an actor's ``max_retries`` once it has a ``retry_when``: the count must be checked here.
    """

    def transient(retries: int, exc: BaseException) -> bool:
        return not isinstance(exc, InvalidInputError) and retries < max_retries

    return transient


class Runtime:
    """Builds the worker's container on first use, in the loop that runs the actors, and binds handlers to it."""

    def __init__(self, build: Callable[[], Awaitable[Container]]) -> None:
        self._build = build
        self._container: Container | None = None
        self._lock: asyncio.Lock | None = None
        self._handlers: dict[type[Job], Handler[Any]] = {}

    async def container(self) -> Container:
        if self._container is None:
            self._lock = self._lock or asyncio.Lock()
            async with self._lock:
                if self._container is None:
                    self._container = await self._build()
        return self._container

    async def handler(self, spec: JobSpec[Any]) -> Handler[Any]:
        handler = self._handlers.get(spec.job)
        if handler is None:
            handler = self._handlers[spec.job] = spec.bind(await self.container())
        return handler

    async def aclose(self) -> None:
        if self._container is not None:
            await self._container.aclose()
            self._container = None
            self._handlers.clear()


def actor_for(broker: dramatiq.Broker, runtime: Runtime, spec: JobSpec[Any]) -> dramatiq.Actor[Any, Any]:
    async def run(**arguments: Any) -> None:
        handler = await runtime.handler(spec)
        await handler(spec.job(**arguments))

    run.__name__ = run.__qualname__ = spec.job.name
    declare = dramatiq.actor(
        broker=broker,
        actor_name=spec.job.name,
        queue_name=QUEUE,
        time_limit=spec.time_limit,
        max_retries=spec.max_retries,
        min_backoff=5_000,
        max_backoff=10 * MINUTE_MS,
        retry_when=retry_policy(spec.max_retries),
    )
    return declare(run)


def register_actors(broker: dramatiq.Broker, runtime: Runtime) -> dict[str, dramatiq.Actor[Any, Any]]:
    """One actor per registered job, by the job's name."""
    return {spec.job.name: actor_for(broker, runtime, spec) for spec in JOBS}
