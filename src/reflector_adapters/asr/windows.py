"""Packing speech regions into decoder windows, and mapping window times back to the meeting.

Whisper always encodes 30 s. Decoding each VAD region on its own would pay a whole window for a
two-second sentence; instead consecutive regions of one speaker are packed into one window, with a
short silence between them so the decoder hears where one utterance ends, and every word time is
mapped back through the piece it fell in.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator

import numpy as np
from attrs import field, frozen


@frozen
class Piece:
    """One speech region inside a window."""

    offset: int
    """First sample of the region inside the window."""
    length: int
    meeting_start: float
    """Meeting-timeline second of the region's first sample."""

    @property
    def end(self) -> int:
        return self.offset + self.length


@frozen
class Window:
    audio: np.ndarray = field(repr=lambda a: f"<{a.size} samples>")
    pieces: tuple[Piece, ...]
    sample_rate: int

    @property
    def duration(self) -> float:
        return self.audio.size / self.sample_rate

    def piece_at(self, seconds: float) -> int:
        """Index of the piece containing ``seconds`` (window time), or of the nearest one after it."""
        sample = seconds * self.sample_rate
        ends = [p.end for p in self.pieces]
        return min(bisect.bisect_right(ends, sample), len(self.pieces) - 1)

    def piece_of(self, start: float, end: float) -> int:
        """Index of the piece a word from ``start`` to ``end`` (window time) belongs to.

        The piece it overlaps most, the one it starts in on a tie. Whisper often starts the first
        word after a pause a few tenths early, inside the previous region's trailing padding; by its
        start alone such a word would be given to the previous utterance and squeezed onto its end.
        A word wholly inside a splice belongs to the piece after it.
        """
        first = self.piece_at(start)
        best, most = first, self._overlap(first, start, end)
        sr = self.sample_rate
        for i in range(first + 1, len(self.pieces)):
            if self.pieces[i].offset / sr >= end:
                break
            overlap = self._overlap(i, start, end)
            if overlap > most + 1e-3:  # a tie (to the millisecond) stays with the first
                best, most = i, overlap
        return best

    def _overlap(self, index: int, start: float, end: float) -> float:
        p, sr = self.pieces[index], self.sample_rate
        return min(end, p.end / sr) - max(start, p.offset / sr)

    def to_meeting(self, start: float, end: float) -> tuple[float, float]:
        """Meeting-timeline times of a word spoken from ``start`` to ``end`` seconds into the window.

        Both ends are mapped through the piece the word belongs to (``piece_of``) and clamped to
        it: a word cannot span the joining silence, which is not a real pause but a splice.
        """
        piece = self.pieces[self.piece_of(start, end)]
        sr = self.sample_rate
        lo, hi = piece.offset / sr, piece.end / sr
        s = min(max(start, lo), hi)
        e = min(max(end, s), hi)
        return piece.meeting_start + (s - lo), piece.meeting_start + (e - lo)

    def piece_audio(self, index: int) -> np.ndarray:
        p = self.pieces[index]
        return self.audio[p.offset : p.end]


class WindowPacker:
    """Collects speech regions and hands out windows of at most ``max_seconds``."""

    def __init__(self, *, max_seconds: float, sample_rate: int, join_silence: float) -> None:
        self._max = int(max_seconds * sample_rate)
        self._join = np.zeros(int(join_silence * sample_rate), dtype=np.float32)
        self._rate = sample_rate
        self._parts: list[np.ndarray] = []
        self._pieces: list[Piece] = []
        self._size = 0

    def add(self, samples: np.ndarray, meeting_start: float) -> Iterator[Window]:
        """Add one region; yields the window it closed, if any. Over-long regions are cut."""
        step = self._max
        for i in range(0, samples.size, step):
            part = samples[i : i + step]
            needed = part.size + (self._join.size if self._parts else 0)
            if self._size + needed > self._max:
                window = self.flush()
                if window is not None:
                    yield window
            if self._parts:
                self._parts.append(self._join)
                self._size += self._join.size
            self._pieces.append(Piece(self._size, part.size, meeting_start + i / self._rate))
            self._parts.append(part)
            self._size += part.size

    def flush(self) -> Window | None:
        if not self._pieces:
            return None
        window = Window(np.concatenate(self._parts), tuple(self._pieces), self._rate)
        self._parts, self._pieces, self._size = [], [], 0
        return window
