"""A transcript's status as server-sent events, until it is done or failed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

import msgspec
from attrs import frozen
from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import PathParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from reflector_app.container import UnitOfWorkFactory
from reflector_app.http.auth import bearer_token
from reflector_app.http.key_check import KeyCheck
from reflector_app.http.openapi import AUTH, body, documented
from reflector_app.http.schemas import StatusEvent
from reflector_app.web.session import session_alive
from reflector_core.model import Transcript, TranscriptStatus
from reflector_core.ports.progress import ProgressBoard, StageProgress
from reflector_core.usecases.access import readable_transcript

TERMINAL = frozenset({TranscriptStatus.DONE, TranscriptStatus.FAILED})


@frozen
class LiveOptions:
    poll_seconds: float = 1.0
    """How often the repository is read; status changes are rare, a second is plenty."""
    max_seconds: float = 3 * 3600.0
    """A stream never outlives this; the client reconnects (EventSource does so by itself)."""
    key_check_seconds: float = 60.0
    """How often the caller's API key is checked again: a revoked key's stream ends at the next check."""
    progress: ProgressBoard | None = None
    """Where the stage and progress of a processing transcript are read (none: status only)."""


def _message(t: Transcript, stage: StageProgress | None = None) -> ServerSentEventMessage:
    body = StatusEvent(
        id=t.id or "",
        status=t.status,
        error=t.error,
        stage=stage.stage if stage else None,
        progress=stage.fraction if stage else None,
    )
    return ServerSentEventMessage(event="status", data=msgspec.json.encode(body).decode())


async def _stage(options: LiveOptions, t: Transcript) -> StageProgress | None:
    if options.progress is None or t.status is not TranscriptStatus.PROCESSING:
        return None
    found = await options.progress.current(t.id or "")
    # Whole percents: a change of a tenth of a percent is not worth a message.
    return StageProgress(found.stage, round(found.fraction, 2)) if found and found.fraction is not None else found


async def status_stream(
    first: Transcript,
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    options: LiveOptions,
    key: KeyCheck | None = None,
) -> AsyncIterator[ServerSentEventMessage]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + options.max_seconds
    current: Transcript | None = first
    seen: tuple[TranscriptStatus, str | None, StageProgress | None] | None = None
    while current is not None:
        stage = await _stage(options, current)
        state = (current.status, current.error, stage)
        if state != seen:
            seen = state
            yield _message(current, stage)
        if current.status in TERMINAL or loop.time() >= deadline:
            return
        await asyncio.sleep(options.poll_seconds)
        if key is not None and not await key.still_valid(loop.time()):
            # The reconnect then meets the 401, and EventSource stops on a non-200 answer.
            yield ServerSentEventMessage(event="unauthorized", data="{}")
            return
        async with unit_of_work() as uow:
            current = await uow.transcripts.get(first.id or "")
    yield ServerSentEventMessage(event="deleted", data="{}")


@get(
    "/v1/transcripts/{transcript_id:str}/events",
    tags=["transcripts"],
    summary="Live status (server-sent events)",
    responses=documented(
        *AUTH, 400, 404, ok=body(200, str, "text/event-stream", "event: status … until done or failed")
    ),
)
async def transcript_events(
    transcript_id: Annotated[str, PathParameter(max_length=200)],
    request: Request[Any, Any, Any],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    live: NamedDependency[LiveOptions],
    user: NamedDependency[str],
) -> ServerSentEvent:
    # 404 before streaming (missing or not the caller's); the stream then follows this one transcript.
    first = await readable_transcript(transcript_id, user, unit_of_work=unit_of_work)
    key = KeyCheck(
        bearer_token(request.headers.get("authorization")),
        user,
        unit_of_work,
        every=live.key_check_seconds,
        started=asyncio.get_running_loop().time(),
        session_alive=session_alive(request),
    )
    return ServerSentEvent(status_stream(first, unit_of_work, live, key))


handlers = [transcript_events]
