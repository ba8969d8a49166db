"""Meeting notes as the JSON object other tools read, and as ``notes.md`` for people.

The JSON shape is an interface: ``{"title", "short_summary", "long_summary", "topics": [{"title",
"summary", "start", "end"}], "action_items": [{"text", "speaker", "start"}], "method"}``.
"""

from __future__ import annotations

from typing import Any

from reflector_core.errors import InvalidInputError
from reflector_core.model import ActionItem, MeetingNotes, Topic, TranscriptNotes


def to_dict(notes: MeetingNotes) -> dict[str, Any]:
    return {
        "title": notes.title,
        "short_summary": notes.short_summary,
        "long_summary": notes.long_summary,
        "topics": [
            {"title": t.title, "summary": t.summary, "start": round(t.start, 3), "end": round(t.end, 3)}
            for t in notes.topics
        ],
        "action_items": [item_dict(a) for a in notes.action_items],
        "method": notes.method,
    }


def item_dict(item: ActionItem) -> dict[str, Any]:
    return {"text": item.text, "speaker": item.speaker, "start": round(item.start, 3)}


def _text(raw: dict[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str):
        raise InvalidInputError(f"{where}: {key!r} must be a string")
    return value


def _number(raw: dict[str, Any], key: str, where: str) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(f"{where}: {key!r} must be a number")
    return float(value)


def item_from_dict(raw: Any, where: str = "action item") -> ActionItem:
    if not isinstance(raw, dict):
        raise InvalidInputError(f"{where}: expected an object")
    speaker = raw.get("speaker")
    if speaker is not None and not isinstance(speaker, str):
        raise InvalidInputError(f"{where}: 'speaker' must be a string or null")
    return ActionItem(text=_text(raw, "text", where), speaker=speaker, start=_number(raw, "start", where))


def from_dict(raw: Any) -> MeetingNotes:
    """The inverse of ``to_dict`` (stored notes, a ``transcript.json`` read back); ``InvalidInputError`` otherwise."""
    if not isinstance(raw, dict):
        raise InvalidInputError("notes: expected an object")
    topics = raw.get("topics") or []
    items = raw.get("action_items") or []
    if not isinstance(topics, list) or not isinstance(items, list):
        raise InvalidInputError("notes: 'topics' and 'action_items' must be lists")
    return MeetingNotes(
        title=_text(raw, "title", "notes"),
        short_summary=_text(raw, "short_summary", "notes"),
        long_summary=_text(raw, "long_summary", "notes"),
        topics=tuple(
            Topic(
                title=_text(t, "title", f"topic {i}"),
                summary=_text(t, "summary", f"topic {i}"),
                start=_number(t, "start", f"topic {i}"),
                end=_number(t, "end", f"topic {i}"),
            )
            if isinstance(t, dict)
            else _bad(f"topic {i}")
            for i, t in enumerate(topics)
        ),
        action_items=tuple(item_from_dict(a, f"action item {i}") for i, a in enumerate(items)),
        method=_text(raw, "method", "notes"),
    )


def _bad(where: str) -> Topic:
    raise InvalidInputError(f"{where}: expected an object")


def clock(seconds: float) -> str:
    """``H:MM:SS`` or ``M:SS``: how a reader finds the moment in the player."""
    total = max(0, int(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def render_markdown(notes: MeetingNotes) -> str:
    extractive = notes.method == "extractive"
    lines = [f"# {notes.title}", ""]
    if extractive:
        lines += [
            "_Extractive notes: every summary sentence and action item is quoted from the meeting; "
            "no language model wrote them._",
            "",
        ]
    else:
        lines += [f"_Written by a language model ({notes.method.removeprefix('llm:')})._", ""]
    lines += ["## Summary", "", notes.short_summary, ""]
    if notes.long_summary and notes.long_summary != notes.short_summary:
        lines += [notes.long_summary, ""]
    if notes.action_items:
        lines += ["## Action items", ""]
        for item in notes.action_items:
            owner = f"**{item.speaker}**: " if item.speaker else ""
            lines.append(f"- [ ] {owner}{item.text} ({clock(item.start)})")
        lines.append("")
    if notes.topics:
        lines += ["## Topics", ""]
        for topic in notes.topics:
            lines += [f"### {clock(topic.start)}–{clock(topic.end)} {topic.title}", "", topic.summary, ""]
    return "\n".join(lines).rstrip() + "\n"


def notes_dict(stored: TranscriptNotes | None) -> dict[str, Any] | None:
    """The notes as readers get them (edits applied) plus the stage's state; ``None`` when never started."""
    if stored is None:
        return None
    shown = stored.notes
    body: dict[str, Any] = to_dict(shown) if shown is not None else {}
    body["status"] = stored.status.value
    body["error"] = stored.error
    body["edited"] = not stored.edits.empty
    return body
