"""``/transcripts/{id}``: the reader. Turns are server-rendered (readable without JavaScript);
``reader.js`` adds the player, waveform, follow-along highlight, click-to-seek and the keyboard.

Long meetings stay light: each turn is one text node until it comes near the viewport or plays;
the words' times travel once, as JSON inside the page, and become ``<span>``s only for those turns.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import OrderedDict
from typing import Annotated, Any

from attrs import frozen
from jinja2.utils import htmlsafe_json_dumps
from litestar import get
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter
from litestar.response import Template
from markupsafe import Markup

from reflector_app.container import UnitOfWorkFactory
from reflector_app.web.editing import describe_edit
from reflector_app.web.pages import HTML, PAGE
from reflector_core.errors import NotFoundError
from reflector_core.model import MeetingNotes, Participant, Transcript, TranscriptStatus
from reflector_core.turns import Turn, merge_turns
from reflector_core.usecases.access import readable_transcript
from reflector_core.usecases.editing import edit_history
from reflector_core.usecases.library import LibraryEntry, describe
from reflector_core.usecases.sharing import sharing_of

SPEAKER_COLOURS = ("#1f5fbf", "#a4262c", "#1e6b35", "#7a4d00", "#6b2fa0", "#00626b", "#9c2b6e", "#4a5a12")
"""Each passes WCAG AA (≥ 4.5:1) as text on white."""

Id = Annotated[str, PathParameter(max_length=200)]


@frozen
class Speaker:
    speaker: int
    label: str
    colour: str


def clock(seconds: float) -> str:
    whole = int(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def speakers_of(transcript: Transcript) -> dict[int, Speaker]:
    known = {p.speaker: p for p in transcript.participants}
    ids = sorted(set(known) | {w.speaker for w in transcript.words})
    return {
        s: Speaker(s, known.get(s, Participant(speaker=s)).label, SPEAKER_COLOURS[i % len(SPEAKER_COLOURS)])
        for i, s in enumerate(ids)
    }


def word_times(turns: list[Turn]) -> list[list[list[Any]]]:
    """Per turn, ``[start, end, text]`` per word (centiseconds are plenty for a highlight)."""
    return [[[round(w.start, 2), round(w.end, 2), w.text] for w in t.words] for t in turns]


@frozen
class Layout:
    turns: list[Turn]
    words_json: Markup
    """``word_times`` as JSON that is safe inside a ``<script>`` element."""


_LAYOUTS: OrderedDict[tuple[str, int], Layout] = OrderedDict()
LAYOUT_CACHE = 16
"""Recently read transcripts whose turns are kept: merging 20,000 words into turns costs ~0.5 s."""


def layout(transcript: Transcript) -> Layout:
    """Turns and word times of a done transcript, cached by its words (an edit changes the key)."""
    key = (transcript.id or "", hash(transcript.words))
    found = _LAYOUTS.get(key)
    if found is None:
        turns = merge_turns(transcript.words)
        found = Layout(turns, htmlsafe_json_dumps(word_times(turns)))
        _LAYOUTS[key] = found
        while len(_LAYOUTS) > LAYOUT_CACHE:
            _LAYOUTS.popitem(last=False)
    _LAYOUTS.move_to_end(key)
    return found


def topic_links(notes: MeetingNotes | None, turns: list[Turn]) -> list[dict[str, Any]]:
    """The notes' topics for the side list: each links to the first turn at or after its start."""
    if notes is None:
        return []
    starts = [t.start for t in turns]
    links = []
    for topic in notes.topics:
        i = min(bisect_left(starts, topic.start - 0.01), max(0, len(starts) - 1))
        links.append({"title": topic.title, "summary": topic.summary, "start": topic.start, "turn": i})
    return links


def reader_context(
    entry: LibraryEntry, viewer: str | None, *, base: str, notes: MeetingNotes | None = None
) -> dict[str, Any]:
    transcript = entry.transcript
    done = transcript.status is TranscriptStatus.DONE
    shape = layout(transcript) if done else Layout([], Markup("[]"))
    return {
        "title": entry.title,
        "viewer": viewer,
        "entry": entry,
        "t": transcript,
        "done": done,
        "turns": shape.turns,
        "speakers": speakers_of(transcript),
        "words_json": shape.words_json,
        "clock": clock,
        "base": base,
        "audio": transcript.audio_location is not None and not transcript.audio_deleted,
        "notes": notes,
        "topics": topic_links(notes, shape.turns),
    }


async def load_reader_context(
    transcript: Transcript, viewer: str | None, *, base: str, unit_of_work: UnitOfWorkFactory
) -> dict[str, Any]:
    """``reader_context`` with the library entry and the notes read; the caller has checked access."""
    entry = await describe(transcript, unit_of_work=unit_of_work)
    async with unit_of_work() as uow:
        stored = await uow.notes.get(transcript.id or "")
    return reader_context(entry, viewer, base=base, notes=stored.notes if stored is not None else None)


@get("/transcripts/{transcript_id:str}", opt=PAGE, include_in_schema=False)
async def reader_page(
    transcript_id: Id,
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    viewer: NamedDependency[str],
    turn: Annotated[int | None, QueryParameter(ge=0, le=1_000_000)] = None,
) -> Template:
    """``?turn=N`` fills the reassign form with turn N (the turn's "reassign" link, without JavaScript)."""
    return await render_reader(transcript_id, viewer, unit_of_work, turn=turn)


async def _edit_context(
    transcript_id: str, viewer: str, unit_of_work: UnitOfWorkFactory, context: dict[str, Any], turn: int | None
) -> None:
    """The owner's edit panel: the edit history, and the reassign form filled from ``turn``."""
    labels = {s: sp.label for s, sp in context["speakers"].items()}
    history = await edit_history(transcript_id, owner=viewer, unit_of_work=unit_of_work)
    context["edits"] = [(e, describe_edit(e, labels)) for e in reversed(history)]
    turns: list[Turn] = context["turns"]
    picked = turns[turn] if turn is not None and turn < len(turns) else None
    context["reassign"] = (
        {"start": f"{picked.start:.2f}", "end": f"{picked.end:.2f}", "speaker": picked.speaker, "turn": turn}
        if picked
        else None
    )


async def render_reader(
    transcript_id: str,
    viewer: str,
    unit_of_work: UnitOfWorkFactory,
    *,
    new_link: str | None = None,
    turn: int | None = None,
    share_error: str | None = None,
) -> Template:
    """The reader for ``viewer`` (the owner, or a user it is shared with: read-only, no share controls)."""
    transcript = await readable_transcript(transcript_id, viewer, unit_of_work=unit_of_work)
    context = await load_reader_context(
        transcript, viewer, base=f"/v1/transcripts/{transcript_id}", unit_of_work=unit_of_work
    )
    try:
        context["sharing"] = await sharing_of(transcript_id, owner=viewer, unit_of_work=unit_of_work)
    except NotFoundError:  # shared with the viewer: they read, only the owner shares or edits
        context["sharing"] = None
    context["owner_view"] = context["sharing"] is not None
    if context["owner_view"]:
        await _edit_context(transcript_id, viewer, unit_of_work, context, turn)
    context["new_link"] = new_link
    context["share_error"] = share_error
    return Template(template_name="reader.html", context=context, media_type=HTML)


handlers = [reader_page]
