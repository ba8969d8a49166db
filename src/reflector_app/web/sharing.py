"""The reader's share controls (forms; the JSON twin is ``/v1/transcripts/{id}/share``, same use cases).

A new link is shown once, on the page the form answers with; the other actions return to the reader.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from reflector_app.container import UnitOfWorkFactory
from reflector_app.http.sharing import link_path
from reflector_app.web.pages import PAGE
from reflector_app.web.reader import render_reader
from reflector_core.errors import InvalidInputError, NotFoundError
from reflector_core.ports import Clock
from reflector_core.usecases import sharing

Id = Annotated[str, PathParameter(max_length=200)]


def _back(transcript_id: str) -> Redirect:
    return Redirect(f"/transcripts/{transcript_id}#share", status_code=303)


@post("/transcripts/{transcript_id:str}/share", opt=PAGE, include_in_schema=False, status_code=200)
async def share_form(
    transcript_id: Id,
    request: Request[Any, Any, Any],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    clock: NamedDependency[Clock],
    public_url: NamedDependency[str | None],
    viewer: NamedDependency[str],
) -> Template | Redirect:
    form = await request.form()
    data = {k: str(form.get(k) or "") for k in ("mode", "username")}
    mode = data["mode"]
    if mode == "link":
        token = await sharing.share_link(transcript_id, owner=viewer, unit_of_work=unit_of_work, clock=clock)
        base = (public_url or str(request.base_url)).rstrip("/")
        return await render_reader(transcript_id, viewer, unit_of_work, new_link=base + link_path(token))
    if mode == "private":
        await sharing.make_private(transcript_id, owner=viewer, unit_of_work=unit_of_work)
    elif mode == "revoke":
        await sharing.revoke_link(transcript_id, owner=viewer, unit_of_work=unit_of_work)
    elif mode == "unshare":
        await sharing.unshare_user(transcript_id, data["username"], owner=viewer, unit_of_work=unit_of_work)
    else:
        username = data["username"]
        try:
            await sharing.share_with_user(transcript_id, username, owner=viewer, unit_of_work=unit_of_work, clock=clock)
        except (NotFoundError, InvalidInputError) as exc:
            if isinstance(exc, NotFoundError) and exc.kind != "user":
                raise  # the transcript itself: 404 like any other
            page = await render_reader(transcript_id, viewer, unit_of_work, share_error=str(exc))
            page.status_code = 422
            return page
    return _back(transcript_id)


handlers = [share_form]
