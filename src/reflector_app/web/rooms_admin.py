"""``/rooms``: the signed-in owner's room administration (list, create, edit, delete, meetings).

The same use cases as ``/v1/rooms`` with the session's owner: ownership checks, name rules and the
write-only webhook URL and secret (the form never shows them: blank keeps them, a box clears them).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from reflector_app.container import Platforms, UnitOfWorkFactory
from reflector_app.web.pages import HTML, PAGE
from reflector_core.errors import ConflictError, InvalidInputError
from reflector_core.languages import Languages
from reflector_core.model import ConsentPolicy, Platform, RecordingKind, Room
from reflector_core.usecases.access import owned_room
from reflector_core.usecases.room_meetings import room_meetings
from reflector_core.usecases.rooms import UNCHANGED, RoomChanges, create_room, delete_room, update_room

RoomPath = Annotated[str, PathParameter(max_length=200)]


def _choice(form: FormMultiDict, name: str, kind: type[Any], default: Any) -> Any:
    raw = form.get(name)
    if raw in (None, ""):
        return default
    try:
        return kind(str(raw))
    except ValueError:
        raise InvalidInputError(f"{name}: not a valid choice: {str(raw)[:40]!r}") from None


def _text(form: FormMultiDict, name: str) -> str | None:
    value = str(form.get(name) or "").strip()
    return value or None


def _options(platforms: Platforms) -> dict[str, Any]:
    return {
        "platforms": sorted(p.value for p in platforms) or [p.value for p in Platform if p is not Platform.UPLOAD],
        "kinds": [k.value for k in RecordingKind],
        "policies": [p.value for p in ConsentPolicy],
    }


async def _list_page(
    unit_of_work: UnitOfWorkFactory, platforms: Platforms, viewer: str, *, error: str | None = None, status: int = 200
) -> Template:
    async with unit_of_work() as uow:
        rooms = await uow.rooms.list(owner=viewer)
    return Template(
        template_name="rooms.html",
        context={"title": "Rooms", "viewer": viewer, "rooms": rooms, "error": error, **_options(platforms)},
        status_code=status,
        media_type=HTML,
    )


@get("/rooms", opt=PAGE, include_in_schema=False)
async def rooms_page(
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    platforms: NamedDependency[Platforms],
    viewer: NamedDependency[str],
) -> Template:
    return await _list_page(unit_of_work, platforms, viewer)


@post("/rooms", opt=PAGE, include_in_schema=False)
async def create_room_form(
    request: Request[Any, Any, Any],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    platforms: NamedDependency[Platforms],
    languages: NamedDependency[Languages],
    viewer: NamedDependency[str],
) -> Response[Any]:
    form = await request.form()
    try:
        room = Room(
            name=str(form.get("name") or "").strip(),
            platform=_choice(form, "platform", Platform, Platform.DAILY),
            recording_kind=_choice(form, "recording_kind", RecordingKind, RecordingKind.RAW_TRACKS),
            consent_policy=_choice(form, "consent_policy", ConsentPolicy, ConsentPolicy.REQUIRED),
            locked=form.get("locked") == "on",
            webhook_url=_text(form, "webhook_url"),
            webhook_secret=_text(form, "webhook_secret"),
            owner=viewer,
            language=_text(form, "language") or languages.default,
        )
        created = await create_room(room, unit_of_work=unit_of_work, platforms=platforms.keys(), languages=languages)
    except (InvalidInputError, ConflictError) as exc:
        return await _list_page(
            unit_of_work, platforms, viewer, error=str(exc), status=422 if isinstance(exc, InvalidInputError) else 409
        )
    return Redirect(f"/rooms/{created.name}", status_code=303)


async def _room_page(
    name: str,
    unit_of_work: UnitOfWorkFactory,
    platforms: Platforms,
    viewer: str,
    request: Request[Any, Any, Any],
    *,
    error: str | None = None,
    status: int = 200,
) -> Template:
    room = await owned_room(name, viewer, unit_of_work=unit_of_work)
    meetings = await room_meetings(name, viewer, unit_of_work=unit_of_work, limit=50)
    link = f"{str(request.base_url).rstrip('/')}/r/{room.name}"
    return Template(
        template_name="room_admin.html",
        context={
            "title": f"Room {room.name}",
            "viewer": viewer,
            "room": room,
            "meetings": meetings,
            "link": link,
            "error": error,
            **_options(platforms),
        },
        status_code=status,
        media_type=HTML,
    )


@get("/rooms/{name:str}", opt=PAGE, include_in_schema=False)
async def room_admin_page(
    name: RoomPath,
    request: Request[Any, Any, Any],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    platforms: NamedDependency[Platforms],
    viewer: NamedDependency[str],
) -> Template:
    return await _room_page(name, unit_of_work, platforms, viewer, request)


@post("/rooms/{name:str}", opt=PAGE, include_in_schema=False)
async def update_room_form(
    name: RoomPath,
    request: Request[Any, Any, Any],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    platforms: NamedDependency[Platforms],
    languages: NamedDependency[Languages],
    viewer: NamedDependency[str],
) -> Response[Any]:
    form = await request.form()
    url = _text(form, "webhook_url")
    secret = _text(form, "webhook_secret")
    try:
        changes = RoomChanges(
            platform=_choice(form, "platform", Platform, UNCHANGED),
            recording_kind=_choice(form, "recording_kind", RecordingKind, UNCHANGED),
            consent_policy=_choice(form, "consent_policy", ConsentPolicy, UNCHANGED),
            locked=form.get("locked") == "on",
            webhook_url=None if form.get("clear_webhook_url") == "on" else (url or UNCHANGED),
            webhook_secret=None if form.get("clear_webhook_secret") == "on" else (secret or UNCHANGED),
            language=_text(form, "language") or UNCHANGED,
        )
        await update_room(
            name, changes, owner=viewer, unit_of_work=unit_of_work, platforms=platforms.keys(), languages=languages
        )
    except InvalidInputError as exc:
        return await _room_page(name, unit_of_work, platforms, viewer, request, error=str(exc), status=422)
    return Redirect(f"/rooms/{name}", status_code=303)


@post("/rooms/{name:str}/delete", opt=PAGE, include_in_schema=False)
async def delete_room_form(
    name: RoomPath, unit_of_work: NamedDependency[UnitOfWorkFactory], viewer: NamedDependency[str]
) -> Redirect:
    await delete_room(name, owner=viewer, unit_of_work=unit_of_work)
    return Redirect("/rooms", status_code=303)


handlers = [rooms_page, create_room_form, room_admin_page, update_room_form, delete_room_form]
