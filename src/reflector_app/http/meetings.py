"""Meetings, who was in them, and consent: ``/v1/meetings``."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from reflector_app.container import Container
from reflector_app.http.schemas import ConsentIn, ConsentOut, MeetingOut, SessionOut
from reflector_core.errors import NotFoundError
from reflector_core.model import Meeting
from reflector_core.ports import UnitOfWork
from reflector_core.usecases.consent import record_consent

TAGS = ["meetings"]

MeetingPath = Annotated[str, PathParameter(max_length=200)]


async def _meeting(uow: UnitOfWork, meeting_id: str) -> Meeting:
    meeting = await uow.meetings.get(meeting_id)
    if meeting is None:
        raise NotFoundError("meeting", meeting_id)
    return meeting


@get("/v1/meetings/{meeting_id:str}", tags=TAGS, summary="Get a meeting")
async def get_one(meeting_id: MeetingPath, container: NamedDependency[Container]) -> MeetingOut:
    async with container.unit_of_work() as uow:
        return MeetingOut.of(await _meeting(uow, meeting_id))


@get("/v1/meetings/{meeting_id:str}/participants", tags=TAGS, summary="Participant sessions of a meeting")
async def participants(meeting_id: MeetingPath, container: NamedDependency[Container]) -> list[SessionOut]:
    async with container.unit_of_work() as uow:
        await _meeting(uow, meeting_id)
        sessions = await uow.participant_sessions.for_meeting(meeting_id)
    return [SessionOut.of(s) for s in sorted(sessions, key=lambda s: (s.joined_at, s.session_id))]


@post("/v1/meetings/{meeting_id:str}/consent", tags=TAGS, summary="Record a participant's consent decision")
async def consent(
    meeting_id: MeetingPath, data: JSONBody[ConsentIn], container: NamedDependency[Container]
) -> Response[ConsentOut]:
    decision = await record_consent(
        meeting_id,
        data.participant,
        data.choice,
        unit_of_work=container.unit_of_work,
        queue=container.queue,
        clock=container.clock,
    )
    return Response(ConsentOut.of(decision), status_code=201)


handlers = [get_one, participants, consent]
