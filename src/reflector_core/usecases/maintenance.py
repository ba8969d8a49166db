"""Periodic housekeeping: finished meetings, stuck transcripts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from reflector_core.model import TranscriptStatus
from reflector_core.ports import Clock, JobQueue, UnitOfWork
from reflector_core.usecases.ingest import PROCESS_JOB

log = logging.getLogger(__name__)


async def deactivate_finished_meetings(*, unit_of_work: Callable[[], UnitOfWork], clock: Clock) -> int:
    """Meetings whose end time has passed are no longer joinable; returns how many were closed."""
    async with unit_of_work() as uow:
        ended = await uow.meetings.ended_but_active(clock.now())
        for meeting in ended:
            if meeting.id is not None:
                await uow.meetings.deactivate(meeting.id)
        await uow.commit()
    return len(ended)


async def requeue_stuck(
    *, unit_of_work: Callable[[], UnitOfWork], queue: JobQueue, clock: Clock, older_than: timedelta
) -> list[str]:
    """Re-enqueue transcripts left ``queued`` or ``processing`` longer than ``older_than``.

    A job lost between commit and enqueue, a worker killed mid-pipeline, or retries exhausted on a
    transient fault all leave such a transcript; processing is retry-safe, so sending it again is the
    whole repair. The interval itself is the backoff.
    """
    async with unit_of_work() as uow:
        stuck = await uow.transcripts.stuck(clock.now() - older_than)
    ids = [
        t.id for t in stuck if t.id is not None and t.status in (TranscriptStatus.QUEUED, TranscriptStatus.PROCESSING)
    ]
    for tid in ids:
        await queue.enqueue(PROCESS_JOB, transcript_id=tid)
        log.warning("transcript %s was stuck; re-enqueued", tid)
    return ids
