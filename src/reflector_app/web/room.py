"""``/r/{room}``: the room page anyone with the link opens (signed out too), and its two forms.

The page gets or creates the room's active meeting (the per-room lock, as ``POST /v1/rooms/{name}/enter``),
and embeds the platform's call in an iframe: Daily Prebuilt from the meeting's room URL (the owner's
with their meeting token), Whereby's room URL with its embed parameters (the host URL for the owner
only). When the room's policy asks for consent and this visitor has not decided yet, a ``<dialog>``
asks first and the iframe has no ``src`` until they answer (``room.js``; without JavaScript the form
posts to ``/r/{room}/consent`` and the page comes back with the call). The visitor's participant
token lives in an HttpOnly cookie so a reload does not ask again; the page hands it to its own script.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from reflector_app.container import Platforms, UnitOfWorkFactory
from reflector_app.http.participation import ENTER_PER_ADDRESS, client_address, visit_room
from reflector_app.locks import Locks
from reflector_app.ratelimit import RateLimiter
from reflector_app.web.pages import HTML, PAGE
from reflector_app.web.session import session_owner
from reflector_core.errors import InvalidInputError
from reflector_core.model import ConsentChoice, Platform, RecordingKind, RecordingState
from reflector_core.participant_tokens import ParticipantTokenError
from reflector_core.ports import Clock, JobQueue, RecordingControl
from reflector_core.usecases.participation import Visit, decide, participant_of
from reflector_core.usecases.recording import recorded_by_service, stop_recording

COOKIE = "reflector_participant"
RoomPath = Annotated[str, PathParameter(max_length=200)]

WHEREBY_EMBED = {"embed": "", "iframeSource": "reflector", "chat": "on", "screenshare": "on", "leaveButton": "on"}
"""Whereby's documented URL parameters for an embedded room."""


def call_url(visit: Visit) -> str:
    """The iframe's ``src``: Daily with the owner's token (``t``), Whereby with its embed parameters."""
    parts = urlsplit(visit.join.url)
    query = [p for p in parts.query.split("&") if p]
    if visit.outcome.meeting.platform is Platform.DAILY and visit.join.token:
        query.append(urlencode({"t": visit.join.token}))
    if visit.outcome.meeting.platform is Platform.WHEREBY:
        query.append(urlencode(WHEREBY_EMBED).replace("embed=&", "embed&"))
    return urlunsplit(parts._replace(query="&".join(query)))


def recording_text(visit: Visit) -> tuple[str, str]:
    """(css state, sentence) for the recording indicator every participant sees."""
    room, meeting = visit.outcome.room, visit.outcome.meeting
    if room.recording_kind is RecordingKind.NONE:
        return "off", "This room does not record."
    if not recorded_by_service(room, meeting):
        return "auto", "Whereby records this room by itself, as set when the room was created."
    state = visit.recording.state if visit.recording else None
    return {
        None: ("waiting", "Recording starts when someone is in the call."),
        RecordingState.REQUESTED: ("waiting", "Recording is starting…"),
        RecordingState.STARTED: ("on", "Recording"),
        RecordingState.FAILED: ("failed", "Recording could not be started. The room's owner has been told."),
        RecordingState.STOPPED: ("stopped", "Recording stopped by the room's owner."),
    }[state]


def room_context(visit: Visit, viewer: str | None) -> dict[str, Any]:
    asked = visit.consent_required and visit.decision is None
    state, sentence = recording_text(visit)
    return {
        "title": visit.outcome.room.name,
        "viewer": viewer,
        "visit": visit,
        "room": visit.outcome.room,
        "meeting": visit.outcome.meeting,
        "ask_consent": asked,
        "call_url": call_url(visit),
        "recording_state": state,
        "recording_sentence": sentence,
        "recording_error": visit.recording.error if visit.join.owner and visit.recording else None,
        "can_stop": visit.join.owner
        and state in ("on", "waiting")
        and recorded_by_service(visit.outcome.room, visit.outcome.meeting),
    }


@get("/r/{room:str}", opt=PAGE, include_in_schema=False)
async def room_page(
    room: RoomPath,
    request: Request[Any, Any, Any],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    platforms: NamedDependency[Platforms],
    clock: NamedDependency[Clock],
    locks: NamedDependency[Locks],
    limiter: NamedDependency[RateLimiter],
    participant_key: NamedDependency[bytes],
    secure_cookies: NamedDependency[bool],
) -> Response[Any]:
    viewer = session_owner(request)
    verdict = await limiter.hit(f"enter:addr:{client_address(request)}", ENTER_PER_ADDRESS)
    if not verdict.allowed:
        page = Template(
            template_name="error.html",
            context={"title": "Too many requests", "detail": "Try again in a minute.", "status": 429},
            status_code=429,
            media_type=HTML,
        )
        page.headers["Retry-After"] = str(verdict.retry_after)
        return page
    visit = await visit_room(
        room,
        user=viewer,
        presented=request.cookies.get(COOKIE),
        unit_of_work=unit_of_work,
        platforms=platforms,
        clock=clock,
        locks=locks,
        key=participant_key,
    )
    page = Template(template_name="room.html", context=room_context(visit, viewer), media_type=HTML)
    page.cookies.append(
        Cookie(
            key=COOKIE,
            value=visit.token,
            path="/r/",
            expires=int(visit.outcome.meeting.end.timestamp()),
            httponly=True,
            samesite="lax",
            secure=secure_cookies,
        )
    )
    page.headers["Cache-Control"] = "no-store"
    return page


@post("/r/{room:str}/consent", opt=PAGE, include_in_schema=False)
async def consent_form(
    room: RoomPath,
    request: Request[Any, Any, Any],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    queue: NamedDependency[JobQueue],
    clock: NamedDependency[Clock],
    participant_key: NamedDependency[bytes],
) -> Redirect:
    """The dialog's form without JavaScript: the same decision as the JSON route, then back to the call."""
    form = await request.form()
    try:
        choice = ConsentChoice(str(form.get("choice") or ""))
    except ValueError:
        raise InvalidInputError("choose to agree or to refuse") from None
    meeting_id = str(form.get("meeting_id") or "")
    try:
        participant = await participant_of(request.cookies.get(COOKIE), meeting_id, key=participant_key, clock=clock)
    except ParticipantTokenError:
        return Redirect(f"/r/{room}", status_code=303)  # a stale page: load it again for a fresh token
    await decide(meeting_id, participant, choice, unit_of_work=unit_of_work, queue=queue, clock=clock)
    return Redirect(f"/r/{room}", status_code=303)


@post("/r/{room:str}/recording/stop", opt=PAGE, include_in_schema=False)
async def stop_form(
    room: RoomPath,
    request: Request[Any, Any, Any],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    recording_control: NamedDependency[RecordingControl | None],
    clock: NamedDependency[Clock],
) -> Redirect:
    viewer = session_owner(request)
    form = await request.form()
    if viewer is not None:
        await stop_recording(
            str(form.get("meeting_id") or ""),
            viewer,
            unit_of_work=unit_of_work,
            control=recording_control,
            clock=clock,
        )
    return Redirect(f"/r/{room}", status_code=303)


handlers = [room_page, consent_form, stop_form]
