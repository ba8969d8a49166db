"""Meeting notes: the stage after a transcript is ``done`` (title, topics, summaries, action items).

The notes are a separate record with their own status. Nothing here changes the transcript: a
writer that fails, hangs until its timeout, or is not configured leaves the transcript ``done`` and
only records why on the notes. Writers are tried in order (an LLM first when one is configured, the
offline extractive writer after it), so a failing LLM still leaves the user with labelled notes.

Users may edit the title, the summaries, the action items and each topic's title and summary. The edits are stored beside what was
generated and laid over it; regenerating keeps them only when asked to (``keep_edits``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import ClassVar

import attrs
from attrs import frozen

from reflector_core.errors import ConflictError, InvalidInputError, NotesError, NotFoundError
from reflector_core.exports.cues import clean_text
from reflector_core.jobs import Job
from reflector_core.model import (
    TOPIC_START_SLACK,
    ActionItem,
    MeetingNotes,
    NotesEdits,
    NotesStatus,
    TopicEdit,
    Transcript,
    TranscriptNotes,
    TranscriptStatus,
)
from reflector_core.ports import Clock, JobQueue, NotesWriter, UnitOfWork, Utterance
from reflector_core.turns import merge_turns
from reflector_core.usecases.access import transcript_of

log = logging.getLogger(__name__)


@frozen
class WriteNotes(Job):
    """Write a done transcript's notes; ``announce``: enqueue the outbound webhook afterwards (it carries them)."""

    name: ClassVar[str] = "write_notes"
    transcript_id: str
    keep_edits: bool = False
    announce: bool = False


MAX_TITLE = 300
MAX_SUMMARY = 20_000
MAX_ITEMS = 200


def utterances(transcript: Transcript) -> list[Utterance]:
    """The transcript as a notes writer reads it: one utterance per speaker turn, labelled by name."""
    labels = {p.speaker: p.label for p in transcript.participants}
    return [
        Utterance(speaker=labels.get(t.speaker, f"Speaker {t.speaker}"), start=t.start, end=t.end, text=t.text)
        for t in merge_turns(transcript.words)
    ]


async def _done_transcript(uow: UnitOfWork, transcript_id: str, owner: str | None) -> Transcript:
    """The transcript, done; ``owner`` ``None`` is the system (the job, the CLI), else only the owner's."""
    if owner is not None:
        transcript: Transcript | None = await transcript_of(uow, transcript_id, owner)
    else:
        transcript = await uow.transcripts.get(transcript_id)
    if transcript is None:
        raise NotFoundError("transcript", transcript_id)
    if transcript.status is not TranscriptStatus.DONE:
        raise ConflictError(f"transcript {transcript_id} is {transcript.status.value}: notes exist once it is done")
    return transcript


async def get_notes(
    transcript_id: str, *, owner: str | None, unit_of_work: Callable[[], UnitOfWork]
) -> TranscriptNotes:
    """The stored notes; a done transcript without a notes row reads as ``pending`` (the job is coming)."""
    async with unit_of_work() as uow:
        await _done_transcript(uow, transcript_id, owner)
        found = await uow.notes.get(transcript_id)
    return found or TranscriptNotes(transcript_id=transcript_id)


async def run_writers(
    writers: Sequence[NotesWriter], items: Sequence[Utterance], duration: float | None
) -> tuple[TranscriptNotes, list[str]]:
    """Try each writer in turn; the notes of the first that succeeds, and every earlier failure."""
    failures: list[str] = []
    for writer in writers:
        try:
            notes = await writer.write(items, duration=duration)
        # Notes are an extra: whatever goes wrong in a writer (its own NotesError, or a bug in a
        # library it calls) is recorded and the next writer tried; it must never reach the transcript.
        except Exception as exc:
            log.warning("notes by %s failed: %s", writer.method, exc, exc_info=not isinstance(exc, NotesError))
            failures.append(f"{writer.method}: {exc}")
            continue
        return TranscriptNotes(transcript_id="", status=NotesStatus.DONE, generated=notes), failures
    reason = "; ".join(failures) or "no notes writer is configured"
    return TranscriptNotes(transcript_id="", status=NotesStatus.FAILED, error=reason), failures


