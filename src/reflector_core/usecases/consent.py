"""Recording a participant's consent decision; a refusal deletes every audio object of the meeting.

The cleanup (``apply_consent``) is safe whichever order the refusal and the processing happen in:
processing skips the upload when it sees a refusal and, once the transcript is done, looks again and
runs the cleanup itself; a refusal committed after that second look finds the transcript done when its
own job runs. A transcript still being processed is reported as pending and cleaned when it finishes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import ClassVar

import attrs
from attrs import frozen

from reflector_core.deletion import Deleter, delete_sources, derived_keys
from reflector_core.errors import InvalidInputError, NotFoundError
from reflector_core.jobs import Job
from reflector_core.model import ConsentChoice, ConsentDecision, ConsentPolicy, Recording, Transcript, TranscriptStatus
from reflector_core.ports import Clock, JobQueue, ObjectStorage, UnitOfWork, WorkFolders
from reflector_core.recording_sources import RecordingSources

log = logging.getLogger(__name__)


@frozen
class ApplyConsent(Job):
    """Delete the audio of a meeting after a refusal."""

    name: ClassVar[str] = "apply_consent"
    meeting_id: str


@frozen
class SweepConsentCleanups(Job):
    """Periodic: run again every consent cleanup not finished yet."""

    name: ClassVar[str] = "sweep_consent_cleanups"


CONSENT_REASON = "consent"

_UNFINISHED = (TranscriptStatus.DISCOVERED, TranscriptStatus.QUEUED, TranscriptStatus.PROCESSING)

MAX_PARTICIPANT = 200


async def record_consent(
    meeting_id: str,
    participant: str,
    choice: ConsentChoice,
    *,
    unit_of_work: Callable[[], UnitOfWork],
    queue: JobQueue,
    clock: Clock,
) -> ConsentDecision:
    who = participant.strip()
    if not who or len(who) > MAX_PARTICIPANT:
        raise InvalidInputError(f"participant must be 1 to {MAX_PARTICIPANT} characters")
    decision = ConsentDecision(meeting_id=meeting_id, participant=who, choice=choice, at=clock.now())
    async with unit_of_work() as uow:
        if await uow.meetings.get(meeting_id) is None:
            raise NotFoundError("meeting", meeting_id)
        await uow.consents.add(decision)
        await uow.commit()
    if choice is ConsentChoice.REFUSED:
        # After the commit, so the job sees the refusal; the job re-reads every decision of the meeting.
        await queue.enqueue(ApplyConsent(meeting_id))
    return decision


def has_refusal(decisions: Iterable[ConsentDecision]) -> bool:
    """Whether anyone's latest decision is a refusal (a participant may change their mind)."""
    latest: dict[str, ConsentDecision] = {}
    for d in decisions:
        if d.participant not in latest or d.at >= latest[d.participant].at:
            latest[d.participant] = d
    return any(d.choice is ConsentChoice.REFUSED for d in latest.values())


@frozen
class ConsentCleanup:
    meeting_id: str
    refused: bool
    deleted: tuple[tuple[str, str], ...] = ()
    """(bucket, key) of every object this run deleted."""
    cleaned: tuple[str, ...] = ()
    """Transcripts now marked ``audio_deleted``."""
    pending: tuple[str, ...] = ()
    """Transcripts still being processed: processing runs the cleanup again when it finishes."""


