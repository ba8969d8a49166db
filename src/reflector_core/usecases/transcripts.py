"""What people do to a transcript after the fact: read it in a format, retry a failure, delete it.

Editing (names, speakers, title) is in ``editing.py``.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable

import attrs
from attrs import frozen

from reflector_core.deletion import Deleter, delete_sources, derived_keys
from reflector_core.errors import ConflictError, NotFoundError
from reflector_core.exports import json, srt, text, webvtt
from reflector_core.model import MeetingNotes, Transcript, TranscriptStatus
from reflector_core.ports import Clock, JobQueue, ObjectStorage, UnitOfWork
from reflector_core.recording_sources import RecordingSources
from reflector_core.turns import merge_turns
from reflector_core.usecases.access import transcript_of
from reflector_core.usecases.process_recording import ProcessRecording

log = logging.getLogger(__name__)

OWNER_DELETION_REASON = "owner"
"""The audit log's reason for objects deleted because their owner deleted the transcript."""


@frozen
class DeletedTranscript:
    transcript_id: str
    deleted: tuple[tuple[str, str], ...]
    """(bucket, key) of every object deleted (each also has its line in the audit log)."""


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
            language=transcript.language,
            notes=notes,
        )
    turns = merge_turns(transcript.words)
    if fmt is ExportFormat.VTT:
        return webvtt.render(turns, transcript.participants, language=transcript.language)
    if fmt is ExportFormat.SRT:
        return srt.render(turns, transcript.participants)
    return text.render(turns, transcript.participants)


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


async def delete_transcript(
    transcript_id: str,
    *,
    owner: str,
    unit_of_work: Callable[[], UnitOfWork],
    sources: RecordingSources,
    transcript_bucket: ObjectStorage,
    clock: Clock,
) -> DeletedTranscript:
    """Delete ``owner``'s transcript: every audio object first (audited, as a consent refusal deletes them:
    the MP3, the waveform, every source track and composed file), then the row with its words, notes,
    search index and edit log. The recording row stays, marked as having no sources, so a rediscovery
    does not bring the transcript back.

    ``ConflictError`` while it is queued or processing (the job is using the audio; delete it after).
    ``DeletionIncompleteError`` when an object could not be deleted: the transcript stays, so deleting
    again finishes the work (objects already gone are skipped).
    """
    async with unit_of_work() as uow:
        transcript = await transcript_of(uow, transcript_id, owner)
        recording = await uow.recordings.get(transcript.recording_id)
    if transcript.status in (TranscriptStatus.QUEUED, TranscriptStatus.PROCESSING):
        raise ConflictError(f"transcript {transcript_id} is {transcript.status.value}: delete it once it is done")
    deleter = Deleter(unit_of_work, clock, OWNER_DELETION_REASON)
    await deleter.delete(transcript_bucket, derived_keys(transcript))
    if recording is not None and recording.id is not None and await delete_sources(deleter, recording, sources):
        async with unit_of_work() as uow:
            await uow.recordings.mark_sources_deleted(recording.id)
            await uow.commit()
    deleter.raise_if_incomplete(f"deletion of transcript {transcript_id}")
    async with unit_of_work() as uow:
        await uow.transcripts.delete(transcript_id)
        await uow.commit()
    log.info("transcript %s deleted by its owner: %d object(s) deleted", transcript_id, len(deleter.deleted))
    return DeletedTranscript(transcript_id, tuple(deleter.deleted))
