"""Public participation routes: entering a room and recording one's consent, without an account.

No API key protects these (``opt=PUBLIC``), so each one checks what it needs itself:

- ``POST /v1/rooms/{name}/enter`` gets or creates the room's active meeting (the per-room lock) and
  hands out a participant token for it; rate-limited per address.
- ``POST /v1/meetings/{id}/participant-consent`` and ``GET /v1/meetings/{id}/participant`` take the
  token in ``X-Participant-Token`` and accept it only for the meeting it was issued for; rate-limited
  per address and per token. The token travels in a header, never as a cookie on these routes, so a
  foreign page cannot make a visitor's browser post a decision (no CSRF surface).

The owner reads every decision at ``GET /v1/meetings/{id}/consent`` (``recording.py``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from litestar.params import JSONBody, PathParameter

from reflector_app.container import Platforms, UnitOfWorkFactory
from reflector_app.http.auth import PUBLIC
from reflector_app.http.errors import error_response
from reflector_app.http.openapi import BODY, body, documented
from reflector_app.http.schemas import RecordingOut
from reflector_app.locks import Locks
from reflector_app.ratelimit import Limit, RateLimiter
from reflector_core.model import ConsentChoice, ConsentDecision, Platform, RecordingState
from reflector_core.participant_tokens import ParticipantTokenError
from reflector_core.ports import Clock, JobQueue
from reflector_core.usecases.meetings import MeetingOutcome, active_meeting
from reflector_core.usecases.participation import Visit, decide, enter, participant_of, participant_view

log = logging.getLogger(__name__)

TAGS = ["participation"]
TOKEN_HEADER = "X-Participant-Token"

ENTER_PER_ADDRESS = Limit(30, 60.0)
CONSENT_PER_ADDRESS = Limit(60, 60.0)
CONSENT_PER_TOKEN = Limit(10, 60.0)
VIEW_PER_ADDRESS = Limit(120, 60.0)

NamePath = Annotated[str, PathParameter(max_length=200)]
MeetingPath = Annotated[str, PathParameter(max_length=200)]


class ParticipantConsentIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    choice: ConsentChoice


class DecisionOut(msgspec.Struct, kw_only=True):
    participant: str
    choice: ConsentChoice
    at: datetime

    @classmethod
    def of(cls, d: ConsentDecision) -> DecisionOut:
        return cls(participant=d.participant, choice=d.choice, at=d.at)


class PublicRecordingOut(msgspec.Struct, kw_only=True):
    """What every participant sees of the recording: its state, and only that a start failed (not why)."""

    state: RecordingState | None
    """``null``: nobody has joined the call yet."""
    failed: bool

    @classmethod
    def of(cls, r: RecordingOut | None) -> PublicRecordingOut:
        return cls(state=r.state if r else None, failed=r is not None and r.state is RecordingState.FAILED)


class VisitOut(msgspec.Struct, kw_only=True):
    meeting_id: str
    room: str
    platform: Platform
    url: str
    """The platform room URL to load in the call frame (the host URL for the owner only)."""
    token: str | None
    """A Daily meeting token for the owner; ``null`` for everyone else."""
    owner: bool
    participant: str
    participant_token: str
    """Send it as ``X-Participant-Token`` to the participant routes; valid until ``expires_at``."""
    expires_at: datetime
    consent_required: bool
    consent: ConsentChoice | None
    """This participant's latest decision (``null``: not asked yet)."""
    recording: PublicRecordingOut
    recording_starts_by_itself: bool
    """True for Whereby rooms that record: the start trigger set at room creation starts it."""

    @classmethod
    def of(cls, visit: Visit) -> VisitOut:
        meeting, room = visit.outcome.meeting, visit.outcome.room
        return cls(
            meeting_id=meeting.id or "",
            room=room.name,
            platform=meeting.platform,
            url=visit.join.url,
            token=visit.join.token,
            owner=visit.join.owner,
            participant=visit.participant,
            participant_token=visit.token,
            expires_at=meeting.end,
            consent_required=visit.consent_required,
            consent=visit.decision.choice if visit.decision else None,
            recording=PublicRecordingOut.of(RecordingOut.of(visit.recording)),
            recording_starts_by_itself=meeting.platform is Platform.WHEREBY and room.recording_kind.value != "none",
        )


class ParticipantOut(msgspec.Struct, kw_only=True):
    participant: str
    consent: ConsentChoice | None
    recording: PublicRecordingOut


def client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


async def limited(limiter: RateLimiter, key: str, limit: Limit) -> Response[dict[str, object]] | None:
    """A 429 answer when ``key`` is over ``limit``, else ``None``."""
    verdict = await limiter.hit(key, limit)
    if verdict.allowed:
        return None
    log.warning("rate limit hit: %s", key.split(":", 2)[:2])
    return error_response(429, "too many requests", {"Retry-After": str(verdict.retry_after)})


