"""Who spoke when in a mixed recording: speaker hints and turns, and giving words their speaker.

The port itself (``Diarizer``) is in ``reflector_core.ports.diarization``.

A mixed file (a Whereby or Daily cloud recording, an upload) has every voice in one track, so the
transcriber cannot know the speaker. The diarizer hears the same audio chunks the transcriber gets
and returns speaker turns; each word then goes to the speaker whose turns cover most of it
(``assign_speakers``), which also settles words straddling a change and overlapped speech (the
dominant, i.e. longest-overlapping, speaker wins).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from attrs import field, frozen

from reflector_core.errors import InvalidInputError
from reflector_core.model import Participant, Word
from reflector_core.timeline import PcmChunk

if TYPE_CHECKING:
    from reflector_core.ports.diarization import DiarizationSession


def _positive_or_none(_inst: object, attr: object, value: int | None) -> None:
    if value is not None and value < 1:
        raise InvalidInputError(f"{getattr(attr, 'name', 'speaker count')} must be at least 1, got {value}")


@frozen
class SpeakerHint:
    """What is known about the number of speakers before listening.

    ``exactly``: the user said so (``reflector process --speakers N``). ``at_most``: the platform
    reported that many distinct participants (some may never speak). Neither: estimate freely.
    """

    exactly: int | None = field(default=None, validator=_positive_or_none)
    at_most: int | None = field(default=None, validator=_positive_or_none)


@frozen(order=True)
class SpeakerTurn:
    """``speaker`` (0-based, in order of first appearance) talks from ``start`` to ``end`` (meeting seconds)."""

    start: float
    end: float
    speaker: int


def assign_speakers(words: Sequence[Word], turns: Sequence[SpeakerTurn]) -> list[Word]:
    """Each word given to the speaker whose turns overlap it most; with no overlap, the nearest turn's.

    Words keep their order. With no turns at all the words are returned unchanged.
    """
    if not turns:
        return list(words)
    ordered = sorted(turns)
    out: list[Word] = list(words)
    first = 0  # turns ending well before a word cannot matter to any later word (visited by start)
    for index in sorted(range(len(words)), key=lambda i: (words[i].start, words[i].end)):
        w = words[index]
        while first < len(ordered) and ordered[first].end < w.start - 30.0:
            first += 1
        share: dict[int, float] = {}
        nearest: tuple[float, int] | None = None
        for t in ordered[first:]:
            if t.start > w.end + 30.0:
                break
            overlap = min(w.end, t.end) - max(w.start, t.start)
            if overlap > 0:
                share[t.speaker] = share.get(t.speaker, 0.0) + overlap
            distance = max(t.start - w.end, w.start - t.end, 0.0)
            if nearest is None or distance < nearest[0]:
                nearest = (distance, t.speaker)
        if share:
            speaker = max(share, key=lambda s: (share[s], -s))
        elif nearest is not None:
            speaker = nearest[1]
        else:
            speaker = _nearest_anywhere(ordered, w)
        out[index] = Word(w.text, w.start, w.end, speaker, w.probability)
    return out


def _nearest_anywhere(turns: Sequence[SpeakerTurn], w: Word) -> int:
    best = min(turns, key=lambda t: max(t.start - w.end, w.start - t.end, 0.0))
    return best.speaker


def renumber(words: Sequence[Word]) -> tuple[list[Word], tuple[Participant, ...]]:
    """Speakers who got words, numbered 0.. in order of their first word and named ``Speaker 1..N``.

    A cluster that kept no word (music, a cough) is not a participant.
    """
    mapping: dict[int, int] = {}
    for w in sorted(words, key=lambda x: (x.start, x.end)):
        mapping.setdefault(w.speaker, len(mapping))
    renamed = [Word(w.text, w.start, w.end, mapping[w.speaker], w.probability) for w in words]
    participants = tuple(Participant(speaker=i, name=f"Speaker {i + 1}") for i in range(len(mapping)))
    return renamed, participants


def listened(chunks: Iterable[PcmChunk], session: DiarizationSession) -> Iterator[PcmChunk]:
    """The chunks, unchanged, each also fed to the diarization session: one decode serves both."""
    for chunk in chunks:
        session.feed(chunk)
        yield chunk


def attribute(words: Sequence[Word], turns: Sequence[SpeakerTurn]) -> tuple[list[Word], tuple[Participant, ...]]:
    """Words with diarized speakers, and one participant per speaker that kept a word.

    No turns (the diarizer heard no voice it could embed) but words: one speaker, ``Speaker 1``.
    """
    return renumber(assign_speakers(words, turns) if turns else [_as_speaker(w, 0) for w in words])


def _as_speaker(w: Word, speaker: int) -> Word:
    return Word(w.text, w.start, w.end, speaker, w.probability)
