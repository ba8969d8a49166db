"""Meeting notes of a transcript: read, edit, regenerate: ``/v1/transcripts/{id}/notes``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from reflector_app.container import UnitOfWorkFactory
from reflector_app.http.openapi import AUTH, BODY, documented
from reflector_core.exports.notes import to_dict
from reflector_core.model import ActionItem, NotesEdits, NotesStatus, TopicEdit, TranscriptNotes
from reflector_core.ports import Clock, JobQueue
from reflector_core.usecases.notes import edit_notes, get_notes, request_notes

TAGS = ["notes"]
Id = Annotated[str, PathParameter(max_length=200)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]


class TopicOut(msgspec.Struct, kw_only=True):
    title: str
    summary: str
    start: float
    end: float


class ActionItemBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
    speaker: Annotated[str, msgspec.Meta(max_length=300)] | None = None
    start: Annotated[float, msgspec.Meta(ge=0)] = 0.0


class NotesOut(msgspec.Struct, kw_only=True):
    transcript_id: str
    status: NotesStatus
    error: str | None
    edited: bool
    """The user changed something; regenerating drops it unless ``keep_edits`` is asked for."""
    updated_at: datetime | None
    title: str | None = None
    short_summary: str | None = None
    long_summary: str | None = None
    topics: list[TopicOut] = msgspec.field(default_factory=list)
    action_items: list[ActionItemBody] = msgspec.field(default_factory=list)
    method: str | None = None
    """``extractive`` or ``llm:<model>``."""

    @classmethod
    def of(cls, stored: TranscriptNotes) -> NotesOut:
        out = cls(
            transcript_id=stored.transcript_id,
            status=stored.status,
            error=stored.error,
            edited=not stored.edits.empty,
            updated_at=stored.updated_at,
        )
        shown = stored.notes
        if shown is None:
            return out
        body = to_dict(shown)
        out.title, out.short_summary, out.long_summary = body["title"], body["short_summary"], body["long_summary"]
        out.topics = [TopicOut(**t) for t in body["topics"]]
        out.action_items = [ActionItemBody(**a) for a in body["action_items"]]
        out.method = shown.method
        return out


class TopicEditBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The topic that starts at ``start`` (as ``GET`` shows it) gets this title and/or summary."""

    start: Annotated[float, msgspec.Meta(ge=0)]
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=300)] | None = None
    summary: Text | None = None


class NotesEdit(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Only the fields given change; ``action_items`` replaces the whole list, ``topics`` edits the topics named."""

    title: Annotated[str, msgspec.Meta(min_length=1, max_length=300)] | None = None
    short_summary: Text | None = None
    long_summary: Text | None = None
    action_items: Annotated[list[ActionItemBody], msgspec.Meta(max_length=200)] | None = None
    topics: Annotated[list[TopicEditBody], msgspec.Meta(max_length=200)] | None = None

    def edits(self) -> NotesEdits:
        items = None
        if self.action_items is not None:
            items = tuple(ActionItem(text=a.text, speaker=a.speaker, start=a.start) for a in self.action_items)
        topics = tuple(TopicEdit(start=t.start, title=t.title, summary=t.summary) for t in self.topics or ())
        return NotesEdits(
            title=self.title,
            short_summary=self.short_summary,
            long_summary=self.long_summary,
            action_items=items,
            topics=topics,
        )


class Regenerate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    keep_edits: bool = False
    """Keep the user's edits over the new notes (default: the new notes replace them)."""


@get(
    "/v1/transcripts/{transcript_id:str}/notes",
    tags=TAGS,
    summary="The meeting notes of a done transcript",
    responses=documented(*AUTH, 400, 404, 409),
)
async def read(
    transcript_id: Id, unit_of_work: NamedDependency[UnitOfWorkFactory], user: NamedDependency[str]
) -> NotesOut:
    return NotesOut.of(await get_notes(transcript_id, owner=user, unit_of_work=unit_of_work))


@patch(
    "/v1/transcripts/{transcript_id:str}/notes",
    tags=TAGS,
    summary="Edit the title, summaries, action items, or a topic's title and summary",
    responses=documented(*AUTH, *BODY, 404, 409, 422),
)
async def edit(
    transcript_id: Id,
    data: JSONBody[NotesEdit],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    clock: NamedDependency[Clock],
    user: NamedDependency[str],
) -> NotesOut:
    stored = await edit_notes(transcript_id, data.edits(), owner=user, unit_of_work=unit_of_work, clock=clock)
    return NotesOut.of(stored)


@post(
    "/v1/transcripts/{transcript_id:str}/notes",
    status_code=202,
    tags=TAGS,
    summary="Write the notes again (the user's edits are dropped unless keep_edits)",
    responses=documented(*AUTH, *BODY, 404, 409, 422, 503),
)
async def regenerate(
    transcript_id: Id,
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    queue: NamedDependency[JobQueue],
    clock: NamedDependency[Clock],
    user: NamedDependency[str],
    data: JSONBody[Regenerate | None] = None,
) -> NotesOut:
    stored = await request_notes(
        transcript_id,
        owner=user,
        keep_edits=data.keep_edits if data else False,
        unit_of_work=unit_of_work,
        queue=queue,
        clock=clock,
    )
    return NotesOut.of(stored)


handlers = [read, edit, regenerate]
