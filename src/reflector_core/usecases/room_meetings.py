"""A room's meetings as its owner administers them: who was there, the recording, the transcripts."""

from __future__ import annotations

from collections.abc import Callable

from attrs import frozen

from reflector_core.model import Meeting, MeetingRecording, ParticipantSession, Transcript
from reflector_core.ports import UnitOfWork
from reflector_core.usecases.access import owned_room

MAX_MEETINGS = 200


@frozen
class MeetingSummary:
    meeting: Meeting
    recording: MeetingRecording | None
    sessions: tuple[ParticipantSession, ...]
    """Presence sessions, by join time."""
    transcripts: tuple[Transcript, ...]
    """The transcripts of the meeting's recordings, oldest recording first."""


async def room_meetings(
    room_name: str, owner: str, *, unit_of_work: Callable[[], UnitOfWork], limit: int = 50
) -> list[MeetingSummary]:
    """The owner's room's meetings, newest first (``NotFoundError`` for another owner's room)."""
    await owned_room(room_name, owner, unit_of_work=unit_of_work)
    summaries = []
    async with unit_of_work() as uow:
        meetings = await uow.meetings.for_room(room_name, limit=max(1, min(limit, MAX_MEETINGS)))
        ids = [m.id for m in meetings if m.id]
        records = await uow.meeting_recordings.for_meetings(ids)
        for meeting in meetings:
            mid = meeting.id or ""
            sessions = sorted(
                await uow.participant_sessions.for_meeting(mid), key=lambda s: (s.joined_at, s.session_id)
            )
            transcripts = []
            for recording in await uow.recordings.for_meeting(mid):
                found = await uow.transcripts.by_recording(recording.id or "")
                if found is not None:
                    transcripts.append(found)
            summaries.append(MeetingSummary(meeting, records.get(mid), tuple(sessions), tuple(transcripts)))
    return summaries