async def meeting_of_room(
    name: str, unit_of_work: UnitOfWorkFactory, platforms: Platforms, clock: Clock, locks: Locks
) -> MeetingOutcome:
    """The room's active meeting, created if none, one creation at a time per room (as ``/meeting``)."""
    async with locks.hold(f"room-meeting:{name}"):
        return await active_meeting(name, unit_of_work=unit_of_work, platforms=platforms, clock=clock)


async def visit_room(
    name: str,
    *,
    user: str | None,
    presented: str | None,
    unit_of_work: UnitOfWorkFactory,
    platforms: Platforms,
    clock: Clock,
    locks: Locks,
    key: bytes,
) -> Visit:
    """What the room page and ``/enter`` share: the meeting, the visitor's token and what to show."""
    outcome = await meeting_of_room(name, unit_of_work, platforms, clock, locks)
    return await enter(
        outcome,
        user=user,
        presented_token=presented,
        key=key,
        unit_of_work=unit_of_work,
        platforms=platforms,
        clock=clock,
    )


async def _participant(request: Request[Any, Any, Any], meeting_id: str, clock: Clock, key: bytes) -> str:
    try:
        return await participant_of(request.headers.get(TOKEN_HEADER), meeting_id, key=key, clock=clock)
    except ParticipantTokenError as exc:
        log.info("participant token refused for meeting %s: %s", meeting_id[:64], exc)
        raise NotAuthorizedException(detail="a valid participant token for this meeting is required") from None


@post(
    "/v1/rooms/{name:str}/enter",
    status_code=200,
    tags=TAGS,
    opt=PUBLIC,
    summary="Enter a room (no account)",
    responses=documented(400, 404, 422, 429, 502, 503),
)
async def enter_room(
    name: NamePath,
    request: Request[Any, Any, Any],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    platforms: NamedDependency[Platforms],
    clock: NamedDependency[Clock],
    locks: NamedDependency[Locks],
    limiter: NamedDependency[RateLimiter],
    participant_key: NamedDependency[bytes],
) -> Response[Any]:
    if refused := await limited(limiter, f"enter:addr:{client_address(request)}", ENTER_PER_ADDRESS):
        return refused
    visit = await visit_room(
        name,
        user=None,
        presented=request.headers.get(TOKEN_HEADER),
        unit_of_work=unit_of_work,
        platforms=platforms,
        clock=clock,
        locks=locks,
        key=participant_key,
    )
    return Response(VisitOut.of(visit))


@post(
    "/v1/meetings/{meeting_id:str}/participant-consent",
    status_code=200,
    tags=TAGS,
    opt=PUBLIC,
    summary="Record the token holder's consent decision",
    responses=documented(
        *BODY, 401, 404, 422, 429, ok=body(201, DecisionOut, "application/json", "The first or a changed decision")
    ),
)
async def participant_consent(
    meeting_id: MeetingPath,
    data: JSONBody[ParticipantConsentIn],
    request: Request[Any, Any, Any],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    queue: NamedDependency[JobQueue],
    clock: NamedDependency[Clock],
    limiter: NamedDependency[RateLimiter],
    participant_key: NamedDependency[bytes],
) -> Response[Any]:
    if refused := await limited(limiter, f"consent:addr:{client_address(request)}", CONSENT_PER_ADDRESS):
        return refused
    participant = await _participant(request, meeting_id, clock, participant_key)
    if refused := await limited(limiter, f"consent:who:{meeting_id}:{participant}", CONSENT_PER_TOKEN):
        return refused
    decision, changed = await decide(
        meeting_id,
        participant,
        data.choice,
        unit_of_work=unit_of_work,
        queue=queue,
        clock=clock,
    )
    return Response(DecisionOut.of(decision), status_code=201 if changed else 200)


@get(
    "/v1/meetings/{meeting_id:str}/participant",
    tags=TAGS,
    opt=PUBLIC,
    summary="The token holder's view",
    responses=documented(400, 401, 404, 429),
)
async def participant_status(
    meeting_id: MeetingPath,
    request: Request[Any, Any, Any],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    clock: NamedDependency[Clock],
    limiter: NamedDependency[RateLimiter],
    participant_key: NamedDependency[bytes],
) -> Response[Any]:
    if refused := await limited(limiter, f"view:addr:{client_address(request)}", VIEW_PER_ADDRESS):
        return refused
    participant = await _participant(request, meeting_id, clock, participant_key)
    view = await participant_view(meeting_id, participant, unit_of_work=unit_of_work)
    return Response(
        ParticipantOut(
            participant=view.participant,
            consent=view.decision.choice if view.decision else None,
            recording=PublicRecordingOut.of(RecordingOut.of(view.recording)),
        )
    )


handlers = [enter_room, participant_consent, participant_status]
