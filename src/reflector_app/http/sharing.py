"""Sharing a transcript: ``/v1/transcripts/{id}/share`` (the owner's routes; see usecases/sharing.py)."""

from __future__ import annotations

from typing import Annotated

from litestar import delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from reflector_app.container import UnitOfWorkFactory
from reflector_app.http.openapi import AUTH, BODY, documented
from reflector_app.http.schemas import ShareIn, ShareOut
from reflector_core.errors import InvalidInputError
from reflector_core.ports import Clock
from reflector_core.usecases import sharing
from reflector_core.usecases.sharing import Sharing

TAGS = ["sharing"]
Id = Annotated[str, PathParameter(max_length=200)]
Username = Annotated[str, PathParameter(min_length=1, max_length=255)]


def link_path(token: str) -> str:
    """Where a link opens the transcript (``/s/{token}``, served by ``web/shared.py``)."""
    return f"/s/{token}"


def _out(state: Sharing, url: str | None = None) -> ShareOut:
    return ShareOut(mode=state.mode, url=url, link_created_at=state.link_created_at, users=list(state.users))


@get(
    "/v1/transcripts/{transcript_id:str}/share",
    tags=TAGS,
    summary="How a transcript is shared",
    responses=documented(*AUTH, 400, 404),
)
async def get_sharing(
    transcript_id: Id, unit_of_work: NamedDependency[UnitOfWorkFactory], user: NamedDependency[str]
) -> ShareOut:
    return _out(await sharing.sharing_of(transcript_id, owner=user, unit_of_work=unit_of_work))


@post(
    "/v1/transcripts/{transcript_id:str}/share",
    status_code=200,
    tags=TAGS,
    summary="Share by link (the answer's url, shown once), with a user by name, or make it private",
    responses=documented(*AUTH, *BODY, 404, 422),
)
async def share(
    transcript_id: Id,
    data: JSONBody[ShareIn],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    clock: NamedDependency[Clock],
    public_url: NamedDependency[str | None],
    user: NamedDependency[str],
) -> ShareOut:
    if data.mode == "link":
        token = await sharing.share_link(transcript_id, owner=user, unit_of_work=unit_of_work, clock=clock)
        state = await sharing.sharing_of(transcript_id, owner=user, unit_of_work=unit_of_work)
        return _out(state, url=(public_url or "").rstrip("/") + link_path(token))
    if data.mode == "private":
        return _out(await sharing.make_private(transcript_id, owner=user, unit_of_work=unit_of_work))
    if data.username is None:
        raise InvalidInputError('mode "user" needs a username')
    state = await sharing.share_with_user(
        transcript_id, data.username, owner=user, unit_of_work=unit_of_work, clock=clock
    )
    return _out(state)


@delete(
    "/v1/transcripts/{transcript_id:str}/share",
    status_code=200,
    tags=TAGS,
    summary="Revoke the link (it answers 404 at once); named users keep reading",
    responses=documented(*AUTH, 400, 404),
)
async def revoke(
    transcript_id: Id, unit_of_work: NamedDependency[UnitOfWorkFactory], user: NamedDependency[str]
) -> ShareOut:
    return _out(await sharing.revoke_link(transcript_id, owner=user, unit_of_work=unit_of_work))


@delete(
    "/v1/transcripts/{transcript_id:str}/share/users/{username:str}",
    status_code=200,
    tags=TAGS,
    summary="Stop sharing with a user",
    responses=documented(*AUTH, 400, 404),
)
async def unshare(
    transcript_id: Id,
    username: Username,
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    user: NamedDependency[str],
) -> ShareOut:
    return _out(await sharing.unshare_user(transcript_id, username, owner=user, unit_of_work=unit_of_work))


handlers = [get_sharing, share, revoke, unshare]
