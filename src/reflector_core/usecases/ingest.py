"""The one idempotent entry for every way a recording is discovered.

Webhooks, Daily polling, SQS notifications and manual reprocessing all end here. The unique
(platform, platform recording id) key makes the recording row single; the transcript is unique per
recording; and the conditional ``discovered → queued`` transition lets exactly one caller enqueue
the processing job, however many discover the same recording at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from attrs import frozen

from reflector_core.errors import RoomNameError
from reflector_core.model import Platform, Recording, Transcript, TranscriptStatus
from reflector_core.naming import MeetingMatch, match_recording_to_meeting, parse_daily_room_name
from reflector_core.ports import JobQueue, UnitOfWork
from reflector_core.recording_sources import RecordingSources
from reflector_core.usecases.process_recording import ProcessRecording

log = logging.getLogger(__name__)

MATCH_WINDOW = timedelta(hours=12)


@frozen
class IngestOutcome:
    recording: Recording
    transcript: Transcript | None
    """``None`` when the recording was known and its transcript has been deleted (by its owner or by
    retention): a redelivered webhook or a later poll must not bring a deleted transcript back."""
    created: bool
    """This call created the recording row (the first discovery)."""
    enqueued: bool
    """This call won the transition to ``queued`` and enqueued processing."""
    match: MeetingMatch | None


def _room_name_of(recording: Recording) -> str | None:
    """The Reflector room a platform room name belongs to, when the name follows our pattern."""
    name = recording.platform_room_name
    if not name:
        return None
    if recording.platform is Platform.DAILY:
        try:
            return parse_daily_room_name(name)[0]
        except RoomNameError:
            return None
    return None


async def link_meeting(uow: UnitOfWork, recording: Recording) -> MeetingMatch | None:
    """Link a recording to its meeting: exact platform room name first, time proximity as a flagged fallback."""
    if recording.meeting_id is not None or not recording.id or not recording.platform_room_name:
        return None
    candidates = await uow.meetings.by_platform_room_name(recording.platform, recording.platform_room_name)
    room_name = _room_name_of(recording)
    if not candidates and room_name and recording.started_at is not None:
        candidates = await uow.meetings.near(room_name, recording.started_at, MATCH_WINDOW.total_seconds())
    match = match_recording_to_meeting(
        recording.platform_room_name, recording.started_at, candidates, room_name=room_name, window=MATCH_WINDOW
    )
    if match is not None and match.meeting.id is not None:
        await uow.recordings.link_meeting(recording.id, match.meeting.id, by_time=match.by_time)
        if match.by_time:
            log.warning(
                "recording %s linked to meeting %s by time only (%.0f s away)",
                recording.platform_recording_id,
                match.meeting.id,
                match.distance,
            )
    elif match is None:
        # Processed all the same; a later meeting sync may link it (flagged by a null meeting id).
        log.warning("recording %s has no known meeting yet", recording.platform_recording_id)
    return match


async def ingest_recording(
    recording: Recording, *, sources: RecordingSources, unit_of_work: Callable[[], UnitOfWork], queue: JobQueue
) -> IngestOutcome:
    """Store the recording once and enqueue its processing once.

    Raises ``ForeignSourceError`` (nothing stored) when the recording is not where its platform records
    our meetings: a payload must never choose what we read and later delete.
    """
    sources.check(recording)
    async with unit_of_work() as uow:
        stored, created = await uow.recordings.upsert(recording)
        match = await link_meeting(uow, stored)
        if stored.id is None:
            raise RuntimeError("the recording repository returned a recording without id")
        # The recording and its transcript are created in one transaction, so a known recording without
        # a transcript is one whose transcript was deleted.
        transcript = (
            (await uow.transcripts.ensure(stored.id))[0] if created else await uow.transcripts.by_recording(stored.id)
        )
        won = False
        if transcript is not None and transcript.status is TranscriptStatus.DISCOVERED and transcript.id is not None:
            won = await uow.transcripts.transition(transcript.id, TranscriptStatus.QUEUED)
        await uow.commit()
    if won and transcript is not None and transcript.id is not None:
        # Enqueued after the commit: a crash in between leaves a "queued" transcript that the
        # periodic stuck-job sweep re-enqueues, never a job pointing at an uncommitted row.
        await queue.enqueue(ProcessRecording(transcript.id))
        log.info("recording %s queued as transcript %s", stored.platform_recording_id, transcript.id)
    return IngestOutcome(
        recording=stored,
        transcript=transcript.moved_to(TranscriptStatus.QUEUED) if won and transcript is not None else transcript,
        created=created,
        enqueued=won,
        match=match,
    )
