"""The ``write_notes`` job as the worker runs it: a transcript that is gone drops the message, not retries it.

Dramatiq retries a message whose actor raises (``workers/actors.py``: all but bad input); an actor
that returns has its message acknowledged. So "dropped" is: the handler returns, and logs why.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from reflector_adapters.notes.extractive import ExtractiveNotesWriter
from reflector_app.container import Container
from reflector_app.settings import Settings
from reflector_app.workers.jobs import JOBS, Handler
from reflector_core.model import MeetingNotes, NotesStatus, Transcript, TranscriptStatus
from reflector_core.ports import NotesWriter, Utterance
from reflector_core.usecases.notes import WriteNotes
from tests.fakes.memory import FixedClock, MemoryStore, MemoryUnitOfWork, RecordingQueue


def container(store: MemoryStore, queue: RecordingQueue, writers: tuple[NotesWriter, ...] = ()) -> Container:
    return Container(
        settings=Settings(),
        clock=FixedClock(),
        unit_of_work=lambda: MemoryUnitOfWork(store),
        queue=queue,
        buckets={},
        notes_writers=writers or (ExtractiveNotesWriter(),),
    )


def handler(c: Container) -> Handler[WriteNotes]:
    spec = next(s for s in JOBS if s.job is WriteNotes)
    bound: Handler[WriteNotes] = spec.bind(c)
    return bound


async def test_a_missing_transcript_is_logged_and_dropped_without_announcing(caplog: pytest.LogCaptureFixture) -> None:
    queue = RecordingQueue()
    with caplog.at_level(logging.WARNING):
        await handler(container(MemoryStore(), queue))(WriteNotes("gone", announce=True))
    assert queue.jobs == []
    assert "transcript gone: notes dropped, transcript not found: gone" in caplog.text


class DeletesTheTranscript:
    """A writer during whose run the user deletes the transcript."""

    method = "deleting"

    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    async def write(self, utterances: Sequence[Utterance], *, duration: float | None) -> MeetingNotes:
        del self.store.transcripts["tr-1"]
        return await ExtractiveNotesWriter().write([Utterance("Ann", 0.0, 1.0, "Hello there.")], duration=duration)


async def test_a_transcript_deleted_while_the_notes_are_written_is_dropped_too() -> None:
    store, queue = MemoryStore(), RecordingQueue()
    at = datetime(2026, 1, 1, tzinfo=UTC)
    store.transcripts["tr-1"] = Transcript(recording_id="rec-1", id="tr-1", status=TranscriptStatus.DONE, created_at=at)
    writer = DeletesTheTranscript(store)
    await handler(container(store, queue, (writer,)))(WriteNotes("tr-1", announce=True))
    assert queue.jobs == [] and "tr-1" not in store.transcripts
    assert store.notes["tr-1"].status is NotesStatus.RUNNING  # the row goes with the transcript in a database
