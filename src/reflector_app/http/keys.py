"""The caller's own API keys: ``/v1/keys`` (the API-key page's JSON twin)."""

from __future__ import annotations

from typing import Annotated

from litestar import delete, get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter

from reflector_app.container import UnitOfWorkFactory
from reflector_app.http.openapi import AUTH, documented
from reflector_app.http.schemas import ApiKeyOut, NewApiKeyOut
from reflector_core.ports import Clock
from reflector_core.usecases.api_keys import create_api_key, list_api_keys, revoke_own_api_key

TAGS = ["api keys"]


@get("/v1/keys", tags=TAGS, summary="Your API keys, newest first (ids and dates)", responses=documented(*AUTH))
async def list_keys(unit_of_work: NamedDependency[UnitOfWorkFactory], user: NamedDependency[str]) -> list[ApiKeyOut]:
    keys = await list_api_keys(user, unit_of_work=unit_of_work)
    return [ApiKeyOut(id=k.key_id, created_at=k.created_at, revoked=k.revoked) for k in keys]


@post(
    "/v1/keys",
    tags=TAGS,
    summary="A new API key for you (the key is in this answer only)",
    status_code=201,
    responses=documented(*AUTH, 400, 422),
)
async def create_key(
    unit_of_work: NamedDependency[UnitOfWorkFactory], clock: NamedDependency[Clock], user: NamedDependency[str]
) -> NewApiKeyOut:
    key = await create_api_key(user, unit_of_work=unit_of_work, clock=clock)
    return NewApiKeyOut(id=key.key_id, key=key.plaintext)


@delete(
    "/v1/keys/{key_id:str}",
    tags=TAGS,
    summary="Revoke one of your keys (requests with it get 401 from now on)",
    responses=documented(*AUTH, 400, 404),
)
async def revoke_key(
    key_id: Annotated[str, PathParameter(max_length=64)],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    user: NamedDependency[str],
) -> None:
    await revoke_own_api_key(key_id, owner=user, unit_of_work=unit_of_work)


handlers = [list_keys, create_key, revoke_key]
