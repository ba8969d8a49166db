"""Starting and stopping a meeting's Daily recording from the service, exactly once per meeting.

Nobody's browser starts a recording (the reference system's open start route is an abuse vector).
When Daily tells us someone joined (the signed ``participant.joined`` webhook, or the presence poll
when webhooks are lost), ``request_start`` inserts the meeting's ``MeetingRecording`` row as
``requested``: the insert succeeds for one caller only, and only that caller enqueues the start job.
The job (``start_recording``) calls Daily, which itself waits out "call not hosted yet"; the outcome
(``started`` or ``failed`` with the reason) is stored, so a failed start is visible to the owner and
on the room page, never silent. The owner may stop it (``stopped``: joins do not restart it) and may
start it again from ``failed`` or ``stopped``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from attrs import frozen

from reflector_core.errors import NotFoundError, PlatformError, PlatformUnavailableError
from reflector_core.jobs import Job
from reflector_core.model import Meeting, MeetingRecording, Platform, RecordingKind, RecordingState, Room
from reflector_core.ports import Clock, JobQueue, RecordingControl, UnitOfWork
from reflector_core.recording_instances import instance_id
from reflector_core.usecases.access import owned_meeting

log = logging.getLogger(__name__)


@frozen
class StartRecording(Job):
    """Start a meeting's platform recording (claimed once per meeting)."""

    name: ClassVar[str] = "start_recording"
    meeting_id: str


MAX_START_ATTEMPTS = 5
"""Failed start jobs (each already waited for the call to be hosted) before the state becomes ``failed``."""

BY_JOIN = "participant.joined"
BY_PRESENCE = "presence"

_RESTARTABLE = frozenset({RecordingState.FAILED, RecordingState.STOPPED})


def recorded_by_service(room: Room | None, meeting: Meeting) -> bool:
    """Whether the service starts this meeting's recording: Daily rooms that record (Whereby starts its own)."""
    return (
        room is not None
        and meeting.platform is Platform.DAILY
        and room.platform is Platform.DAILY
        and room.recording_kind in (RecordingKind.RAW_TRACKS, RecordingKind.CLOUD)
    )


async def request_start(
    meeting_id: str,
    *,
    by: str,
    at: datetime,
    unit_of_work: Callable[[], UnitOfWork],
    queue: JobQueue,
    again: bool = False,
) -> bool:
    """Claim the meeting's recording start; ``True`` when this call enqueued the start job.

    The claim and the enqueue share one transaction, committed after the enqueue: a failed enqueue
    leaves no claim, so the next join tries again. ``again`` (the owner) also restarts a ``failed``
    or ``stopped`` recording. Meetings the service does not record are left alone (``False``).
    """
    async with unit_of_work() as uow:
        meeting = await uow.meetings.get(meeting_id)
        if meeting is None:
            raise NotFoundError("meeting", meeting_id)
        room = await uow.rooms.get(meeting.room_name) if meeting.room_name else None
        if not meeting.active or not recorded_by_service(room, meeting):
            return False
        claimed = await uow.meeting_recordings.request(
            meeting_id, at, by=by, again_from=_RESTARTABLE if again else frozenset()
        )
        if not claimed:
            return False
        await queue.enqueue(StartRecording(meeting_id))
        await uow.commit()
    log.info("meeting %s: recording start requested by %s", meeting_id, by)
    return True


async def request_start_for_room(
    platform: Platform,
    platform_room_name: str,
    *,
    by: str,
    at: datetime | None,
    unit_of_work: Callable[[], UnitOfWork],
    queue: JobQueue,
) -> bool:
    """``request_start`` for the newest meeting on a platform room (what a join webhook names).

    ``at`` is when the event happened (the meeting's start when the platform did not say).
    """
    async with unit_of_work() as uow:
        meetings = [m for m in await uow.meetings.by_platform_room_name(platform, platform_room_name) if m.id]
    if not meetings:
        return False
    meeting = max(meetings, key=lambda m: m.start)
    return await request_start(meeting.id or "", by=by, at=at or meeting.start, unit_of_work=unit_of_work, queue=queue)


async def start_where_present(
    present: dict[str, int], *, unit_of_work: Callable[[], UnitOfWork], queue: JobQueue, clock: Clock
) -> list[str]:
    """The presence fallback: request a start for every meeting someone is in (``{meeting id: count}``)."""
    started = []
    for meeting_id, count in present.items():
        if count > 0 and await request_start(
            meeting_id, by=BY_PRESENCE, at=clock.now(), unit_of_work=unit_of_work, queue=queue
        ):
            started.append(meeting_id)
    return started


def _kinds(room: Room) -> tuple[RecordingKind, ...]:
    return (room.recording_kind,)


@frozen
class StartOutcome:
    state: RecordingState | None
    detail: str


