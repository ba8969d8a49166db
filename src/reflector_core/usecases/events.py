"""What a verified platform event does to our state (run by a worker, never in the HTTP request)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import ClassVar

from attrs import frozen

from reflector_core.errors import ForeignSourceError
from reflector_core.events import (
    IgnoredEvent,
    MeetingEnded,
    ParticipantJoined,
    ParticipantLeft,
    PlatformEvent,
    RecordingFailed,
    RecordingReady,
    VerificationPing,
)
from reflector_core.jobs import Job
from reflector_core.model import ParticipantSession, Platform
from reflector_core.ports import Clock, JobQueue, UnitOfWork
from reflector_core.recording_sources import RecordingSources
from reflector_core.usecases.ingest import ingest_recording
from reflector_core.usecases.recording import BY_JOIN, request_start_for_room

log = logging.getLogger(__name__)


@frozen
class Delivery:
    """What the webhook endpoint decided about one delivery."""

    duplicate: bool
    enqueued: bool


@frozen
class HandlePlatformEvent(Job):
    """Handle one verified inbound platform webhook."""

    name: ClassVar[str] = "handle_platform_event"
    platform: str
    """``Platform`` value: which verifier re-reads the body."""
    body: str
    """The raw body, verified when it arrived."""


async def accept_delivery(
    platform: Platform,
    event: PlatformEvent,
    raw_body: str,
    *,
    unit_of_work: Callable[[], UnitOfWork],
    queue: JobQueue,
    clock: Clock,
) -> Delivery:
    """Record the event id (a redelivery is recognised) and hand the event to a worker.

    The id is recorded in the same transaction that is committed only after the job is enqueued, so a
    failed enqueue leaves no record and the platform's retry is processed; a duplicate is acknowledged
    without work.
    """
    if isinstance(event, VerificationPing | IgnoredEvent):
        return Delivery(duplicate=False, enqueued=False)
    async with unit_of_work() as uow:
        recorded = event.event_id is None or await uow.inbound_events.record(
            platform, event.event_id, clock.now(), raw_body
        )
        if not recorded:
            await uow.rollback()
            return Delivery(duplicate=True, enqueued=False)
        await queue.enqueue(HandlePlatformEvent(platform.value, raw_body))
        await uow.commit()
    return Delivery(duplicate=False, enqueued=True)


async def event_handled(platform: Platform, event: PlatformEvent, *, unit_of_work: Callable[[], UnitOfWork]) -> None:
    """The event's job finished (or can never succeed): a restart need not handle it again."""
    if event.event_id is None:
        return
    async with unit_of_work() as uow:
        await uow.inbound_events.handled(platform, event.event_id)
        await uow.commit()


async def handle_event(
    event: PlatformEvent, *, sources: RecordingSources, unit_of_work: Callable[[], UnitOfWork], queue: JobQueue
) -> str:
    """Apply one event; returns a short description of what was done (for the log)."""
    match event:
        case RecordingReady(recording=recording):
            try:
                outcome = await ingest_recording(recording, sources=sources, unit_of_work=unit_of_work, queue=queue)
            except ForeignSourceError as exc:
                # Signed, so the platform (or whoever holds the secret) sent it; still never processed.
                # The webhook was already answered 2xx: Daily would disable a failing endpoint.
                log.warning("%s", exc)
                return f"recording {recording.platform_recording_id}: ignored ({exc.reason})"
            return f"recording {recording.platform_recording_id}: {'queued' if outcome.enqueued else 'already known'}"
        case ParticipantJoined(platform_room_name=name) if name:
            done = await _presence(event, unit_of_work)
            # Someone is in the call: the one claim per meeting starts its recording (a no-op after that).
            if await request_start_for_room(
                event.platform,
                name,
                by=BY_JOIN,
                at=event.at or event.occurred_at,
                unit_of_work=unit_of_work,
                queue=queue,
            ):
                done += "; recording start requested"
            return done
        case ParticipantJoined() | ParticipantLeft():
            return await _presence(event, unit_of_work)
        case MeetingEnded(platform_room_name=name) if name:
            async with unit_of_work() as uow:
                meetings = await uow.meetings.by_platform_room_name(event.platform, name)
                for m in meetings:
                    if m.id is not None and m.active:
                        await uow.meetings.deactivate(m.id)
                await uow.commit()
            return f"meeting {name} ended"
        case RecordingFailed(recording_id=rid, error=error):
            log.error("platform reports recording %s failed: %s", rid, error)
            return "recording error logged"
        case _:
            return f"{type(event).__name__} needs no action"


async def _presence(event: ParticipantJoined | ParticipantLeft, unit_of_work: Callable[[], UnitOfWork]) -> str:
    if not event.platform_room_name:
        return "participant event without room"
    async with unit_of_work() as uow:
        meetings = [
            m for m in await uow.meetings.by_platform_room_name(event.platform, event.platform_room_name) if m.id
        ]
        if not meetings:
            return f"participant event for unknown room {event.platform_room_name}"
        meeting = max(meetings, key=lambda m: m.start)
        joined = event.at if isinstance(event, ParticipantJoined) else None
        left = event.at if isinstance(event, ParticipantLeft) else None
        await uow.participant_sessions.upsert(
            ParticipantSession(
                meeting_id=meeting.id or "",
                session_id=event.session_id,
                joined_at=joined or left or meeting.start,
                user_id=event.user_id,
                name=event.name,
                left_at=left,
            )
        )
        await uow.commit()
    return f"participant {event.session_id} {'joined' if joined else 'left'}"
