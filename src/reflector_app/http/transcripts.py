"""Transcripts: listing, details, exports, speaker names and reprocessing: ``/v1/transcripts``."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Response, get, patch, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, PathParameter, QueryParameter

from reflector_app.container import UnitOfWorkFactory
from reflector_app.http.openapi import AUTH, BODY, body, documented
from reflector_app.http.parts import Part
from reflector_app.http.schemas import RenameIn, SnippetOut, TranscriptItem, TranscriptOut, TranscriptPage
from reflector_core.model import Transcript, TranscriptStatus
from reflector_core.ports import Clock, JobQueue, TranscriptFilter
from reflector_core.usecases.access import readable_transcript
from reflector_core.usecases.editing import rename_speaker
from reflector_core.usecases.search import search_transcripts
from reflector_core.usecases.transcripts import ExportFormat, render_export, reprocess

TAGS = ["transcripts"]

MEDIA_TYPES = {
    ExportFormat.VTT: "text/vtt",
    ExportFormat.SRT: "application/x-subrip; charset=utf-8",
    ExportFormat.JSON: "application/json",
    ExportFormat.TXT: "text/plain",
}
"""Litestar appends ``; charset=utf-8`` to ``text/*`` itself; the others say it here."""

EXPORTS = documented(*AUTH, 400, 404, 409)
"""The media type is set on each answer, not on the handler: Litestar gives a handler's errors the
handler's media type, and a 400 is JSON whatever format was asked for."""


def _export_ok(fmt: ExportFormat, description: str) -> dict[int, ResponseSpec]:
    container: object = dict[str, Any] if fmt is ExportFormat.JSON else str
    return {**EXPORTS, **body(200, container, MEDIA_TYPES[fmt], description)}


Id = Annotated[str, PathParameter(max_length=200)]
MAX_OFFSET = 1_000_000_000
"""Bounded at the edge: beyond 2^63 - 1 SQLite raises ``OverflowError``, and no listing is that deep."""
Filter = Annotated[str | None, QueryParameter(max_length=500)]


@get("/v1/transcripts", tags=TAGS, summary="List transcripts, newest first", responses=documented(*AUTH, 400, 422))
async def list_transcripts(
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    user: NamedDependency[str],
    room: Filter = None,
    meeting_id: Filter = None,
    recording_id: Annotated[
        str | None, QueryParameter(max_length=2000, description="The platform's recording id")
    ] = None,
    status: FromQuery[TranscriptStatus | None] = None,
    offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    q: Annotated[
        str | None, QueryParameter(max_length=200, description="Full-text search: every word in one turn")
    ] = None,
) -> TranscriptPage:
    if q is not None:
        return await _search(q, user, unit_of_work, room=room, status=status, offset=offset, limit=limit)
    flt = TranscriptFilter(
        room=room, meeting_id=meeting_id, platform_recording_id=recording_id, status=status, viewer=user
    )
    async with unit_of_work() as uow:
        page = await uow.transcripts.list(flt, offset=offset, limit=limit)
    return TranscriptPage.of(page)


async def _search(
    q: str,
    user: str,
    unit_of_work: UnitOfWorkFactory,
    *,
    room: str | None,
    status: TranscriptStatus | None,
    offset: int,
    limit: int,
) -> TranscriptPage:
    found = await search_transcripts(user, q, unit_of_work=unit_of_work, room=room, status=status, limit=offset + limit)
    items = []
    for f in found[offset:]:
        item = TranscriptItem.of(f.entry.transcript)
        item.snippets = [SnippetOut(text=s.text, start=s.start) for s in f.snippets]
        items.append(item)
    return TranscriptPage(items=items, total=len(found), offset=offset, limit=limit)


@get(
    "/v1/transcripts/{transcript_id:str}",
    tags=TAGS,
    summary="A transcript's status and details",
    responses=documented(*AUTH, 400, 404),
)
async def get_one(
    transcript_id: Id, unit_of_work: NamedDependency[UnitOfWorkFactory], user: NamedDependency[str]
) -> TranscriptOut:
    return TranscriptOut.of(await readable_transcript(transcript_id, user, unit_of_work=unit_of_work))


async def _export(transcript_id: str, fmt: ExportFormat, unit_of_work: UnitOfWorkFactory, user: str) -> Response[str]:
    transcript = await readable_transcript(transcript_id, user, unit_of_work=unit_of_work)
    return await export_response(transcript, fmt, unit_of_work)


async def export_response(transcript: Transcript, fmt: ExportFormat, unit_of_work: UnitOfWorkFactory) -> Response[str]:
    """The export as an answer (also behind a share link): the JSON one carries the meeting notes."""
    transcript_id = transcript.id or ""
    notes = None
    if fmt is ExportFormat.JSON:
        async with unit_of_work() as uow:
            stored = await uow.notes.get(transcript_id)
        notes = stored.notes if stored else None
    text = render_export(transcript, fmt, notes=notes)
    return Response(
        text,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'inline; filename="{transcript_id}.{fmt.value}"'},
    )


# One handler per format, so the OpenAPI document names each media type (in `responses`).
@get(
    "/v1/transcripts/{transcript_id:str}/export.vtt",
    tags=TAGS,
    summary="WebVTT",
    responses=_export_ok(ExportFormat.VTT, "WebVTT cues, one per turn"),
)
async def export_vtt(
    transcript_id: Id, unit_of_work: NamedDependency[UnitOfWorkFactory], user: NamedDependency[str]
) -> Response[str]:
    return await _export(transcript_id, ExportFormat.VTT, unit_of_work, user)


@get(
    "/v1/transcripts/{transcript_id:str}/export.srt",
    tags=TAGS,
    summary="SubRip",
    responses=_export_ok(ExportFormat.SRT, "SubRip cues, one per turn"),
)
async def export_srt(
    transcript_id: Id, unit_of_work: NamedDependency[UnitOfWorkFactory], user: NamedDependency[str]
) -> Response[str]:
    return await _export(transcript_id, ExportFormat.SRT, unit_of_work, user)


@get(
    "/v1/transcripts/{transcript_id:str}/export.json",
    tags=TAGS,
    summary="JSON words, turns and speakers",
    responses=_export_ok(ExportFormat.JSON, "words, turns, participants and failed tracks"),
)
async def export_json(
    transcript_id: Id, unit_of_work: NamedDependency[UnitOfWorkFactory], user: NamedDependency[str]
) -> Response[str]:
    return await _export(transcript_id, ExportFormat.JSON, unit_of_work, user)


@get(
    "/v1/transcripts/{transcript_id:str}/export.txt",
    tags=TAGS,
    summary="Plain text",
    responses=_export_ok(ExportFormat.TXT, "One paragraph per turn, labelled with the speaker"),
)
async def export_txt(
    transcript_id: Id, unit_of_work: NamedDependency[UnitOfWorkFactory], user: NamedDependency[str]
) -> Response[str]:
    return await _export(transcript_id, ExportFormat.TXT, unit_of_work, user)


@patch(
    "/v1/transcripts/{transcript_id:str}/participants/{speaker:int}",
    tags=TAGS,
    summary="Name a speaker",
    responses=documented(*AUTH, *BODY, 404, 409, 422),
)
async def rename(
    transcript_id: Id,
    speaker: FromPath[int],
    data: JSONBody[RenameIn],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    clock: Part[Clock],
    user: NamedDependency[str],
) -> TranscriptOut:
    transcript = await rename_speaker(
        transcript_id, speaker, data.name, owner=user, unit_of_work=unit_of_work, clock=clock
    )
    return TranscriptOut.of(transcript)


@post(
    "/v1/transcripts/{transcript_id:str}/reprocess",
    status_code=202,
    tags=TAGS,
    summary="Queue a failed transcript again",
    responses=documented(*AUTH, 400, 404, 409, 503),
)
async def reprocess_one(
    transcript_id: Id,
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    queue: NamedDependency[JobQueue],
    user: NamedDependency[str],
) -> TranscriptOut:
    transcript = await reprocess(transcript_id, owner=user, unit_of_work=unit_of_work, queue=queue)
    return TranscriptOut.of(transcript)


handlers = [list_transcripts, get_one, export_vtt, export_srt, export_json, export_txt, rename, reprocess_one]
