"""A transcript's mixed audio (with Range support) and its waveform."""

from __future__ import annotations

import posixpath
from collections.abc import AsyncIterator
from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import PathParameter
from litestar.response import Stream

from reflector_app.container import UnitOfWorkFactory
from reflector_app.http.errors import error_response
from reflector_app.http.openapi import AUTH, body, documented
from reflector_app.http.ranges import UnsatisfiableRange, parse_range
from reflector_core.errors import NotFoundError
from reflector_core.model import Transcript
from reflector_core.ports import ObjectStorage
from reflector_core.usecases.access import readable_transcript

TAGS = ["transcripts"]
CHUNK = 256 * 1024
"""Bytes per storage read: the reply streams, so a long meeting's MP3 is never held in memory."""

Id = Annotated[str, PathParameter(max_length=200)]


def waveform_key(audio_key: str) -> str:
    """The waveform sits next to the audio: ``{folder}/waveform.json``."""
    return posixpath.join(posixpath.dirname(audio_key), "waveform.json")


def _audio_key(transcript: Transcript) -> str:
    if transcript.audio_deleted or not transcript.audio_location:
        raise NotFoundError("audio", transcript.id or "")
    return transcript.audio_location


async def _chunks(storage: ObjectStorage, key: str, start: int, end: int) -> AsyncIterator[bytes]:
    at = start
    while at <= end:
        last = min(at + CHUNK - 1, end)
        yield await storage.read(key, start=at, end=last)
        at = last + 1


@get(
    "/v1/transcripts/{transcript_id:str}/audio.mp3",
    tags=TAGS,
    summary="The mixed audio (Range requests supported)",
    responses=documented(
        *AUTH,
        400,
        404,
        416,
        503,
        ok={
            **body(200, bytes, "audio/mpeg", "The whole MP3"),
            **body(206, bytes, "audio/mpeg", "The requested range (Content-Range says which)"),
        },
    ),
)
async def audio(
    transcript_id: Id,
    request: Request[Any, Any, Any],
    transcript_bucket: NamedDependency[ObjectStorage],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    user: NamedDependency[str],
) -> Response[Any]:
    transcript = await readable_transcript(transcript_id, user, unit_of_work=unit_of_work)
    return await serve_audio(transcript, request, transcript_bucket)


async def serve_audio(transcript: Transcript, request: Request[Any, Any, Any], storage: ObjectStorage) -> Response[Any]:
    """The transcript's MP3, whole or the asked range, streamed (also behind a share link)."""
    key = _audio_key(transcript)
    size = (await storage.stat(key)).size  # ObjectNotFoundError → 404
    headers = {"Accept-Ranges": "bytes"}
    try:
        wanted = parse_range(request.headers.get("range"), size)
    except UnsatisfiableRange as exc:
        return error_response(416, str(exc), {**headers, "Content-Range": f"bytes */{size}"})
    if wanted is None:
        return Stream(
            _chunks(storage, key, 0, size - 1),
            media_type="audio/mpeg",
            headers={**headers, "Content-Length": str(size)},
        )
    return Stream(
        _chunks(storage, key, wanted.start, wanted.end),
        status_code=206,
        media_type="audio/mpeg",
        headers={**headers, "Content-Length": str(wanted.length), "Content-Range": wanted.content_range(size)},
    )


@get(
    "/v1/transcripts/{transcript_id:str}/waveform",
    tags=TAGS,
    summary="Peak amplitudes of the mixed audio",
    responses=documented(
        *AUTH, 400, 404, 503, ok=body(200, dict[str, Any], "application/json", "The waveform stored beside the audio")
    ),
)
async def waveform(
    transcript_id: Id,
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    transcript_bucket: NamedDependency[ObjectStorage],
    user: NamedDependency[str],
) -> Response[bytes]:
    transcript = await readable_transcript(transcript_id, user, unit_of_work=unit_of_work)
    return await serve_waveform(transcript, transcript_bucket)


async def serve_waveform(transcript: Transcript, storage: ObjectStorage) -> Response[bytes]:
    if not transcript.audio_location:
        raise NotFoundError("waveform", transcript.id or "")
    stored = await storage.read(waveform_key(transcript.audio_location))
    return Response(stored, media_type="application/json")


handlers = [audio, waveform]
