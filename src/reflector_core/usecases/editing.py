"""People editing their transcripts: title, speaker names, merging speakers, reassigning words.

Each edit checks the owner, changes the one word list (or the participants, or the title), and is
written to the edit log in the same transaction: who, when, what. Exports are rendered from the
words, so every format shows the edit at once. After reprocessing, ``reflector_core.editing.replay``
applies the log again to the new result (see docs/web.md, "Editing").
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from reflector_core.editing import apply
from reflector_core.errors import ConflictError, InvalidInputError
from reflector_core.exports.cues import clean_text
from reflector_core.model import EditKind, Transcript, TranscriptEdit, TranscriptStatus
from reflector_core.ports import Clock, UnitOfWork
from reflector_core.usecases.access import transcript_of

MAX_NAME = 200
MAX_TITLE = 200
MAX_SPEAKER = 10_000
"""Speaker numbers are small indices; a bound keeps a typo from inventing speaker 2^63."""


def _cleaned(text: str | None, what: str, limit: int) -> str | None:
    """Whitespace collapsed; ``None`` or blank means "none" (back to the default)."""
    cleaned = None if text is None else clean_text(text)
    if not cleaned:
        return None
    if len(cleaned) > limit:
        raise InvalidInputError(f"{what} must be at most {limit} characters")
    return cleaned


def _speaker(value: int, what: str) -> int:
    if not 0 <= value <= MAX_SPEAKER:
        raise InvalidInputError(f"{what} must be a speaker number from 0 to {MAX_SPEAKER}")
    return value


async def _edit(
    transcript_id: str,
    owner: str,
    make: Callable[[Transcript], TranscriptEdit],
    *,
    unit_of_work: Callable[[], UnitOfWork],
) -> Transcript:
    """Apply and log one edit of the words or speakers of ``owner``'s done transcript."""
    async with unit_of_work() as uow:
        # Locked before reading: two edits at once (two tabs) must not both start from the same words.
        await uow.transcripts.lock(transcript_id)
        transcript = await transcript_of(uow, transcript_id, owner)
        if transcript.status is not TranscriptStatus.DONE:
            # A result still being produced would overwrite the edit.
            raise ConflictError(f"transcript {transcript_id} is {transcript.status.value}: edit it once it is done")
        edit = make(transcript)
        updated = apply(transcript, edit)
        await uow.transcripts.save_result(updated)
        await uow.edits.add(edit)
        await uow.commit()
    return updated


async def rename_speaker(
    transcript_id: str,
    speaker: int,
    name: str | None,
    *,
    owner: str,
    unit_of_work: Callable[[], UnitOfWork],
    clock: Clock,
) -> Transcript:
    """Give speaker ``speaker`` of ``owner``'s transcript a display name (``None`` returns to ``Speaker N``)."""
    if name is not None and not clean_text(name):
        raise InvalidInputError(f"name must be 1 to {MAX_NAME} characters")
    cleaned = _cleaned(name, "name", MAX_NAME)
    return await _edit(
        transcript_id,
        owner,
        lambda t: TranscriptEdit(t.id or "", EditKind.RENAME, owner, clock.now(), speaker=speaker, text=cleaned),
        unit_of_work=unit_of_work,
    )


async def merge_speakers(
    transcript_id: str,
    speaker: int,
    into: int,
    *,
    owner: str,
    unit_of_work: Callable[[], UnitOfWork],
    clock: Clock,
) -> Transcript:
    """Every word of ``speaker`` becomes ``into``'s; ``speaker`` leaves the participants."""
    _speaker(speaker, "speaker")
    _speaker(into, "into")
    return await _edit(
        transcript_id,
        owner,
        lambda t: TranscriptEdit(t.id or "", EditKind.MERGE, owner, clock.now(), speaker=speaker, to_speaker=into),
        unit_of_work=unit_of_work,
    )


async def reassign_words(
    transcript_id: str,
    start: float,
    end: float,
    to: int,
    *,
    only: int | None = None,
    owner: str,
    unit_of_work: Callable[[], UnitOfWork],
    clock: Clock,
) -> Transcript:
    """The words whose middle is in [``start``, ``end``) said by ``to`` (only ``only``'s words when given:
    one turn is its speaker's words over the turn's span)."""
    _speaker(to, "to")
    if only is not None:
        _speaker(only, "speaker")
    return await _edit(
        transcript_id,
        owner,
        lambda t: TranscriptEdit(
            t.id or "", EditKind.REASSIGN, owner, clock.now(), speaker=only, to_speaker=to, start=start, end=end
        ),
        unit_of_work=unit_of_work,
    )


async def set_title(
    transcript_id: str, title: str | None, *, owner: str, unit_of_work: Callable[[], UnitOfWork], clock: Clock
) -> Transcript:
    """Give ``owner``'s transcript a title (``None`` or blank: back to the room and the date), in any status:
    the title has its own column, which processing never writes."""
    cleaned = _cleaned(title, "title", MAX_TITLE)
    async with unit_of_work() as uow:
        transcript = await transcript_of(uow, transcript_id, owner)
        await uow.transcripts.set_title(transcript_id, cleaned)
        await uow.edits.add(TranscriptEdit(transcript_id, EditKind.TITLE, owner, clock.now(), text=cleaned))
        await uow.commit()
    return attrs.evolve(transcript, title=cleaned)


async def edit_history(
    transcript_id: str, *, owner: str, unit_of_work: Callable[[], UnitOfWork]
) -> list[TranscriptEdit]:
    """``owner``'s transcript's edits, oldest first."""
    async with unit_of_work() as uow:
        await transcript_of(uow, transcript_id, owner)
        return await uow.edits.for_transcript(transcript_id)
