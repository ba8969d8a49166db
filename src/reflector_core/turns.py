"""Words of many tracks → speaker turns a person can read.

Each track's words already carry their speaker, so there is no diarization here, only layout.
A turn is one speaker's run of words; turns of different speakers may overlap in time (people
talk over each other) but are never interleaved word by word, which makes overlapping speech
unreadable (the reference system learnt this the hard way).
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence

from attrs import frozen

from reflector_core.model import Word

SENTENCE_END = (".", "?", "!", "…")


@frozen
class Turn:
    speaker: int
    words: tuple[Word, ...]

    @property
    def start(self) -> float:
        return self.words[0].start

    @property
    def end(self) -> float:
        return max(w.end for w in self.words)

    @property
    def text(self) -> str:
        return join_words(w.text for w in self.words)


def join_words(texts: Iterable[str]) -> str:
    """Join word texts; Whisper words usually carry their leading space, plain words do not."""
    out = ""
    for t in texts:
        if not out:
            out = t.strip()
        elif t[:1].isspace():
            out += " " + t.strip()
        elif t[:1] in ",.;:!?%)" or t.startswith("'"):
            out += t.strip()
        else:
            out += " " + t.strip()
    return out


def sort_words(words: Iterable[Word]) -> list[Word]:
    return sorted(words, key=lambda w: (w.start, w.end, w.speaker))


def merge_turns(
    words: Iterable[Word],
    *,
    max_pause: float = 2.0,
    max_turn: float = 30.0,
) -> list[Turn]:
    """Group each speaker's consecutive words into turns, ordered by start time.

    A speaker's run breaks when
    - they pause longer than ``max_pause`` seconds,
    - another speaker's word sits mostly inside the pause (someone answered in between; a word that
      merely overlaps a short breath while both talk does not split anyone), or
    - the turn is already ``max_turn`` seconds long and the word ends a sentence.
    """
    by_speaker: dict[int, list[Word]] = defaultdict(list)
    for w in sort_words(words):
        by_speaker[w.speaker].append(w)
    others_of: dict[int, list[Word]] = {
        s: sort_words(w for o, ws in by_speaker.items() if o != s for w in ws) for s in by_speaker
    }

    turns: list[Turn] = []
    for speaker, ws in by_speaker.items():
        others = others_of[speaker]
        starts = [w.start for w in others]
        current: list[Word] = [ws[0]]
        for prev, w in itertools.pairwise(ws):
            pause_start, pause_end = max(x.end for x in current), w.start
            long_enough = w.start - current[0].start >= max_turn and prev.text.rstrip().endswith(SENTENCE_END)
            if (
                pause_end - pause_start > max_pause
                or long_enough
                or _answered_in(others, starts, pause_start, pause_end)
            ):
                turns.append(Turn(speaker, tuple(current)))
                current = []
            current.append(w)
        turns.append(Turn(speaker, tuple(current)))
    turns.sort(key=lambda t: (t.start, t.speaker, t.end))
    return turns


_LONGEST_WORD = 5.0  # seconds; bounds the look-back for words that started before the pause
_BREATH = 0.25  # seconds; a shorter pause is a breath inside speech, not room for an answer


def _answered_in(others: Sequence[Word], starts: Sequence[float], lo: float, hi: float) -> bool:
    """Whether another speaker has a word at least half inside the pause ``lo..hi``."""
    if hi - lo < _BREATH:
        return False
    for w in others[bisect_left(starts, lo - _LONGEST_WORD) :]:
        if w.start >= hi:
            return False
        inside = min(w.end, hi) - max(w.start, lo)
        if inside > 0.5 * (w.end - w.start):
            return True
    return False
