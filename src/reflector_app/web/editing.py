"""The reader's edit forms: title, speakers (rename, merge), reassigning words, deleting.

Plain forms posting back here, answered with a redirect to the reader; ``reader.js`` only fills the
reassign form from a selected stretch of text or a turn. The same use cases as the JSON routes
(``http/editing.py``); this module only reads form fields into their arguments.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.params import PathParameter
from litestar.response import Redirect

from reflector_app.container import UnitOfWorkFactory
from reflector_app.web.pages import PAGE
from reflector_core.errors import InvalidInputError
from reflector_core.model import EditKind, TranscriptEdit
from reflector_core.ports import Clock, ObjectStorage
from reflector_core.recording_sources import RecordingSources
from reflector_core.usecases.editing import merge_speakers, reassign_words, rename_speaker, set_title
from reflector_core.usecases.transcripts import delete_transcript

Id = Annotated[str, PathParameter(max_length=200)]


def seconds(raw: str, what: str) -> float:
    """``75``, ``75.5``, ``1:15`` or ``1:01:15`` as seconds."""
    try:
        parts = [float(p) for p in raw.strip().split(":")]
    except ValueError:
        raise InvalidInputError(f"{what}: not a time: {raw[:40]!r} (write 75, 1:15 or 1:01:15)") from None
    if not 1 <= len(parts) <= 3 or any(p < 0 for p in parts):
        raise InvalidInputError(f"{what}: not a time: {raw[:40]!r} (write 75, 1:15 or 1:01:15)")
    total = 0.0
    for p in parts:
        total = total * 60 + p
    return total


def number(form: FormMultiDict, name: str) -> int:
    raw = str(form.get(name) or "").strip()
    if not raw.isdigit() or len(raw) > 6:
        raise InvalidInputError(f"{name}: choose a speaker")
    return int(raw)


def describe_edit(edit: TranscriptEdit, label: dict[int, str]) -> str:
    """One line of the reader's edit history (speakers by their current label)."""

    def who(s: int | None) -> str:
        return "anyone" if s is None else label.get(s, f"Speaker {s}")

    if edit.kind is EditKind.TITLE:
        return f"set the title to “{edit.text}”" if edit.text else "reset the title"
    if edit.kind is EditKind.RENAME:
        return f"named speaker {edit.speaker} “{edit.text}”" if edit.text else f"reset speaker {edit.speaker}'s name"
    if edit.kind is EditKind.MERGE:
        return f"merged speaker {edit.speaker} into {who(edit.to_speaker)}"
    span = f"{edit.start or 0:.1f}–{edit.end or 0:.1f} s"
    whose = "" if edit.speaker is None else f" of {who(edit.speaker)}"
    return f"gave the words{whose} at {span} to {who(edit.to_speaker)}"


@post("/transcripts/{transcript_id:str}/title", opt=PAGE, include_in_schema=False)
async def title_form(
    transcript_id: Id,
    request: Request[Any, Any, Any],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    clock: NamedDependency[Clock],
    viewer: NamedDependency[str],
) -> Redirect:
    form = await request.form()
    await set_title(transcript_id, str(form.get("title") or ""), owner=viewer, unit_of_work=unit_of_work, clock=clock)
    return Redirect(f"/transcripts/{transcript_id}", status_code=303)


@post("/transcripts/{transcript_id:str}/speakers", opt=PAGE, include_in_schema=False)
async def speakers_form(
    transcript_id: Id,
    request: Request[Any, Any, Any],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    clock: NamedDependency[Clock],
    viewer: NamedDependency[str],
) -> Redirect:
    """``action=rename`` with ``speaker`` and ``name``; ``action=merge`` with ``speaker`` and ``into``."""
    form = await request.form()
    kw: dict[str, Any] = {"owner": viewer, "unit_of_work": unit_of_work, "clock": clock}
    speaker = number(form, "speaker")
    if form.get("action") == "merge":
        await merge_speakers(transcript_id, speaker, number(form, "into"), **kw)
    else:
        name = str(form.get("name") or "").strip()
        await rename_speaker(transcript_id, speaker, name or None, **kw)
    return Redirect(f"/transcripts/{transcript_id}#edit", status_code=303)


@post("/transcripts/{transcript_id:str}/reassign", opt=PAGE, include_in_schema=False)
async def reassign_form(
    transcript_id: Id,
    request: Request[Any, Any, Any],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    clock: NamedDependency[Clock],
    viewer: NamedDependency[str],
) -> Redirect:
    """``start`` and ``end`` (seconds or m:ss), ``to``, and ``speaker`` (blank: anyone's words)."""
    form = await request.form()
    start, end = seconds(str(form.get("start") or ""), "start"), seconds(str(form.get("end") or ""), "end")
    only = number(form, "speaker") if str(form.get("speaker") or "").strip() else None
    await reassign_words(
        transcript_id, start, end, number(form, "to"), only=only, owner=viewer, unit_of_work=unit_of_work, clock=clock
    )
    # Back at the same place: ``?t=`` puts the player (and the view) where the edit was.
    return Redirect(f"/transcripts/{transcript_id}?t={start:.2f}", status_code=303)


@post("/transcripts/{transcript_id:str}/delete", opt=PAGE, include_in_schema=False)
async def delete_form(
    transcript_id: Id,
    request: Request[Any, Any, Any],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    sources: NamedDependency[RecordingSources],
    transcript_bucket: NamedDependency[ObjectStorage],
    clock: NamedDependency[Clock],
    viewer: NamedDependency[str],
) -> Redirect:
    form = await request.form()
    if form.get("confirm") != "yes":
        raise InvalidInputError("tick the box to confirm: deleting cannot be undone")
    await delete_transcript(
        transcript_id,
        owner=viewer,
        unit_of_work=unit_of_work,
        sources=sources,
        transcript_bucket=transcript_bucket,
        clock=clock,
    )
    return Redirect("/?deleted=1", status_code=303)


handlers = [title_form, speakers_form, reassign_form, delete_form]
