"""``POST /v1/uploads``: a multipart upload, streamed to a local spool file, then ``usecases/uploads.py``.

Litestar's own form parsing reads the whole body into memory first, so this route parses the multipart
stream itself (``multipart.PushMultipartParser``, the parser Litestar depends on) chunk by chunk: the
file part goes to disk as it arrives and stops with 413 past ``REFLECTOR_UPLOAD_MAX_BYTES``; the other
fields are small text. The spool folder is removed whatever happens.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from litestar import Request, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from multipart import MultipartError, MultipartSegment, PushMultipartParser, parse_options_header

from reflector_adapters.audio.probe import probe_track
from reflector_app.container import UnitOfWorkFactory
from reflector_app.http.openapi import AUTH, documented
from reflector_app.http.schemas import TranscriptOut
from reflector_app.settings import Settings
from reflector_core.errors import InvalidInputError
from reflector_core.languages import Languages
from reflector_core.ports import Clock, JobQueue, ObjectStorage
from reflector_core.usecases.uploads import MAX_SPEAKERS, MAX_TITLE, accept_upload, check_upload

TAGS = ["uploads"]
FIELDS = ("title", "language", "speakers")
MAX_FIELD = 1000
OVERHEAD = 64 * 1024
"""Bytes of a body besides the file: part headers, the small fields, boundaries."""


class PayloadTooLarge(HTTPException):
    status_code = 413


def _text(description: str, **kw: Any) -> Schema:
    return Schema(type=OpenAPIType.STRING, description=description, **kw)


@dataclass
class UploadOperation(Operation):
    """The route reads its body itself, so the OpenAPI document is told what the body is."""

    def __post_init__(self) -> None:
        form = Schema(
            type=OpenAPIType.OBJECT,
            required=["file"],
            properties={
                "file": _text("The audio or video file (checked by probing its content)", format=OpenAPIFormat.BINARY),
                "title": _text("Default: the file's name", max_length=MAX_TITLE),
                "language": _text("'auto' or an ISO 639-1 code the server's model transcribes"),
                "speakers": Schema(type=OpenAPIType.INTEGER, minimum=1, maximum=MAX_SPEAKERS),
            },
        )
        self.request_body = RequestBody(required=True, content={"multipart/form-data": OpenAPIMediaType(schema=form)})


class _Spool:
    """The parts as they arrive: text fields in memory (bounded), the file on disk (bounded)."""

    def __init__(self, folder: Path, limit: int) -> None:
        self.path = folder / "upload"
        self.limit = limit
        self.fields: dict[str, str] = {}
        self.filename: str | None = None
        self.size = 0
        self._name: str | None = None
        self._text = bytearray()
        self._file: IO[bytes] | None = None

    def begin(self, segment: MultipartSegment) -> None:
        name = segment.name
        if name == "file" and segment.filename is not None and self.filename is None:
            self.filename = segment.filename
            self._file = self.path.open("wb")
        elif name not in FIELDS or name in self.fields:
            raise InvalidInputError(f"unexpected form field {name!r}: send file, and optionally {', '.join(FIELDS)}")
        self._name = name

    async def data(self, chunk: bytes) -> None:
        if self._file is not None:
            self.size += len(chunk)
            if self.size > self.limit:
                raise PayloadTooLarge(detail=f"the file is larger than the upload limit of {self.limit} bytes")
            await asyncio.to_thread(self._file.write, chunk)
            return
        self._text += chunk
        if len(self._text) > MAX_FIELD:
            raise InvalidInputError(f"form field {self._name!r} is longer than {MAX_FIELD} bytes")

    def end(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        elif self._name is not None:
            self.fields[self._name] = self._text.decode("utf-8", errors="replace")
        self._name, self._text = None, bytearray()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def _boundary(request: Request[Any, Any, Any]) -> str:
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    if kind != "multipart/form-data" or not options.get("boundary"):
        raise InvalidInputError("send the file as multipart/form-data, in the field 'file'")
    return str(options["boundary"])


async def _receive(spool: _Spool, boundary: str, chunks: AsyncIterator[bytes]) -> None:
    received = 0
    try:
        with PushMultipartParser(boundary, max_segment_count=len(FIELDS) + 1) as parser:
            async for chunk in chunks:
                received += len(chunk)
                if received > spool.limit + OVERHEAD:
                    raise PayloadTooLarge(detail=f"the body is larger than the upload limit of {spool.limit} bytes")
                for event in parser.parse(chunk):
                    if isinstance(event, MultipartSegment):
                        spool.begin(event)
                    elif event is None:
                        spool.end()
                    else:
                        await spool.data(event)
            for event in parser.parse(b""):
                if event is None:
                    spool.end()
    except MultipartError as exc:  # malformed, or past a limit (more parts than fields)
        raise InvalidInputError(f"malformed multipart body: {exc}") from None
    finally:
        spool.close()
    if spool.filename is None or spool.size == 0:
        raise InvalidInputError("no file: send it in the multipart field 'file'")


@post(
    "/v1/uploads",
    tags=TAGS,
    summary="Upload an audio or video file to transcribe (multipart: file, title, language, speakers)",
    status_code=201,
    request_max_body_size=None,
    operation_class=UploadOperation,
    responses=documented(*AUTH, 400, 408, 413, 422, 503),
)
async def upload(
    request: Request[Any, Any, Any],
    settings: NamedDependency[Settings],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    transcript_bucket: NamedDependency[ObjectStorage],
    queue: NamedDependency[JobQueue],
    clock: NamedDependency[Clock],
    languages: NamedDependency[Languages],
    user: NamedDependency[str],
) -> TranscriptOut:
    """Body: ``multipart/form-data`` with the file in ``file`` (checked by probing its content, at most
    ``REFLECTOR_UPLOAD_MAX_BYTES``) and optional ``title``, ``language`` (``auto`` or ``en``, ``de``…)
    and ``speakers`` (1 to 20). Answers 201 with the new transcript (``queued``)."""
    boundary = _boundary(request)
    folder = Path(tempfile.mkdtemp(prefix="upload-", dir=_spool_root(settings)))
    try:
        spool = _Spool(folder, settings.http.upload_max_bytes)
        await _receive(spool, boundary, request.stream())
        wanted = check_upload(
            user,
            spool.filename,
            title=spool.fields.get("title"),
            language=spool.fields.get("language"),
            speakers=spool.fields.get("speakers"),
            languages=languages,
        )
        transcript = await accept_upload(
            wanted,
            spool.path,
            probe=probe_track,
            run_blocking=asyncio.to_thread,
            storage=transcript_bucket,
            unit_of_work=unit_of_work,
            queue=queue,
            clock=clock,
        )
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, True)
    return TranscriptOut.of(transcript)


def _spool_root(settings: Settings) -> Path:
    root = Path(settings.storage.dir).parent / "work" / "uploads"
    root.mkdir(parents=True, exist_ok=True)
    return root


handlers = [upload]
