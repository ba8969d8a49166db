"""``/s/{token}``: a transcript opened by its share link, signed out, read-only.

The same reader page, its audio, waveform and exports, found by the link instead of by the owner;
nothing else is reachable with a link. A revoked (or replaced) link answers 404 on the next request:
the token is looked up every time, and the answers are not cached.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import PathParameter
from litestar.response import Template

from reflector_app.container import UnitOfWorkFactory
from reflector_app.http.audio import serve_audio, serve_waveform
from reflector_app.http.transcripts import export_response
from reflector_app.web.pages import HTML, PAGE
from reflector_app.web.reader import load_reader_context
from reflector_app.web.session import session_owner
from reflector_core.ports import ObjectStorage
from reflector_core.usecases.sharing import transcript_by_link
from reflector_core.usecases.transcripts import ExportFormat

Token = Annotated[str, PathParameter(max_length=100)]

PRIVATE = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}
"""Not kept by caches (a revoked link must stop at once); the token never leaves in a Referer."""


def _private(response: Response[Any]) -> Response[Any]:
    response.headers.update(PRIVATE)
    return response


@get("/s/{token:str}", opt=PAGE, include_in_schema=False)
async def shared_reader(
    token: Token, request: Request[Any, Any, Any], unit_of_work: NamedDependency[UnitOfWorkFactory]
) -> Response[Any]:
    transcript = await transcript_by_link(token, unit_of_work=unit_of_work)
    context = await load_reader_context(
        transcript, session_owner(request), base=f"/s/{token}", unit_of_work=unit_of_work
    )
    context["shared_link"] = True
    return _private(Template(template_name="reader.html", context=context, media_type=HTML))


@get("/s/{token:str}/audio.mp3", opt=PAGE, include_in_schema=False)
async def shared_audio(
    token: Token,
    request: Request[Any, Any, Any],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    transcript_bucket: NamedDependency[ObjectStorage],
) -> Response[Any]:
    transcript = await transcript_by_link(token, unit_of_work=unit_of_work)
    return _private(await serve_audio(transcript, request, transcript_bucket))


@get("/s/{token:str}/waveform", opt=PAGE, include_in_schema=False)
async def shared_waveform(
    token: Token, unit_of_work: NamedDependency[UnitOfWorkFactory], transcript_bucket: NamedDependency[ObjectStorage]
) -> Response[Any]:
    transcript = await transcript_by_link(token, unit_of_work=unit_of_work)
    return _private(await serve_waveform(transcript, transcript_bucket))


async def _export(token: str, fmt: ExportFormat, unit_of_work: UnitOfWorkFactory) -> Response[Any]:
    transcript = await transcript_by_link(token, unit_of_work=unit_of_work)
    return _private(await export_response(transcript, fmt, unit_of_work))


@get("/s/{token:str}/export.vtt", opt=PAGE, include_in_schema=False)
async def shared_vtt(token: Token, unit_of_work: NamedDependency[UnitOfWorkFactory]) -> Response[Any]:
    return await _export(token, ExportFormat.VTT, unit_of_work)


@get("/s/{token:str}/export.srt", opt=PAGE, include_in_schema=False)
async def shared_srt(token: Token, unit_of_work: NamedDependency[UnitOfWorkFactory]) -> Response[Any]:
    return await _export(token, ExportFormat.SRT, unit_of_work)


@get("/s/{token:str}/export.json", opt=PAGE, include_in_schema=False)
async def shared_json(token: Token, unit_of_work: NamedDependency[UnitOfWorkFactory]) -> Response[Any]:
    return await _export(token, ExportFormat.JSON, unit_of_work)


@get("/s/{token:str}/export.txt", opt=PAGE, include_in_schema=False)
async def shared_txt(token: Token, unit_of_work: NamedDependency[UnitOfWorkFactory]) -> Response[Any]:
    return await _export(token, ExportFormat.TXT, unit_of_work)


handlers = [shared_reader, shared_audio, shared_waveform, shared_vtt, shared_srt, shared_json, shared_txt]
