"""The stuck-notes sweep: a lost notes job is enqueued again, and in the end the webhook goes out without notes."""

from __future__ import annotations

from datetime import timedelta

from reflector_core.model import NotesStatus, TranscriptNotes
from reflector_core.usecases.notes import WriteNotes, request_notes
from reflector_core.usecases.notes_recovery import NotesSweepPolicy, sweep_stuck_notes
from reflector_core.usecases.outbound import AnnounceTranscript
from tests.unit.usecases.test_notes import World, Writer, notes

POLICY = NotesSweepPolicy(
    stuck_after=timedelta(minutes=5), running_after=timedelta(minutes=31), give_up_after=timedelta(hours=2)
)


async def _sweep(w: World) -> tuple[tuple[str, ...], tuple[str, ...]]:
    report = await sweep_stuck_notes(POLICY, unit_of_work=w.uow, queue=w.queue, clock=w.clock)
    return report.requeued, report.given_up


async def test_a_lost_notes_job_is_enqueued_again_and_its_rerun_announces_the_transcript() -> None:
    w = World()
    tid = await w.transcript()
    await request_notes(
        tid, owner=None, keep_edits=False, announce=True, unit_of_work=w.uow, queue=w.queue, clock=w.clock
    )
    assert w.queue.jobs == [WriteNotes(tid, announce=True)]
    w.queue.jobs.clear()  # the job is lost with its broker

    assert await _sweep(w) == ((), ())  # too young: its job may simply be waiting
    w.clock.current += timedelta(minutes=6)
    assert await _sweep(w) == ((tid,), ())
    assert w.queue.jobs == [WriteNotes(tid, keep_edits=True, announce=True)]
    assert w.store.notes[tid].status is NotesStatus.PENDING  # untouched: the give-up clock keeps running

    await w.write(tid, Writer(notes()))
    w.queue.jobs.clear()
    w.clock.current += timedelta(hours=3)
    assert await _sweep(w) == ((), ())  # done notes are never swept
    assert w.queue.jobs == []


async def test_running_notes_are_left_alone_for_the_jobs_time_limit() -> None:
    w = World()
    tid = await w.transcript()
    w.store.notes[tid] = TranscriptNotes(tid, NotesStatus.RUNNING, updated_at=w.clock.now())
    w.clock.current += timedelta(minutes=20)  # a slow LLM, still working
    assert await _sweep(w) == ((), ())
    w.clock.current += timedelta(minutes=12)
    assert await _sweep(w) == ((tid,), ())


async def test_notes_stuck_past_the_limit_are_failed_with_a_reason_and_the_webhook_goes_out() -> None:
    w = World()
    tid = await w.transcript()
    previous = TranscriptNotes(tid, NotesStatus.PENDING, generated=notes("Kept"), updated_at=w.clock.now())
    w.store.notes[tid] = previous
    w.clock.current += timedelta(hours=2, seconds=1)
    assert await _sweep(w) == ((), (tid,))
    assert w.queue.jobs == [AnnounceTranscript(tid)]
    failed = w.store.notes[tid]
    assert failed.status is NotesStatus.FAILED and failed.updated_at == w.clock.now()
    assert failed.error is not None and "gave up" in failed.error and "pending" in failed.error
    assert failed.generated == previous.generated  # what the user had is kept
    w.queue.jobs.clear()
    assert await _sweep(w) == ((), ())  # once
    assert w.store.notes[tid] == failed
