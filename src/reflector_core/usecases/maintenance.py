"""Periodic housekeeping: finished meetings, stuck transcripts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import ClassVar

import attrs
from attrs import frozen

from reflector_core.errors import ReflectorError
from reflector_core.jobs import Job
from reflector_core.model import TranscriptStatus
from reflector_core.ports import Clock, JobQueue, UnitOfWork, VideoPlatform
from reflector_core.usecases.ingest import link_meeting
from reflector_core.usecases.process_recording import ProcessRecording

log = logging.getLogger(__name__)


@frozen
class DeactivateFinishedMeetings(Job):
    """Periodic: deactivate meetings whose end has passed."""

    name: ClassVar[str] = "deactivate_finished_meetings"


@frozen
class RequeueStuckTranscripts(Job):
    """Periodic: enqueue again the transcripts whose job was lost."""

    name: ClassVar[str] = "requeue_stuck_transcripts"


@frozen
class ReconcilePresence(Job):
    """Periodic: Daily presence snapshots into participant sessions."""

    name: ClassVar[str] = "reconcile_presence"


@frozen
class LinkUnlinkedRecordings(Job):
    """Periodic: link recordings that arrived before their meeting."""

    name: ClassVar[str] = "link_unlinked_recordings"


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
        await queue.enqueue(ProcessRecording(tid))
        log.warning("transcript %s was stuck; re-enqueued", tid)
    return ids


async def reconcile_presence(
    platform: VideoPlatform, *, unit_of_work: Callable[[], UnitOfWork], clock: Clock
) -> dict[str, int]:
    """Bring our participant sessions in line with who the platform says is in each active meeting.

    Participant webhooks get lost too; the presence snapshot is the truth. Everyone present is
    upserted (idempotent: a repeated snapshot changes nothing); a session we hold open whose
    participant is no longer present is closed now. Returns, per meeting id, how many are present.
    A meeting whose presence cannot be read is skipped until the next run.
    """
    async with unit_of_work() as uow:
        meetings = [m for m in await uow.meetings.active(platform.platform) if m.id is not None]
    present_counts: dict[str, int] = {}
    for meeting in meetings:
        meeting_id = meeting.id or ""
        try:
            present = await platform.room_sessions(meeting)  # outside any transaction: a network call
        except ReflectorError as exc:
            log.warning("presence of meeting %s unavailable: %s", meeting_id, exc)
            continue
        now = clock.now()
        async with unit_of_work() as uow:
            here = set()
            for session in present:
                here.add(session.session_id)
                await uow.participant_sessions.upsert(attrs.evolve(session, meeting_id=meeting_id))
            for known in await uow.participant_sessions.for_meeting(meeting_id):
                if known.left_at is None and known.session_id not in here:
                    await uow.participant_sessions.upsert(attrs.evolve(known, left_at=max(now, known.joined_at)))
            await uow.commit()
        present_counts[meeting_id] = len(present)
    return present_counts


async def link_unlinked_recordings(*, unit_of_work: Callable[[], UnitOfWork]) -> int:
    """Link recordings whose meeting was unknown when they arrived (the meeting row may come later,
    e.g. from a meeting created on another instance); returns how many found their meeting."""
    linked = 0
    async with unit_of_work() as uow:
        for recording in await uow.recordings.unlinked():
            if await link_meeting(uow, recording) is not None:
                linked += 1
        await uow.commit()
    return linked
