"""Rooms and their meetings: ``/v1/rooms``."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from reflector_app.container import Platforms, UnitOfWorkFactory
from reflector_app.http.openapi import AUTH, BODY, documented
from reflector_app.http.schemas import JoinOut, MeetingOut, RoomCreate, RoomMeetingOut, RoomOut, RoomUpdate
from reflector_app.locks import Locks
from reflector_core.languages import Languages
from reflector_core.ports import Clock
from reflector_core.usecases.access import owned_room
from reflector_core.usecases.meetings import MeetingOutcome, active_meeting, join_info
from reflector_core.usecases.rooms import create_room, delete_room, update_room

TAGS = ["rooms"]

RoomPath = Annotated[str, PathParameter(max_length=200)]


@post("/v1/rooms", tags=TAGS, summary="Create a room", responses=documented(*AUTH, *BODY, 409, 422))
async def create(
    data: JSONBody[RoomCreate],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    platforms: NamedDependency[Platforms],
    languages: NamedDependency[Languages],
    user: NamedDependency[str],
) -> Response[RoomOut]:
    room = await create_room(
        data.to_room(owner=user, default_language=languages.default),
        unit_of_work=unit_of_work,
        platforms=platforms.keys(),
        languages=languages,
    )
    return Response(RoomOut.of(room), status_code=201)


@get("/v1/rooms", tags=TAGS, summary="List the caller's rooms", responses=documented(*AUTH))
async def list_rooms(unit_of_work: NamedDependency[UnitOfWorkFactory], user: NamedDependency[str]) -> list[RoomOut]:
    async with unit_of_work() as uow:
        rooms = await uow.rooms.list(owner=user)
    return [RoomOut.of(r) for r in rooms]


@get("/v1/rooms/{name:str}", tags=TAGS, summary="Get a room", responses=documented(*AUTH, 400, 404))
async def get_one(
    name: RoomPath, unit_of_work: NamedDependency[UnitOfWorkFactory], user: NamedDependency[str]
) -> RoomOut:
    return RoomOut.of(await owned_room(name, user, unit_of_work=unit_of_work))


@patch(
    "/v1/rooms/{name:str}",
    tags=TAGS,
    summary="Change a room's settings (only the fields sent)",
    responses=documented(*AUTH, *BODY, 404, 422),
)
async def update(
    name: RoomPath,
    data: JSONBody[RoomUpdate],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    platforms: NamedDependency[Platforms],
    languages: NamedDependency[Languages],
    user: NamedDependency[str],
) -> RoomOut:
    room = await update_room(
        name,
        data.to_changes(),
        owner=user,
        unit_of_work=unit_of_work,
        platforms=platforms.keys(),
        languages=languages,
    )
    return RoomOut.of(room)


@delete(
    "/v1/rooms/{name:str}",
    tags=TAGS,
    summary="Delete a room (its meetings and transcripts stay)",
    responses=documented(*AUTH, 400, 404),
)
async def remove(name: RoomPath, unit_of_work: NamedDependency[UnitOfWorkFactory], user: NamedDependency[str]) -> None:
    await delete_room(name, owner=user, unit_of_work=unit_of_work)


async def _meeting(
    name: str, user: str, unit_of_work: UnitOfWorkFactory, platforms: Platforms, clock: Clock, locks: Locks
) -> MeetingOutcome:
    await owned_room(name, user, unit_of_work=unit_of_work)
    # One creation at a time per room: without it, concurrent callers each create a platform room.
    async with locks.hold(f"room-meeting:{name}"):
        return await active_meeting(name, unit_of_work=unit_of_work, platforms=platforms, clock=clock)


@post(
    "/v1/rooms/{name:str}/meeting",
    status_code=200,
    tags=TAGS,
    summary="The room's active meeting, created if none",
    responses=documented(*AUTH, 400, 404, 502, 503),
)
async def meeting(
    name: RoomPath,
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    platforms: NamedDependency[Platforms],
    clock: NamedDependency[Clock],
    locks: NamedDependency[Locks],
    user: NamedDependency[str],
) -> RoomMeetingOut:
    outcome = await _meeting(name, user, unit_of_work, platforms, clock, locks)
    return RoomMeetingOut(meeting=MeetingOut.of(outcome.meeting), created=outcome.created)


@post(
    "/v1/rooms/{name:str}/join",
    status_code=200,
    tags=TAGS,
    summary="How the caller joins the room's meeting",
    responses=documented(*AUTH, 400, 404, 422, 502, 503),
)
async def join(
    name: RoomPath,
    platforms: NamedDependency[Platforms],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    clock: NamedDependency[Clock],
    locks: NamedDependency[Locks],
    user: NamedDependency[str],
) -> JoinOut:
    outcome = await _meeting(name, user, unit_of_work, platforms, clock, locks)
    return JoinOut.of(await join_info(outcome, user=user, platforms=platforms))


handlers = [create, list_rooms, get_one, update, remove, meeting, join]