async def apply_consent(
    meeting_id: str,
    *,
    unit_of_work: Callable[[], UnitOfWork],
    sources: RecordingSources,
    transcript_bucket: ObjectStorage,
    clock: Clock,
    work: WorkFolders | None = None,
) -> ConsentCleanup:
    """After a refusal, delete every audio object of the meeting's recordings, auditing each deletion.

    Deleted: every raw track (video too) and the composed file in the recording's bucket, the mixed MP3
    and the waveform in the transcript bucket. Text is kept only under ``REQUIRED_KEEP_TEXT`` (a meeting
    without a room keeps none). ``audio_deleted`` is set per transcript only when all of its objects are
    gone. Raises ``DeletionIncompleteError`` (transient) after trying everything if anything is left, so
    the job is retried; the consent sweep runs it again after the queue's retries run out.

    ``work`` is this worker's work folders: a killed job's folder (copies of the tracks, a partial MP3)
    is removed too; a live job's folder is left to that job, which removes it when it ends.
    """
    async with unit_of_work() as uow:
        meeting = await uow.meetings.get(meeting_id)
        if meeting is None:
            raise NotFoundError("meeting", meeting_id)
        if not has_refusal(await uow.consents.for_meeting(meeting_id)):
            return ConsentCleanup(meeting_id, refused=False)
        room = await uow.rooms.get(meeting.room_name) if meeting.room_name else None
        recordings = await uow.recordings.for_meeting(meeting_id)
        transcripts = {r.id: await uow.transcripts.by_recording(r.id) for r in recordings if r.id}
    keep_text = room is not None and room.consent_policy is ConsentPolicy.REQUIRED_KEEP_TEXT

    deleter = Deleter(unit_of_work, clock, CONSENT_REASON)
    cleaned: list[str] = []
    pending: list[str] = []
    for recording in recordings:
        transcript = transcripts.get(recording.id or "")
        outcome = await _clean(deleter, recording, transcript, sources, transcript_bucket, keep_text, work)
        if transcript is not None and transcript.id is not None and outcome is not None:
            (cleaned if outcome else pending).append(transcript.id)
    log.info(
        "consent cleanup of meeting %s: %d object(s) deleted, %d transcript(s) clean, %d pending, %d failure(s)",
        meeting_id,
        len(deleter.deleted),
        len(cleaned),
        len(pending),
        len(deleter.failures),
    )
    deleter.raise_if_incomplete(f"consent cleanup of meeting {meeting_id}")
    return ConsentCleanup(
        meeting_id, refused=True, deleted=tuple(deleter.deleted), cleaned=tuple(cleaned), pending=tuple(pending)
    )


async def _clean(
    deleter: Deleter,
    recording: Recording,
    transcript: Transcript | None,
    sources: RecordingSources,
    transcript_bucket: ObjectStorage,
    keep_text: bool,
    work: WorkFolders | None,
) -> bool | None:
    """One recording's audio: ``True`` when its transcript is clean, ``False`` when it is still
    processing (pending), ``None`` when it has no transcript or something is left."""
    unfinished = transcript is not None and transcript.status in _UNFINISHED
    if unfinished and keep_text:
        # The text is kept, so processing still needs the tracks: they go when it finishes.
        sources_gone = False
    else:
        # Without text to keep, nothing is worth transcribing: delete at once (processing then fails
        # or finishes, and either way comes back here).
        sources_gone = await delete_sources(deleter, recording, sources)
    if transcript is None or transcript.id is None:
        return None
    if work is not None and not work.discard(transcript.id):
        log.info("transcript %s is being processed here: its job removes its work folder", transcript.id)
    derived_gone = await deleter.delete(transcript_bucket, derived_keys(transcript))
    if unfinished:
        return False
    all_gone = sources_gone and derived_gone
    await _strip(deleter.unit_of_work, transcript, keep_text=keep_text, all_gone=all_gone)
    return True if all_gone else None


async def _strip(
    unit_of_work: Callable[[], UnitOfWork], transcript: Transcript, *, keep_text: bool, all_gone: bool
) -> None:
    tid = transcript.id or ""
    async with unit_of_work() as uow:
        current = await uow.transcripts.get(tid)
        if current is None:
            return
        if current.audio_location is not None or (current.words and not keep_text):
            # The audio is gone (or going): never point at it again; drop the words unless the room keeps them.
            await uow.transcripts.save_result(
                attrs.evolve(current, audio_location=None, words=current.words if keep_text else ())
            )
        if all_gone and not current.audio_deleted:
            await uow.transcripts.set_audio_deleted(tid, True)
        await uow.commit()


async def sweep_consent_cleanups(*, unit_of_work: Callable[[], UnitOfWork], queue: JobQueue) -> list[str]:
    """Enqueue the cleanup again for every meeting whose refusal has not deleted everything yet.

    This is what makes the cleanup "retried until done": after the queue's own retries give up (storage
    down for hours), and for transcripts that were still processing and then failed.
    """
    async with unit_of_work() as uow:
        meetings = await uow.consents.meetings_awaiting_cleanup()
    for meeting_id in meetings:
        await queue.enqueue(ApplyConsent(meeting_id))
    return meetings
