"""The Dramatiq broker: Redis in production, an in-process stub in embedded mode."""

from __future__ import annotations

import asyncio
from typing import Any

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware.asyncio import AsyncIO

from reflector_app.settings import Settings
from reflector_core.jobs import Job

QUEUE = "default"


def make_broker(settings: Settings) -> dramatiq.Broker:
    broker: dramatiq.Broker = (
        RedisBroker(  # type: ignore[no-untyped-call]
            url=settings.queue.redis_url,
            namespace="reflector",
            heartbeat_timeout=settings.queue.worker_heartbeat_seconds * 1000,
            # Requeuing a dead worker's jobs happens on a random share of broker commands (per million);
            # 1 in 50 (Dramatiq's default is 1 in 1000) brings a killed worker's job back within seconds
            # of its heartbeat expiring, for a few cheap Redis calls.
            maintenance_chance=20_000,
        )
        if settings.queue.redis_url
        else StubBroker()  # embedded mode: consumed by a worker in the same process
    )
    broker.add_middleware(AsyncIO())
    broker.declare_queue(QUEUE)
    return broker


class DramatiqQueue:
    """``JobQueue`` over a broker: sends by the job's actor name, so a sender needs no actor declarations."""

    def __init__(self, broker: dramatiq.Broker) -> None:
        self.broker = broker

    async def enqueue(self, job: Job) -> None:
        message: dramatiq.Message[Any] = dramatiq.Message(
            queue_name=QUEUE, actor_name=job.name, args=(), kwargs=job.arguments(), options={}
        )
        # Redis I/O is blocking in Dramatiq; keep it off the event loop.
        await asyncio.to_thread(self.broker.enqueue, message)
