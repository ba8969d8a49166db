"""Editing a transcript's speakers: pure changes to the one word list and the participants.

Every export is rendered from the words and participants, so an edit here changes all of them at
once. The same functions replay the edit log onto a fresh pipeline result (see ``replay``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import attrs

from reflector_core.errors import InvalidInputError, NotFoundError
from reflector_core.model import EditKind, Participant, Transcript, TranscriptEdit, Word


def speakers(transcript: Transcript) -> set[int]:
    """Every speaker the transcript knows: named participants and those who said something."""
    return {p.speaker for p in transcript.participants} | {w.speaker for w in transcript.words}


def require_speaker(transcript: Transcript, speaker: int) -> None:
    if speaker not in speakers(transcript):
        raise NotFoundError("speaker", f"{transcript.id}/{speaker}")


def renamed(transcript: Transcript, speaker: int, name: str | None) -> Transcript:
    """``speaker`` called ``name`` (``None``: back to ``Speaker N``)."""
    old = next((p for p in transcript.participants if p.speaker == speaker), Participant(speaker=speaker))
    others = [p for p in transcript.participants if p.speaker != speaker]
    participants = sorted([*others, attrs.evolve(old, name=name)], key=lambda p: p.speaker)
    return attrs.evolve(transcript, participants=tuple(participants))


def merged(transcript: Transcript, speaker: int, into: int) -> Transcript:
    """Every word of ``speaker`` said by ``into``; ``speaker`` leaves the participants (``into`` keeps its name)."""
    if speaker == into:
        raise InvalidInputError("a speaker cannot be merged into itself")
    words = tuple(attrs.evolve(w, speaker=into) if w.speaker == speaker else w for w in transcript.words)
    participants = tuple(p for p in transcript.participants if p.speaker != speaker)
    if into not in {p.speaker for p in participants}:
        participants = tuple(sorted([*participants, Participant(speaker=into)], key=lambda p: p.speaker))
    return attrs.evolve(transcript, words=words, participants=participants)


def in_range(word: Word, start: float, end: float, only: int | None) -> bool:
    """The word's middle lies in [start, end) (and it is ``only``'s, when given)."""
    middle = (word.start + word.end) / 2
    return start <= middle < end and (only is None or word.speaker == only)


def reassigned(transcript: Transcript, start: float, end: float, to: int, *, only: int | None = None) -> Transcript:
    """The words in [``start``, ``end``) (only ``only``'s when given) said by ``to``.

    ``InvalidInputError`` for an empty or negative range, or when no word of another speaker is in it.
    """
    if not 0 <= start < end:
        raise InvalidInputError(f"the range must have 0 <= start < end, got {start}..{end}")
    moved = [in_range(w, start, end, only) and w.speaker != to for w in transcript.words]
    if not any(moved):
        raise InvalidInputError(f"no words of another speaker between {start:.2f} s and {end:.2f} s")
    words = tuple(attrs.evolve(w, speaker=to) if m else w for w, m in zip(transcript.words, moved, strict=True))
    return attrs.evolve(transcript, words=words)


def apply(transcript: Transcript, edit: TranscriptEdit) -> Transcript:
    """One logged edit applied to ``transcript``; raises as the edit itself would (unknown speaker, no words)."""
    if edit.kind is EditKind.TITLE:
        return attrs.evolve(transcript, title=edit.text)
    if edit.kind is EditKind.RENAME:
        speaker = _given(edit.speaker, edit)
        require_speaker(transcript, speaker)
        return renamed(transcript, speaker, edit.text)
    to = _given(edit.to_speaker, edit)
    require_speaker(transcript, to)
    if edit.kind is EditKind.MERGE:
        speaker = _given(edit.speaker, edit)
        require_speaker(transcript, speaker)
        return merged(transcript, speaker, to)
    return reassigned(transcript, _given(edit.start, edit), _given(edit.end, edit), to, only=edit.speaker)


T = TypeVar("T")


def _given(value: T | None, edit: TranscriptEdit) -> T:
    if value is None:
        raise InvalidInputError(f"a {edit.kind.value} edit without all its fields: {edit!r}")
    return value


def replay(transcript: Transcript, edits: Iterable[TranscriptEdit]) -> tuple[Transcript, list[TranscriptEdit]]:
    """The edit log applied in order to a new result; the edits that no longer apply are skipped and returned.

    An edit stops applying when the new result lacks a speaker it names, or has no word of another
    speaker in a reassigned range (the words moved, or that speaker now says them already).
    """
    skipped = []
    for edit in edits:
        try:
            transcript = apply(transcript, edit)
        except (InvalidInputError, NotFoundError):
            skipped.append(edit)
    return transcript, skipped