async def start_recording(
    meeting_id: str,
    *,
    unit_of_work: Callable[[], UnitOfWork],
    control: RecordingControl | None,
    clock: Clock,
    max_attempts: int = MAX_START_ATTEMPTS,
) -> StartOutcome:
    """The start job: call the platform for a ``requested`` meeting and store what happened.

    A refusal (``PlatformError``) is final: ``failed`` with Daily's reason. A transient failure
    (``PlatformUnavailableError``: still not hosted, rate limit, outage) is counted and re-raised so
    the queue retries; after ``max_attempts`` the state becomes ``failed``. Any other state means
    another job or the owner already decided, and nothing is called.
    """
    async with unit_of_work() as uow:
        current = await uow.meeting_recordings.get(meeting_id)
        meeting = await uow.meetings.get(meeting_id)
        room = await uow.rooms.get(meeting.room_name) if meeting is not None and meeting.room_name else None
    if current is None or current.state is not RecordingState.REQUESTED:
        return StartOutcome(current.state if current else None, "nothing to start")
    if meeting is None or room is None or not recorded_by_service(room, meeting):
        await _move(unit_of_work, meeting_id, RecordingState.FAILED, clock, "the meeting or its room is gone")
        return StartOutcome(RecordingState.FAILED, "meeting or room gone")
    if control is None:
        reason = f"{meeting.platform.value} is not configured on this server"
        await _move(unit_of_work, meeting_id, RecordingState.FAILED, clock, reason)
        return StartOutcome(RecordingState.FAILED, reason)
    try:
        for kind in _kinds(room):
            fresh = await control.start_recording(meeting, kind, instance_id(meeting_id, kind))
            log.info("meeting %s: %s recording %s", meeting_id, kind.value, "started" if fresh else "already active")
    except PlatformUnavailableError as exc:
        last = current.attempts + 1 >= max_attempts
        await _move(
            unit_of_work,
            meeting_id,
            RecordingState.FAILED if last else RecordingState.REQUESTED,
            clock,
            str(exc),
            failed_attempt=True,
        )
        log.warning("meeting %s: recording start failed (attempt %d): %s", meeting_id, current.attempts + 1, exc)
        if last:
            return StartOutcome(RecordingState.FAILED, str(exc))
        raise
    except PlatformError as exc:
        await _move(unit_of_work, meeting_id, RecordingState.FAILED, clock, str(exc), failed_attempt=True)
        log.error("meeting %s: recording start refused: %s", meeting_id, exc)
        return StartOutcome(RecordingState.FAILED, str(exc))
    await _move(unit_of_work, meeting_id, RecordingState.STARTED, clock, None)
    return StartOutcome(RecordingState.STARTED, "started")


async def _move(
    unit_of_work: Callable[[], UnitOfWork],
    meeting_id: str,
    to: RecordingState,
    clock: Clock,
    error: str | None,
    *,
    failed_attempt: bool = False,
) -> bool:
    async with unit_of_work() as uow:
        moved = await uow.meeting_recordings.transition(
            meeting_id,
            to,
            sources=frozenset({RecordingState.REQUESTED}),
            at=clock.now(),
            error=error,
            failed_attempt=failed_attempt,
        )
        await uow.commit()
    return moved


async def recording_state(
    meeting_id: str, owner: str, *, unit_of_work: Callable[[], UnitOfWork]
) -> MeetingRecording | None:
    """The owner's view of a meeting's recording start (``None``: not requested yet)."""
    await owned_meeting(meeting_id, owner, unit_of_work=unit_of_work)
    async with unit_of_work() as uow:
        return await uow.meeting_recordings.get(meeting_id)


async def restart_recording(
    meeting_id: str, owner: str, *, unit_of_work: Callable[[], UnitOfWork], queue: JobQueue, clock: Clock
) -> MeetingRecording | None:
    """The owner asks for a start: a first one, or again after ``failed``/``stopped``."""
    await owned_meeting(meeting_id, owner, unit_of_work=unit_of_work)
    await request_start(meeting_id, by=owner, at=clock.now(), unit_of_work=unit_of_work, queue=queue, again=True)
    async with unit_of_work() as uow:
        return await uow.meeting_recordings.get(meeting_id)


async def stop_recording(
    meeting_id: str,
    owner: str,
    *,
    unit_of_work: Callable[[], UnitOfWork],
    control: RecordingControl | None,
    clock: Clock,
) -> MeetingRecording | None:
    """The owner stops the meeting's recording: Daily is told to stop, and joins no longer restart it."""
    meeting = await owned_meeting(meeting_id, owner, unit_of_work=unit_of_work)
    async with unit_of_work() as uow:
        room = await uow.rooms.get(meeting.room_name) if meeting.room_name else None
        current = await uow.meeting_recordings.get(meeting_id)
    if current is None or current.state is RecordingState.STOPPED or room is None:
        return current
    if control is not None and recorded_by_service(room, meeting):
        for kind in _kinds(room):
            await control.stop_recording(meeting, kind, instance_id(meeting_id, kind))
    async with unit_of_work() as uow:
        await uow.meeting_recordings.transition(
            meeting_id,
            RecordingState.STOPPED,
            sources=frozenset({RecordingState.REQUESTED, RecordingState.STARTED, RecordingState.FAILED}),
            at=clock.now(),
        )
        await uow.commit()
        stopped = await uow.meeting_recordings.get(meeting_id)
    log.info("meeting %s: recording stopped by its owner", meeting_id)
    return stopped
