"""Editing and deleting transcripts: title, speaker merges, reassigned words, the edit log, deletion.

Renaming a speaker is ``PATCH /v1/transcripts/{id}/participants/{speaker}`` (``transcripts.py``).
Every route here goes through a use case that checks the owner; the reader's forms call the same ones.
"""

from __future__ import annotations

from litestar import delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from reflector_app.container import UnitOfWorkFactory
from reflector_app.http.openapi import AUTH, BODY, documented
from reflector_app.http.parts import Part
from reflector_app.http.schemas import EditOut, EditsOut, MergeIn, ReassignIn, TitleIn, TranscriptOut
from reflector_app.http.transcripts import TAGS, Id
from reflector_core.ports import Clock, ObjectStorage
from reflector_core.recording_sources import RecordingSources
from reflector_core.usecases.editing import edit_history, merge_speakers, reassign_words, set_title
from reflector_core.usecases.transcripts import delete_transcript


@patch(
    "/v1/transcripts/{transcript_id:str}",
    tags=TAGS,
    summary="Set a transcript's title",
    responses=documented(*AUTH, *BODY, 404, 422),
)
async def retitle(
    transcript_id: Id,
    data: JSONBody[TitleIn],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    clock: Part[Clock],
    user: NamedDependency[str],
) -> TranscriptOut:
    transcript = await set_title(transcript_id, data.title, owner=user, unit_of_work=unit_of_work, clock=clock)
    return TranscriptOut.of(transcript)


@post(
    "/v1/transcripts/{transcript_id:str}/merge",
    status_code=200,
    tags=TAGS,
    summary="Merge one speaker into another",
    responses=documented(*AUTH, *BODY, 404, 409, 422),
)
async def merge(
    transcript_id: Id,
    data: JSONBody[MergeIn],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    clock: Part[Clock],
    user: NamedDependency[str],
) -> TranscriptOut:
    transcript = await merge_speakers(
        transcript_id, data.speaker, data.into, owner=user, unit_of_work=unit_of_work, clock=clock
    )
    return TranscriptOut.of(transcript)


@post(
    "/v1/transcripts/{transcript_id:str}/reassign",
    status_code=200,
    tags=TAGS,
    summary="Give a turn or a time range to another speaker",
    responses=documented(*AUTH, *BODY, 404, 409, 422),
)
async def reassign(
    transcript_id: Id,
    data: JSONBody[ReassignIn],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    clock: Part[Clock],
    user: NamedDependency[str],
) -> TranscriptOut:
    transcript = await reassign_words(
        transcript_id,
        data.start,
        data.end,
        data.to,
        only=data.speaker,
        owner=user,
        unit_of_work=unit_of_work,
        clock=clock,
    )
    return TranscriptOut.of(transcript)


@get(
    "/v1/transcripts/{transcript_id:str}/edits",
    tags=TAGS,
    summary="The edit log: who changed what, when",
    responses=documented(*AUTH, 400, 404),
)
async def edits(
    transcript_id: Id, unit_of_work: NamedDependency[UnitOfWorkFactory], user: NamedDependency[str]
) -> EditsOut:
    found = await edit_history(transcript_id, owner=user, unit_of_work=unit_of_work)
    return EditsOut(edits=[EditOut.of(e) for e in found])


@delete(
    "/v1/transcripts/{transcript_id:str}",
    tags=TAGS,
    summary="Delete a transcript, its text and every audio object (audited)",
    responses=documented(*AUTH, 400, 404, 409, 503),
)
async def delete_one(
    transcript_id: Id,
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    sources: Part[RecordingSources],
    transcript_bucket: Part[ObjectStorage],
    clock: Part[Clock],
    user: NamedDependency[str],
) -> None:
    await delete_transcript(
        transcript_id,
        owner=user,
        unit_of_work=unit_of_work,
        sources=sources,
        transcript_bucket=transcript_bucket,
        clock=clock,
    )


handlers = [retitle, merge, reassign, edits, delete_one]
