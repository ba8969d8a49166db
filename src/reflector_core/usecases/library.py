"""The library: an owner's transcripts with what a person recognises them by (room, date, people).

Read-only; the same ``TranscriptFilter`` the JSON list takes, scoped to the owner (a user or a key's owner).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import attrs
from attrs import frozen

from reflector_core.model import Transcript
from reflector_core.ports import Page, TranscriptFilter, UnitOfWork


@frozen
class LibraryEntry:
    transcript: Transcript
    room: str | None = None
    started_at: datetime | None = None
    """The meeting's start (the transcript's creation time when no meeting is known)."""

    @property
    def title(self) -> str:
        """The room and the date, e.g. ``standup · 2026-03-12 14:00``."""
        when = self.started_at or self.transcript.created_at
        date = when.strftime("%Y-%m-%d %H:%M") if when else ""
        return " · ".join(p for p in (self.room or "Meeting", date) if p)

    @property
    def speakers(self) -> tuple[str, ...]:
        return tuple(p.label for p in self.transcript.participants)


async def describe(transcript: Transcript, *, unit_of_work: Callable[[], UnitOfWork]) -> LibraryEntry:
    async with unit_of_work() as uow:
        return await entry_of(uow, transcript)


async def entry_of(uow: UnitOfWork, transcript: Transcript) -> LibraryEntry:
    recording = await uow.recordings.get(transcript.recording_id)
    meeting = await uow.meetings.get(recording.meeting_id) if recording and recording.meeting_id else None
    return LibraryEntry(
        transcript=transcript,
        room=meeting.room_name if meeting else None,
        started_at=(meeting.start if meeting else None) or (recording.started_at if recording else None),
    )


async def library(
    owner: str, flt: TranscriptFilter, *, offset: int, limit: int, unit_of_work: Callable[[], UnitOfWork]
) -> Page[LibraryEntry]:
    """The owner's transcripts matching ``flt``, newest first (``flt.owner`` is forced to ``owner``)."""
    scoped = attrs.evolve(flt, owner=owner)
    async with unit_of_work() as uow:
        page = await uow.transcripts.list(scoped, offset=offset, limit=limit)
        items = tuple([await entry_of(uow, t) for t in page.items])
    return Page(items=items, total=page.total, offset=page.offset, limit=page.limit)
