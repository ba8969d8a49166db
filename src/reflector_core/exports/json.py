"""The JSON transcript: every word with start, end and speaker, plus who each speaker is (and the notes, when written)."""

from __future__ import annotations

import json as _json
import math
from collections.abc import Sequence
from typing import Any

from reflector_core.errors import CaptionParseError, WordError
from reflector_core.exports import notes as notes_export
from reflector_core.exports.cues import cues_from_turns
from reflector_core.model import MeetingNotes, Participant, TrackFailure, Word
from reflector_core.turns import Turn, merge_turns


def to_dict(
    words: Sequence[Word],
    participants: Sequence[Participant],
    *,
    duration: float | None = None,
    failed_tracks: Sequence[TrackFailure] = (),
    language: str | None = None,
    notes: MeetingNotes | None = None,
) -> dict[str, Any]:
    turns: list[Turn] = merge_turns(words)
    body: dict[str, Any] = {
        "duration": None if duration is None else round(duration, 3),
        "language": language,
        "participants": [
            {"speaker": p.speaker, "participant_id": p.participant_id, "name": p.name}
            for p in sorted(participants, key=lambda p: p.speaker)
        ],
        "words": [
            {"text": w.text.strip(), "start": round(w.start, 3), "end": round(w.end, 3), "speaker": w.speaker}
            for t in turns
            for w in t.words
        ],
        "turns": [
            {"speaker": t.speaker, "label": c.speaker, "start": c.start, "end": c.end, "text": c.text}
            for t, c in zip(turns, cues_from_turns(turns, participants), strict=True)
        ],
        "failed_tracks": [{"track": f.track, "reason": f.reason} for f in failed_tracks],
    }
    if notes is not None:
        body["notes"] = notes_export.to_dict(notes)
    return body


def render(
    words: Sequence[Word],
    participants: Sequence[Participant],
    *,
    duration: float | None = None,
    failed_tracks: Sequence[TrackFailure] = (),
    language: str | None = None,
    notes: MeetingNotes | None = None,
) -> str:
    data = to_dict(words, participants, duration=duration, failed_tracks=failed_tracks, language=language, notes=notes)
    return _json.dumps(data, ensure_ascii=False, indent=1)


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise CaptionParseError("JSON", f"{what} must be a finite number, got {value!r}")
    return float(value)


def parse(text: str) -> tuple[list[Word], list[Participant]]:
    try:
        data = _json.loads(text)
    except ValueError as exc:
        raise CaptionParseError("JSON", str(exc)) from exc
    if not isinstance(data, dict) or not isinstance(data.get("words"), list):
        raise CaptionParseError("JSON", "expected an object with a 'words' list")
    words: list[Word] = []
    for i, raw in enumerate(data["words"]):
        if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
            raise CaptionParseError("JSON", f"word {i} needs a text")
        speaker = raw.get("speaker", 0)
        if isinstance(speaker, bool) or not isinstance(speaker, int):
            raise CaptionParseError("JSON", f"word {i}: speaker must be an integer")
        try:
            words.append(Word(raw["text"], _number(raw.get("start"), "start"), _number(raw.get("end"), "end"), speaker))
        except WordError as exc:
            raise CaptionParseError("JSON", f"word {i}: {exc}") from exc
    participants: list[Participant] = []
    for i, raw in enumerate(data.get("participants") or []):
        if not isinstance(raw, dict) or isinstance(raw.get("speaker"), bool) or not isinstance(raw.get("speaker"), int):
            raise CaptionParseError("JSON", f"participant {i} needs an integer speaker")
        pid, name = raw.get("participant_id"), raw.get("name")
        if not (pid is None or isinstance(pid, str)) or not (name is None or isinstance(name, str)):
            raise CaptionParseError("JSON", f"participant {i}: participant_id and name must be strings")
        participants.append(Participant(speaker=raw["speaker"], participant_id=pid, name=name))
    return words, participants
