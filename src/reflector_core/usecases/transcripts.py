"""What people do to a transcript after the fact: read it in a format, name speakers, retry a failure."""

from __future__ import annotations

import enum
from collections.abc import Callable

import attrs

from reflector_core.errors import ConflictError, InvalidInputError, NotFoundError
from reflector_core.exports import json, srt, text, webvtt
from reflector_core.exports.cues import clean_text
from reflector_core.model import MeetingNotes, Participant, Transcript, TranscriptStatus
from reflector_core.ports import JobQueue, UnitOfWork
from reflector_core.turns import merge_turns
from reflector_core.usecases.access import transcript_of
from reflector_core.usecases.process_recording import ProcessRecording

MAX_NAME = 200


class ExportFormat(enum.StrEnum):
    VTT = "vtt"
    SRT = "srt"
    JSON = "json"
    TXT = "txt"


async def get_transcript(transcript_id: str, *, unit_of_work: Callable[[], UnitOfWork]) -> Transcript:
    async with unit_of_work() as uow:
        transcript = await uow.transcripts.get(transcript_id)
    if transcript is None:
        raise NotFoundError("transcript", transcript_id)
    return transcript


def _require_done(transcript: Transcript, what: str) -> None:
    if transcript.status is not TranscriptStatus.DONE:
        raise ConflictError(f"transcript {transcript.id} is {transcript.status.value}: {what} once it is done")


def render_export(transcript: Transcript, fmt: ExportFormat, *, notes: MeetingNotes | None = None) -> str:
    """The transcript in ``fmt``; every format comes from the same words, so they agree."""
    _require_done(transcript, "exports exist")
    if fmt is ExportFormat.JSON:
        return json.render(
            transcript.words,
            transcript.participants,
            duration=transcript.duration,
            failed_tracks=transcript.failed_tracks,
            notes=notes,
        )
    turns = merge_turns(transcript.words)
    if fmt is ExportFormat.VTT:
        return webvtt.render(turns, transcript.participants)
    if fmt is ExportFormat.SRT:
        return srt.render(turns, transcript.participants)
    return text.render(turns, transcript.participants)


async def rename_speaker(
    transcript_id: str, speaker: int, name: str | None, *, owner: str, unit_of_work: Callable[[], UnitOfWork]
) -> Transcript:
    """Give speaker ``speaker`` of ``owner``'s transcript a display name (``None`` returns to ``Speaker N``)."""
    cleaned = None if name is None else clean_text(name)
    if cleaned is not None and not 0 < len(cleaned) <= MAX_NAME:
        raise InvalidInputError(f"name must be 1 to {MAX_NAME} characters")
    async with unit_of_work() as uow:
        transcript = await transcript_of(uow, transcript_id, owner)
        # A result still being produced would overwrite the new name.
        _require_done(transcript, "speakers can be renamed")
        known = {p.speaker for p in transcript.participants} | {w.speaker for w in transcript.words}
        if speaker not in known:
            raise NotFoundError("speaker", f"{transcript_id}/{speaker}")
        participants = [p for p in transcript.participants if p.speaker != speaker]
        old = next((p for p in transcript.participants if p.speaker == speaker), Participant(speaker=speaker))
        participants.append(attrs.evolve(old, name=cleaned))
        updated = attrs.evolve(transcript, participants=tuple(sorted(participants, key=lambda p: p.speaker)))
        await uow.transcripts.save_result(updated)
        await uow.commit()
    return updated


async def reprocess(
    transcript_id: str, *, owner: str, unit_of_work: Callable[[], UnitOfWork], queue: JobQueue
) -> Transcript:
    """Queue ``owner``'s failed transcript again; any other status is a ``ConflictError``."""
    async with unit_of_work() as uow:
        transcript = await transcript_of(uow, transcript_id, owner)
        if transcript.status is not TranscriptStatus.FAILED:
            raise ConflictError(
                f"transcript {transcript_id} is {transcript.status.value}; only a failed transcript can be reprocessed"
            )
        # Conditional: of two simultaneous requests exactly one wins, so one job is enqueued.
        if not await uow.transcripts.transition(transcript_id, TranscriptStatus.QUEUED):
            raise ConflictError(f"transcript {transcript_id} changed status meanwhile; reload it")
        await uow.commit()
    # After the commit, as in ingest: a crash in between leaves a "queued" transcript for the stuck sweep.
    await queue.enqueue(ProcessRecording(transcript_id))
    return attrs.evolve(transcript, status=TranscriptStatus.QUEUED, error=None)
