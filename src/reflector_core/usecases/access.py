"""Who may see what: rooms belong to the owner of the API key that created them, and a room's
meetings and transcripts belong to the room's owner. An uploaded recording (no meeting) belongs to
whoever uploaded it. A transcript shared with a user by name is *readable* by them, never changeable.

Anything that is not the caller's is reported exactly like something that does not exist
(``NotFoundError``), so a caller cannot probe for other owners' rooms, meetings or transcripts.
A meeting without a room, or a transcript whose recording is linked to no meeting, belongs to
nobody and is therefore invisible through the API.
"""

from __future__ import annotations

from collections.abc import Callable

from reflector_core.errors import NotFoundError
from reflector_core.model import Meeting, Room, Transcript, WebhookDelivery
from reflector_core.ports import UnitOfWork


async def _owns_room(uow: UnitOfWork, room_name: str | None, owner: str) -> Room | None:
    room = await uow.rooms.get(room_name) if room_name else None
    return room if room is not None and room.owner is not None and room.owner == owner else None


async def _owns_meeting(uow: UnitOfWork, meeting_id: str | None, owner: str) -> Meeting | None:
    meeting = await uow.meetings.get(meeting_id) if meeting_id else None
    if meeting is None or await _owns_room(uow, meeting.room_name, owner) is None:
        return None
    return meeting


async def room_of(uow: UnitOfWork, name: str, owner: str) -> Room:
    """Inside a use case's own transaction: the owner's room, else ``NotFoundError``."""
    room = await _owns_room(uow, name, owner)
    if room is None:
        raise NotFoundError("room", name)
    return room


async def _owner_may(uow: UnitOfWork, transcript: Transcript, owner: str) -> bool:
    recording = await uow.recordings.get(transcript.recording_id)
    if recording is None:
        return False
    if recording.meeting_id is None:
        return recording.owner is not None and recording.owner == owner
    return await _owns_meeting(uow, recording.meeting_id, owner) is not None


async def transcript_of(uow: UnitOfWork, transcript_id: str, owner: str) -> Transcript:
    """Inside a use case's own transaction: the owner's transcript, else ``NotFoundError``."""
    transcript = await uow.transcripts.get(transcript_id)
    if transcript is None or not await _owner_may(uow, transcript, owner):
        raise NotFoundError("transcript", transcript_id)
    return transcript


async def readable_of(uow: UnitOfWork, transcript_id: str, viewer: str) -> Transcript:
    """The transcript if ``viewer`` owns it or it is shared with them by name, else ``NotFoundError``."""
    transcript = await uow.transcripts.get(transcript_id)
    if transcript is None or not (
        await uow.shares.shared_with(transcript_id, viewer) or await _owner_may(uow, transcript, viewer)
    ):
        raise NotFoundError("transcript", transcript_id)
    return transcript


async def readable_transcript(transcript_id: str, viewer: str, *, unit_of_work: Callable[[], UnitOfWork]) -> Transcript:
    """For reading only (details, exports, audio, the reader): owned or shared with ``viewer``."""
    async with unit_of_work() as uow:
        return await readable_of(uow, transcript_id, viewer)


async def owned_room(name: str, owner: str, *, unit_of_work: Callable[[], UnitOfWork]) -> Room:
    async with unit_of_work() as uow:
        room = await _owns_room(uow, name, owner)
    if room is None:
        raise NotFoundError("room", name)
    return room


async def owned_meeting(meeting_id: str, owner: str, *, unit_of_work: Callable[[], UnitOfWork]) -> Meeting:
    async with unit_of_work() as uow:
        meeting = await _owns_meeting(uow, meeting_id, owner)
    if meeting is None:
        raise NotFoundError("meeting", meeting_id)
    return meeting


async def owned_transcript(transcript_id: str, owner: str, *, unit_of_work: Callable[[], UnitOfWork]) -> Transcript:
    async with unit_of_work() as uow:
        return await transcript_of(uow, transcript_id, owner)


async def webhook_history(
    transcript_id: str, owner: str, *, unit_of_work: Callable[[], UnitOfWork]
) -> list[WebhookDelivery]:
    """Every outbound delivery about the caller's transcript, oldest first, with its attempts."""
    await owned_transcript(transcript_id, owner, unit_of_work=unit_of_work)
    async with unit_of_work() as uow:
        return await uow.outbound_deliveries.for_transcript(transcript_id)
