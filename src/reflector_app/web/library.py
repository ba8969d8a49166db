"""``/``: the signed-in user's transcripts, newest first, with filters (room, status, dates).

The JSON twin is ``GET /v1/transcripts`` (same filter, same use case, same owner).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Template

from reflector_app.container import UnitOfWorkFactory
from reflector_app.web.pages import HTML, PAGE
from reflector_app.web.reader import clock
from reflector_core.errors import InvalidInputError
from reflector_core.model import TranscriptStatus
from reflector_core.ports import TranscriptFilter
from reflector_core.usecases.library import library
from reflector_core.usecases.search import search_transcripts

PAGE_SIZE = 50
Text = Annotated[str | None, QueryParameter(max_length=500)]


def _day(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
    except ValueError:
        return None


@get("/", opt=PAGE, include_in_schema=False)
async def library_page(
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    viewer: NamedDependency[str],
    room: Text = None,
    status: Text = None,
    date_from: Annotated[str | None, QueryParameter(name="from", max_length=10)] = None,
    date_to: Annotated[str | None, QueryParameter(name="to", max_length=10)] = None,
    offset: Annotated[int, QueryParameter(ge=0)] = 0,
    q: Annotated[str | None, QueryParameter(max_length=200)] = None,
) -> Template:
    wanted = TranscriptStatus(status) if status in set(TranscriptStatus) else None
    to_day = _day(date_to)
    flt = TranscriptFilter(
        room=room or None,
        status=wanted,
        created_from=_day(date_from),
        created_before=to_day + timedelta(days=1) if to_day else None,
    )
    found = None
    search_error = None
    if q and q.strip():
        try:
            found = await search_transcripts(viewer, q, unit_of_work=unit_of_work, room=room or None, status=wanted)
        except InvalidInputError as exc:
            search_error = str(exc)
    page = await library(viewer, flt, offset=offset, limit=PAGE_SIZE, unit_of_work=unit_of_work)
    async with unit_of_work() as uow:
        rooms = [r.name for r in await uow.rooms.list(owner=viewer)]
    context: dict[str, Any] = {
        "title": "Library",
        "viewer": viewer,
        "page": page,
        "rooms": rooms,
        "statuses": [s.value for s in TranscriptStatus],
        "q": q or "",
        "found": found,
        "search_error": search_error,
        "clock": clock,
        "filters": {
            "room": room or "",
            "status": wanted.value if wanted else "",
            "from": date_from or "",
            "to": date_to or "",
        },
        "terminal": {TranscriptStatus.DONE, TranscriptStatus.FAILED},
    }
    return Template(template_name="library.html", context=context, media_type=HTML)


handlers = [library_page]
