"""Uploads: a person drops in an audio or video file and gets a transcript of it, as of a mixed recording.

The caller (the HTTP edge) has spooled the file to a local path, bounded by the size limit. Here it is
probed (its content decides, never its name), copied to the transcript bucket under ``uploads/``, and
recorded as a recording of the ``upload`` platform owned by the uploader, whose transcript is queued
for the single-file job (diarization on, with the speakers hint and language given).

Nothing half-made is left: a file that does not probe is refused before anything is stored, and if the
database refuses the rows the copied object is deleted again.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import attrs
from attrs import frozen

from reflector_core.errors import InvalidInputError, ReflectorError, TrackError
from reflector_core.exports.cues import clean_text
from reflector_core.languages import Languages
from reflector_core.model import Platform, Recording, RecordingKind, Transcript, TranscriptStatus
from reflector_core.ports import Clock, JobQueue, ObjectStorage, UnitOfWork
from reflector_core.timeline import TrackProbe
from reflector_core.usecases.api_keys import check_owner
from reflector_core.usecases.process_recording import ProcessRecording

log = logging.getLogger(__name__)

UPLOAD_PREFIX = "uploads/"
MAX_TITLE = 200
MAX_SPEAKERS = 20

_ERRNO = re.compile(r"\[Errno -?\d+\] ")

T = TypeVar("T")
RunBlocking = Callable[[Callable[[], T]], Awaitable[T]]


@frozen
class UploadRequest:
    """What the uploader said about the file, checked by ``check_upload``."""

    owner: str
    filename: str
    title: str | None = None
    language: str | None = None
    """``auto`` or an ISO 639-1 code; ``None``: the service's default."""
    speakers: int | None = None
    """How many people speak, when the uploader knows (the diarizer's hint)."""

    @property
    def name(self) -> str:
        """What the library calls it: the title, else the file's name."""
        return self.title or self.filename or "Upload"


def _optional_text(value: str | None) -> str | None:
    cleaned = clean_text(value) if value is not None else ""
    return cleaned or None


def check_upload(
    owner: str,
    filename: str | None,
    *,
    title: str | None,
    language: str | None,
    speakers: str | int | None,
    languages: Languages,
) -> UploadRequest:
    """The request with its fields checked (``InvalidInputError`` says which is wrong), before any I/O.

    ``language`` must be one this server's model can transcribe (``languages``, as for a room's)."""
    name = (_optional_text(filename) or "").replace("/", "_").replace("\\", "_")[-MAX_TITLE:]
    cleaned_title = _optional_text(title)
    if cleaned_title is not None and len(cleaned_title) > MAX_TITLE:
        raise InvalidInputError(f"title must be at most {MAX_TITLE} characters")
    lang = _optional_text(language)
    lang = languages.check(lang) if lang else None
    count: int | None = None
    if speakers is not None and str(speakers).strip():
        try:
            count = int(str(speakers).strip())
        except ValueError:
            raise InvalidInputError("speakers must be a whole number") from None
        if not 1 <= count <= MAX_SPEAKERS:
            raise InvalidInputError(f"speakers must be 1 to {MAX_SPEAKERS}")
    return UploadRequest(owner=check_owner(owner), filename=name, title=cleaned_title, language=lang, speakers=count)


def upload_key(upload_id: str) -> str:
    """Where the uploaded file lives in the transcript bucket: no part of it comes from the uploader."""
    return f"{UPLOAD_PREFIX}{upload_id}/source"


async def _probe(probe: Callable[[Path], TrackProbe], path: Path, run_blocking: RunBlocking[TrackProbe]) -> TrackProbe:
    try:
        return await run_blocking(lambda: probe(path))
    except (TrackError, InvalidInputError) as exc:
        reason = exc.reason if isinstance(exc, TrackError) else str(exc)
        # The decoder names the spool file: the uploader gets the cause, never our paths.
        # A trailing ": '<path>'" (how FFmpeg's errors end) says nothing to the uploader: dropped.
        reason = reason.replace(f": '{path}'", "").replace(f"'{path}'", "the file").replace(str(path), "the file")
        reason = _ERRNO.sub("", reason)
        raise InvalidInputError(f"not an audio or video file with sound that can be read: {reason}") from exc


async def accept_upload(
    request: UploadRequest,
    path: Path,
    *,
    probe: Callable[[Path], TrackProbe],
    run_blocking: RunBlocking[TrackProbe],
    storage: ObjectStorage,
    unit_of_work: Callable[[], UnitOfWork],
    queue: JobQueue,
    clock: Clock,
) -> Transcript:
    """Probe, store and queue the file at ``path``; the new transcript (``queued``)."""
    probed = await _probe(probe, path, run_blocking)
    upload_id = uuid.uuid4().hex
    key = upload_key(upload_id)
    await storage.upload(key, path, content_type="application/octet-stream")
    recording = Recording(
        platform=Platform.UPLOAD,
        platform_recording_id=upload_id,
        bucket=storage.bucket,
        kind=RecordingKind.CLOUD,
        started_at=clock.now(),
        duration=probed.timeline.duration,
        platform_room_name=request.name,
        object_key=key,
        owner=request.owner,
    )
    try:
        transcript = await _record(unit_of_work, recording, request.language)
    except BaseException:
        # The rows are not there: neither may the object be.
        await _forget(storage, key)
        raise
    await queue.enqueue(ProcessRecording(transcript.id or "", language=request.language, speakers=request.speakers))
    log.info("upload %s by %s queued as transcript %s", upload_id, request.owner, transcript.id)
    return transcript


async def _record(unit_of_work: Callable[[], UnitOfWork], recording: Recording, language: str | None) -> Transcript:
    async with unit_of_work() as uow:
        stored, _ = await uow.recordings.upsert(recording)
        transcript, _ = await uow.transcripts.ensure(stored.id or "")
        if language:
            # Kept on the transcript: a job re-enqueued by the stuck sweep carries only the id.
            transcript = attrs.evolve(transcript, language=language)
            await uow.transcripts.save_result(transcript)
        if not await uow.transcripts.transition(transcript.id or "", TranscriptStatus.QUEUED):
            raise RuntimeError(f"a new upload's transcript {transcript.id} could not be queued")
        await uow.commit()
    return transcript.moved_to(TranscriptStatus.QUEUED)


async def _forget(storage: ObjectStorage, key: str) -> None:
    try:
        await storage.delete(key)
    except ReflectorError as exc:  # logged: the original error is the one the uploader needs
        log.error("could not remove the object %s of a failed upload: %s", key, exc)
