"""The library: an owner's transcripts with what a person recognises them by (room, date, people).

Read-only; the same ``TranscriptFilter`` the JSON list takes, scoped to the owner (a user or a key's owner).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import attrs
from attrs import frozen

from reflector_core.model import Platform, Transcript
from reflector_core.ports import Page, TranscriptFilter, UnitOfWork


@frozen
class LibraryEntry:
    transcript: Transcript
    room: str | None = None
    started_at: datetime | None = None
    """The meeting's start (the transcript's creation time when no meeting is known)."""
    owner: str | None = None
    """Whose it is (the room's owner, or the uploader): a reader who is not the owner reads a shared one."""
    upload_title: str | None = None

    @property
    def title(self) -> str:
        """The title a person gave it, else ``default_title``."""
        return self.transcript.title or self.default_title

    @property
    def default_title(self) -> str:
        """The room and the date, e.g. ``standup · 2026-03-12 14:00``."""
        when = self.started_at or self.transcript.created_at
        date = when.strftime("%Y-%m-%d %H:%M") if when else ""
        return " · ".join(p for p in (self.upload_title or self.room or "Meeting", date) if p)

    @property
    def speakers(self) -> tuple[str, ...]:
        return tuple(p.label for p in self.transcript.participants)


async def describe(transcript: Transcript, *, unit_of_work: Callable[[], UnitOfWork]) -> LibraryEntry:
    async with unit_of_work() as uow:
        return await entry_of(uow, transcript)


async def entry_of(uow: UnitOfWork, transcript: Transcript) -> LibraryEntry:
    recording = await uow.recordings.get(transcript.recording_id)
    meeting = await uow.meetings.get(recording.meeting_id) if recording and recording.meeting_id else None
    room = await uow.rooms.get(meeting.room_name) if meeting and meeting.room_name else None
    upload = recording is not None and recording.platform is Platform.UPLOAD
    return LibraryEntry(
        transcript=transcript,
        room=meeting.room_name if meeting else None,
        started_at=(meeting.start if meeting else None) or (recording.started_at if recording else None),
        owner=room.owner if room else (recording.owner if recording else None),
        upload_title=(recording.platform_room_name or "Upload") if upload and recording else None,
    )


async def library(
    owner: str, flt: TranscriptFilter, *, offset: int, limit: int, unit_of_work: Callable[[], UnitOfWork]
) -> Page[LibraryEntry]:
    """The owner's transcripts and those shared with them by name, matching ``flt``, newest first."""
    scoped = attrs.evolve(flt, owner=None, viewer=owner)
    async with unit_of_work() as uow:
        page = await uow.transcripts.list(scoped, offset=offset, limit=limit)
        items = tuple([await entry_of(uow, t) for t in page.items])
    return Page(items=items, total=page.total, offset=page.offset, limit=page.limit)