async def write_notes(
    transcript_id: str,
    *,
    unit_of_work: Callable[[], UnitOfWork],
    writers: Sequence[NotesWriter],
    clock: Clock,
    keep_edits: bool = False,
) -> TranscriptNotes:
    """Generate and store the notes of a done transcript; a writer failure is stored, not raised."""
    async with unit_of_work() as uow:
        transcript = await _done_transcript(uow, transcript_id, None)
        previous = await uow.notes.get(transcript_id) or TranscriptNotes(transcript_id=transcript_id)
        await uow.notes.save(attrs.evolve(previous, status=NotesStatus.RUNNING, updated_at=clock.now()))
        await uow.commit()
    # The writer runs outside any transaction: an LLM may take minutes.
    outcome, failures = await run_writers(writers, utterances(transcript), transcript.duration)
    if outcome.generated is not None:
        stored = TranscriptNotes(
            transcript_id=transcript_id,
            status=NotesStatus.DONE,
            generated=outcome.generated,
            edits=previous.edits if keep_edits else NotesEdits(),
            error="; ".join(failures) or None,
            updated_at=clock.now(),
        )
    else:
        # A failed regeneration keeps the notes (and edits) the user already had.
        stored = attrs.evolve(previous, status=NotesStatus.FAILED, error=outcome.error, updated_at=clock.now())
    async with unit_of_work() as uow:
        await uow.notes.save(stored)
        await uow.commit()
    return stored


async def request_notes(
    transcript_id: str,
    *,
    owner: str | None,
    keep_edits: bool,
    unit_of_work: Callable[[], UnitOfWork],
    queue: JobQueue,
    clock: Clock,
    announce: bool = False,
) -> TranscriptNotes:
    """Queue the writing of a done transcript's notes (``POST …/notes``, or the pipeline with ``announce``).

    The ``pending`` row is committed before the job is enqueued, so a lost job leaves a row the
    stuck-notes sweep finds (``usecases/notes_recovery.py``).
    """
    async with unit_of_work() as uow:
        await _done_transcript(uow, transcript_id, owner)
        previous = await uow.notes.get(transcript_id) or TranscriptNotes(transcript_id=transcript_id)
        pending = attrs.evolve(previous, status=NotesStatus.PENDING, updated_at=clock.now())
        await uow.notes.save(pending)
        await uow.commit()
    await queue.enqueue(WriteNotes(transcript_id, keep_edits=keep_edits, announce=announce))
    return pending


def _clean(value: str | None, limit: int, what: str, *, one_line: bool = True) -> str | None:
    if value is None:
        return None
    # Summaries may keep their paragraphs; titles and items are one line.
    cleaned = clean_text(value) if one_line else value.strip()
    if not 0 < len(cleaned) <= limit:
        raise InvalidInputError(f"{what} must be 1 to {limit} characters")
    return cleaned


def checked_edits(edits: NotesEdits) -> NotesEdits:
    """Edits with their text cleaned; ``InvalidInputError`` for empty or oversized ones."""
    items = None
    if edits.action_items is not None:
        if len(edits.action_items) > MAX_ITEMS:
            raise InvalidInputError(f"at most {MAX_ITEMS} action items")
        items = tuple(
            ActionItem(
                text=_clean(a.text, MAX_TITLE * 3, "an action item") or "",
                speaker=_clean(a.speaker, MAX_TITLE, "an action item's speaker"),
                start=max(0.0, a.start),
            )
            for a in edits.action_items
        )
    return NotesEdits(
        title=_clean(edits.title, MAX_TITLE, "the title"),
        short_summary=_clean(edits.short_summary, MAX_SUMMARY, "the short summary", one_line=False),
        long_summary=_clean(edits.long_summary, MAX_SUMMARY, "the long summary", one_line=False),
        action_items=items,
        topics=tuple(_checked_topic(t) for t in edits.topics),
    )


def _checked_topic(edit: TopicEdit) -> TopicEdit:
    return TopicEdit(
        start=edit.start,
        title=_clean(edit.title, MAX_TITLE, "a topic's title"),
        summary=_clean(edit.summary, MAX_SUMMARY, "a topic's summary", one_line=False),
    )


def _check_topics_exist(edits: NotesEdits, notes: MeetingNotes) -> None:
    """A topic edit names a topic of the notes by its start (as ``GET …/notes`` shows it)."""
    if len(edits.topics) > MAX_ITEMS:
        raise InvalidInputError(f"at most {MAX_ITEMS} topic edits")
    starts = [t.start for t in notes.topics]
    for edit in edits.topics:
        if not any(abs(edit.start - s) <= TOPIC_START_SLACK for s in starts):
            raise InvalidInputError(f"no topic starts at {edit.start}: name a topic by its start")


async def edit_notes(
    transcript_id: str,
    edits: NotesEdits,
    *,
    owner: str | None,
    unit_of_work: Callable[[], UnitOfWork],
    clock: Clock,
) -> TranscriptNotes:
    """Store a user's edits (only the fields given change); they show over the generated notes."""
    cleaned = checked_edits(edits)
    async with unit_of_work() as uow:
        await _done_transcript(uow, transcript_id, owner)
        current = await uow.notes.get(transcript_id)
        if current is None or current.generated is None:
            raise ConflictError(f"transcript {transcript_id} has no notes to edit yet")
        _check_topics_exist(cleaned, current.generated)
        updated = attrs.evolve(current, edits=current.edits.merged(cleaned), updated_at=clock.now())
        await uow.notes.save(updated)
        await uow.commit()
    return updated
