"""``/keys``: the signed-in user's API keys: list, create (the key is shown once), revoke.

Same use cases as ``/v1/keys``; a key is shown only on the page that answers its creation.
"""

from __future__ import annotations

from typing import Annotated

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from reflector_app.container import UnitOfWorkFactory
from reflector_app.web.pages import HTML, PAGE
from reflector_core.ports import Clock
from reflector_core.usecases.api_keys import create_api_key, list_api_keys, revoke_own_api_key


async def _page(
    unit_of_work: UnitOfWorkFactory, viewer: str, *, new_key: str | None = None, status: int = 200
) -> Template:
    keys = await list_api_keys(viewer, unit_of_work=unit_of_work)
    return Template(
        template_name="keys.html",
        context={"title": "API keys", "viewer": viewer, "keys": keys, "new_key": new_key},
        status_code=status,
        media_type=HTML,
    )


@get("/keys", opt=PAGE, include_in_schema=False)
async def keys_page(unit_of_work: NamedDependency[UnitOfWorkFactory], viewer: NamedDependency[str]) -> Template:
    return await _page(unit_of_work, viewer)


@post("/keys", opt=PAGE, include_in_schema=False, status_code=201)
async def create_key_form(
    unit_of_work: NamedDependency[UnitOfWorkFactory], clock: NamedDependency[Clock], viewer: NamedDependency[str]
) -> Template:
    key = await create_api_key(viewer, unit_of_work=unit_of_work, clock=clock)
    return await _page(unit_of_work, viewer, new_key=key.plaintext, status=201)


@post("/keys/{key_id:str}/revoke", opt=PAGE, include_in_schema=False)
async def revoke_key_form(
    key_id: Annotated[str, PathParameter(max_length=64)],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    viewer: NamedDependency[str],
) -> Redirect:
    await revoke_own_api_key(key_id, owner=viewer, unit_of_work=unit_of_work)
    return Redirect("/keys", status_code=303)


handlers = [keys_page, create_key_form, revoke_key_form]
