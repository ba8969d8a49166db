"""Embedded mode after a restart: the in-process queue died with the process, so its jobs come back here.

In embedded mode one process runs the API, the only worker and the scheduler; its queue lives in
memory. When that process is killed, every transcript still ``queued`` or ``processing`` in the
database was a job of the dead process and nobody else will run it, so start-up enqueues each once
(processing is retry-safe: it re-enters ``processing`` and overwrites the same keys). So is every
accepted platform webhook whose job had not finished (its raw body is kept until then). The periodic
jobs whose work may have been lost with it (consent cleanups, webhook retries) run once right away
instead of waiting for their interval.

Production deployments never call this: Redis keeps the queue, and a dead worker's jobs are
requeued by the broker when its heartbeat stops.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from reflector_core.ports import Clock, JobQueue, UnitOfWork
from reflector_core.usecases.consent import SweepConsentCleanups
from reflector_core.usecases.events import HandlePlatformEvent
from reflector_core.usecases.outbound import RetryWebhooks
from reflector_core.usecases.process_recording import ProcessRecording

log = logging.getLogger(__name__)


async def resume_after_restart(*, unit_of_work: Callable[[], UnitOfWork], queue: JobQueue, clock: Clock) -> list[str]:
    """Enqueue every unfinished transcript once, and the sweeps; returns the transcript ids."""
    async with unit_of_work() as uow:
        # "Stuck since before now" is every queued or processing transcript: none has a live job yet.
        unfinished = await uow.transcripts.stuck(clock.now() + timedelta(seconds=1))
        events = await uow.inbound_events.pending()
    ids = [t.id for t in unfinished if t.id is not None]
    for tid in ids:
        await queue.enqueue(ProcessRecording(tid))
    for platform, body in events:
        await queue.enqueue(HandlePlatformEvent(platform.value, body))
    if events:
        log.warning("restart: %d accepted webhook event(s) not yet handled enqueued again", len(events))
    await queue.enqueue(SweepConsentCleanups())
    await queue.enqueue(RetryWebhooks())
    if ids:
        log.warning("restart: %d unfinished transcript(s) enqueued again: %s", len(ids), ", ".join(ids))
    return ids
