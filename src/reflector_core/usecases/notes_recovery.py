"""The sweep for lost notes jobs: re-enqueue them, and in the end give up so the webhook still goes out.

The outbound ``transcript.completed`` webhook is enqueued by the notes job when it finishes (it carries
the notes). A notes job lost with its worker or its broker would leave the notes ``pending`` and the
webhook unsent forever; this sweep is the repair, as ``requeue_stuck`` is for transcripts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import ClassVar

import attrs
from attrs import frozen

from reflector_core.jobs import Job
from reflector_core.model import NotesStatus
from reflector_core.ports import Clock, JobQueue, UnitOfWork
from reflector_core.usecases.notes import WriteNotes
from reflector_core.usecases.outbound import AnnounceTranscript

log = logging.getLogger(__name__)


@frozen
class SweepStuckNotes(Job):
    """Periodic: enqueue again the notes whose job was lost; fail the ones that never finish."""

    name: ClassVar[str] = "sweep_stuck_notes"


@frozen
class NotesSweepPolicy:
    stuck_after: timedelta
    """A ``pending`` row this old has lost its job."""
    running_after: timedelta
    """A ``running`` row this old has lost its worker; at least the job's time limit, so a slow LLM is not run twice."""
    give_up_after: timedelta
    """A row unchanged this long is failed and the webhook sent without notes."""


@frozen
class NotesSweepReport:
    requeued: tuple[str, ...] = ()
    given_up: tuple[str, ...] = ()


async def sweep_stuck_notes(
    policy: NotesSweepPolicy, *, unit_of_work: Callable[[], UnitOfWork], queue: JobQueue, clock: Clock
) -> NotesSweepReport:
    """Re-enqueue lost notes jobs; fail (with a reason) the notes stuck past ``give_up_after``.

    A re-enqueued job keeps the user's edits (the lost request's ``keep_edits`` is unknown, and
    keeping loses nothing) and announces the transcript: the announcement is stored once per event,
    so a transcript already announced is not announced twice. Giving up announces it too, without
    notes. The row's ``updated_at`` is left alone by a re-enqueue, so a job lost again and again
    still reaches ``give_up_after``; a job that starts running resets it (it is a fresh attempt).
    """
    now = clock.now()
    async with unit_of_work() as uow:
        stuck = await uow.notes.unfinished(now - policy.stuck_after)
        given_up: list[str] = []
        requeue: list[str] = []
        for notes in stuck:
            assert notes.updated_at is not None  # the repository stores it
            if notes.updated_at < now - policy.give_up_after:
                age = int((now - notes.updated_at).total_seconds())
                reason = f"notes job lost: still {notes.status.value} after {age} s; gave up (POST …/notes to retry)"
                await uow.notes.save(attrs.evolve(notes, status=NotesStatus.FAILED, error=reason, updated_at=now))
                given_up.append(notes.transcript_id)
            elif notes.status is NotesStatus.PENDING or notes.updated_at < now - policy.running_after:
                requeue.append(notes.transcript_id)
        await uow.commit()
    # After the commit: a job must never point at a row state that was rolled back.
    for tid in requeue:
        await queue.enqueue(WriteNotes(tid, keep_edits=True, announce=True))
        log.warning("transcript %s: notes job lost; re-enqueued", tid)
    for tid in given_up:
        await queue.enqueue(AnnounceTranscript(tid))
        log.warning("transcript %s: notes never finished; marked failed, webhook sent without them", tid)
    return NotesSweepReport(requeued=tuple(requeue), given_up=tuple(given_up))
