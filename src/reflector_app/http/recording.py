"""The owner's side of a meeting's recording and consent, and a room's meetings: API key required.

- ``GET /v1/meetings/{id}/recording``, ``POST …/recording/start`` (first start, or again after a
  failure or a stop), ``POST …/recording/stop``.
- ``GET /v1/meetings/{id}/consent``: every participant's latest decision.
- ``GET /v1/rooms/{name}/meetings``: the room's meetings with participants, recording and transcripts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter

from reflector_app.container import UnitOfWorkFactory
from reflector_app.http.openapi import AUTH, documented
from reflector_app.http.schemas import MeetingOut, RecordingOut, SessionOut
from reflector_core.model import ConsentChoice, TranscriptStatus
from reflector_core.ports import Clock, JobQueue, RecordingControl
from reflector_core.usecases.participation import decisions_of
from reflector_core.usecases.recording import recording_state, restart_recording, stop_recording
from reflector_core.usecases.room_meetings import MAX_MEETINGS, MeetingSummary, room_meetings

TAGS = ["meetings"]

MeetingPath = Annotated[str, PathParameter(max_length=200)]
RoomPath = Annotated[str, PathParameter(max_length=200)]


class RecordingStateOut(msgspec.Struct, kw_only=True):
    meeting_id: str
    recording: RecordingOut | None
    """``null``: not requested yet (nobody joined, or the room records nothing / records by itself)."""


class DecisionOut(msgspec.Struct, kw_only=True):
    participant: str
    choice: ConsentChoice
    at: datetime


class TranscriptLinkOut(msgspec.Struct, kw_only=True):
    id: str | None
    status: TranscriptStatus
    url: str
    """The transcript's API path."""


class RoomMeetingItem(msgspec.Struct, kw_only=True):
    meeting: MeetingOut
    participants: list[SessionOut]
    transcripts: list[TranscriptLinkOut]

    @classmethod
    def of(cls, s: MeetingSummary) -> RoomMeetingItem:
        return cls(
            meeting=MeetingOut.of(s.meeting, s.recording),
            participants=[SessionOut.of(p) for p in s.sessions],
            transcripts=[
                TranscriptLinkOut(id=t.id, status=t.status, url=f"/v1/transcripts/{t.id}") for t in s.transcripts
            ],
        )


@get(
    "/v1/meetings/{meeting_id:str}/recording",
    tags=TAGS,
    summary="The meeting's recording start",
    responses=documented(*AUTH, 400, 404),
)
async def get_recording(
    meeting_id: MeetingPath, unit_of_work: NamedDependency[UnitOfWorkFactory], user: NamedDependency[str]
) -> RecordingStateOut:
    record = await recording_state(meeting_id, user, unit_of_work=unit_of_work)
    return RecordingStateOut(meeting_id=meeting_id, recording=RecordingOut.of(record))


@post(
    "/v1/meetings/{meeting_id:str}/recording/start",
    status_code=202,
    tags=TAGS,
    summary="Start the recording (first time, or again after a failure or a stop)",
    responses=documented(*AUTH, 400, 404, 409, 422, 502, 503),
)
async def start(
    meeting_id: MeetingPath,
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    queue: NamedDependency[JobQueue],
    clock: NamedDependency[Clock],
    user: NamedDependency[str],
) -> RecordingStateOut:
    record = await restart_recording(meeting_id, user, unit_of_work=unit_of_work, queue=queue, clock=clock)
    return RecordingStateOut(meeting_id=meeting_id, recording=RecordingOut.of(record))


@post(
    "/v1/meetings/{meeting_id:str}/recording/stop",
    status_code=200,
    tags=TAGS,
    summary="Stop the recording",
    responses=documented(*AUTH, 400, 404, 409, 422, 502, 503),
)
async def stop(
    meeting_id: MeetingPath,
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    recording_control: NamedDependency[RecordingControl | None],
    clock: NamedDependency[Clock],
    user: NamedDependency[str],
) -> RecordingStateOut:
    record = await stop_recording(
        meeting_id,
        user,
        unit_of_work=unit_of_work,
        control=recording_control,
        clock=clock,
    )
    return RecordingStateOut(meeting_id=meeting_id, recording=RecordingOut.of(record))


@get(
    "/v1/meetings/{meeting_id:str}/consent",
    tags=TAGS,
    summary="Every participant's latest consent decision",
    responses=documented(*AUTH, 400, 404),
)
async def consent_decisions(
    meeting_id: MeetingPath, unit_of_work: NamedDependency[UnitOfWorkFactory], user: NamedDependency[str]
) -> list[DecisionOut]:
    decisions = await decisions_of(meeting_id, user, unit_of_work=unit_of_work)
    return [DecisionOut(participant=d.participant, choice=d.choice, at=d.at) for d in decisions]


@get(
    "/v1/rooms/{name:str}/meetings",
    tags=["rooms"],
    summary="The room's meetings, newest first",
    responses=documented(*AUTH, 400, 404),
)
async def meetings_of_room(
    name: RoomPath,
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    user: NamedDependency[str],
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_MEETINGS)] = 50,
) -> Response[list[RoomMeetingItem]]:
    summaries = await room_meetings(name, user, unit_of_work=unit_of_work, limit=limit)
    return Response([RoomMeetingItem.of(s) for s in summaries])


handlers = [get_recording, start, stop, consent_decisions, meetings_of_room]
