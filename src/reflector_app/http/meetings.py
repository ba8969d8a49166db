"""Meetings, who was in them, and consent: ``/v1/meetings``."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from reflector_app.container import UnitOfWorkFactory
from reflector_app.http.openapi import AUTH, BODY, documented
from reflector_app.http.schemas import ConsentIn, ConsentOut, MeetingOut, SessionOut
from reflector_core.ports import Clock, JobQueue
from reflector_core.usecases.access import owned_meeting
from reflector_core.usecases.consent import record_consent

TAGS = ["meetings"]

MeetingPath = Annotated[str, PathParameter(max_length=200)]


@get("/v1/meetings/{meeting_id:str}", tags=TAGS, summary="Get a meeting", responses=documented(*AUTH, 400, 404))
async def get_one(
    meeting_id: MeetingPath, unit_of_work: NamedDependency[UnitOfWorkFactory], user: NamedDependency[str]
) -> MeetingOut:
    meeting = await owned_meeting(meeting_id, user, unit_of_work=unit_of_work)
    async with unit_of_work() as uow:
        recording = await uow.meeting_recordings.get(meeting_id)
    return MeetingOut.of(meeting, recording)


@get(
    "/v1/meetings/{meeting_id:str}/participants",
    tags=TAGS,
    summary="Participant sessions of a meeting",
    responses=documented(*AUTH, 400, 404),
)
async def participants(
    meeting_id: MeetingPath, unit_of_work: NamedDependency[UnitOfWorkFactory], user: NamedDependency[str]
) -> list[SessionOut]:
    await owned_meeting(meeting_id, user, unit_of_work=unit_of_work)
    async with unit_of_work() as uow:
        sessions = await uow.participant_sessions.for_meeting(meeting_id)
    return [SessionOut.of(s) for s in sorted(sessions, key=lambda s: (s.joined_at, s.session_id))]


@post(
    "/v1/meetings/{meeting_id:str}/consent",
    tags=TAGS,
    summary="Record a participant's consent decision",
    responses=documented(*AUTH, *BODY, 404, 422, 503),
)
async def consent(
    meeting_id: MeetingPath,
    data: JSONBody[ConsentIn],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    queue: NamedDependency[JobQueue],
    clock: NamedDependency[Clock],
    user: NamedDependency[str],
) -> Response[ConsentOut]:
    await owned_meeting(meeting_id, user, unit_of_work=unit_of_work)
    decision = await record_consent(
        meeting_id,
        data.participant,
        data.choice,
        unit_of_work=unit_of_work,
        queue=queue,
        clock=clock,
    )
    return Response(ConsentOut.of(decision), status_code=201)


handlers = [get_one, participants, consent]
