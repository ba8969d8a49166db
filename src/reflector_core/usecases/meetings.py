"""A room's meeting: reuse the active one or create one on the room's platform; and how to join it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

import attrs
from attrs import frozen

from reflector_core.errors import ConfigurationError, NotFoundError
from reflector_core.model import Meeting, Platform, Room
from reflector_core.ports import Clock, UnitOfWork, VideoPlatform

log = logging.getLogger(__name__)

MEETING_DURATION = timedelta(hours=8)
"""How long a new meeting stays joinable; the platform room expires then."""


@frozen
class MeetingOutcome:
    room: Room
    meeting: Meeting
    created: bool


def _reusable(meeting: Meeting, room: Room, now: datetime) -> bool:
    # A meeting on the room's former platform, or one past its end, can no longer be joined.
    return meeting.active and meeting.platform is room.platform and meeting.end > now


async def active_meeting(
    room_name: str,
    *,
    unit_of_work: Callable[[], UnitOfWork],
    platforms: Mapping[Platform, VideoPlatform],
    clock: Clock,
    duration: timedelta = MEETING_DURATION,
) -> MeetingOutcome:
    """The room's active meeting, or a new one created on the room's platform.

    Not atomic by itself: two callers may both find no meeting and both create one, so callers
    serialise calls per room (the HTTP layer holds a per-room lock around this).
    """
    now = clock.now()
    async with unit_of_work() as uow:
        room = await uow.rooms.get(room_name)
        if room is None:
            raise NotFoundError("room", room_name)
        current = await uow.meetings.active_for_room(room_name)
        if current is not None and _reusable(current, room, now):
            return MeetingOutcome(room, current, created=False)
        if current is not None and current.id is not None:
            await uow.meetings.deactivate(current.id)
            await uow.commit()
    platform = platforms.get(room.platform)
    if platform is None:
        raise ConfigurationError(f"platform {room.platform.value} is not configured on this server")
    # The platform call happens outside any transaction: a slow API must not hold a database connection.
    created = await platform.create_meeting(room, start=now, end=now + duration)
    try:
        async with unit_of_work() as uow:
            stored = await uow.meetings.add(attrs.evolve(created, room_name=room.name))
            await uow.commit()
    except NotFoundError:
        # The room was deleted meanwhile; do not leave a platform room nobody knows about.
        try:
            await platform.delete_meeting(created)
        except Exception:  # the room expires by itself; the original error matters more
            log.warning("could not delete orphan meeting %s", created.platform_meeting_id, exc_info=True)
        raise
    log.info("room %s: meeting %s created on %s", room.name, stored.id, room.platform.value)
    return MeetingOutcome(room, stored, created=True)


@frozen
class JoinInfo:
    meeting: Meeting
    url: str
    token: str | None
    expires_at: datetime
    owner: bool


async def join_info(
    outcome: MeetingOutcome,
    *,
    user: str | None,
    platforms: Mapping[Platform, VideoPlatform],
    name: str | None = None,
) -> JoinInfo:
    """How ``user`` joins the meeting: the owner gets the host URL and an owner token."""
    room, meeting = outcome.room, outcome.meeting
    owner = user is not None and room.owner is not None and user == room.owner
    platform = platforms.get(meeting.platform)
    if platform is None:
        raise ConfigurationError(f"platform {meeting.platform.value} is not configured on this server")
    # The token expires with the meeting: a leaked link cannot reopen the room later.
    token = None
    if owner:
        token = await platform.join_token(meeting, user_id=user, name=name, owner=True, expires_at=meeting.end)
    return JoinInfo(
        meeting=meeting,
        url=meeting.host_room_url if owner else meeting.room_url,
        token=token,
        expires_at=meeting.end,
        owner=owner,
    )
