"""Cutting placed audio into speech chunks: never across a gap, never longer than the limit, cut where it is quiet."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from reflector_adapters.audio.decode import Placed, Samples
from reflector_adapters.audio.probe import MIN_GAP
from reflector_core.errors import InvalidInputError
from reflector_core.timeline import PcmChunk, TrackTimeline

QUIET_WINDOW = 0.1
"""Length of the stretch whose energy decides a cut: about a syllable, so the cut lands between words."""
SEARCH = 5.0
"""How far back from the limit to look for the quietest moment (at most a quarter of the limit)."""
HOP = 0.01


def speech_chunks(
    pieces: Iterable[Placed], timeline: TrackTimeline, *, sample_rate: int, max_chunk: float
) -> Iterator[PcmChunk]:
    chunker = Chunker(timeline, sample_rate=sample_rate, max_chunk=max_chunk)
    for piece in pieces:
        yield from chunker.push(piece)
    yield from chunker.finish()


class Chunker:
    """``speech_chunks`` fed piece by piece (pieces in timeline order, never overlapping)."""

    def __init__(self, timeline: TrackTimeline, *, sample_rate: int, max_chunk: float) -> None:
        self._limit = round(max_chunk * sample_rate)
        if sample_rate <= 0 or self._limit < 1:
            raise InvalidInputError(
                f"need a positive sample rate and chunk length, got {sample_rate} Hz, {max_chunk} s"
            )
        self._rate = sample_rate
        self._min_hole = round(MIN_GAP * sample_rate)
        self._gaps = [(round(g.start * sample_rate), round(g.end * sample_rate)) for g in timeline.gaps]
        self._parts: list[Samples] = []
        self._start = 0
        self._length = 0

    def _spans_gap(self, a: int, b: int) -> bool:
        return b - a >= self._min_hole or any(ga < b and a < gb for ga, gb in self._gaps)

    def push(self, piece: Placed) -> Iterator[PcmChunk]:
        hole = piece.start - (self._start + self._length)
        if self._parts and hole > 0 and self._spans_gap(self._start + self._length, piece.start):
            yield _chunk(self._start, self._rate, self._parts)
            self._parts, self._length = [], 0
        if not self._parts:
            self._start, hole = piece.start, 0
        if hole > 0:
            self._parts.append(np.zeros(hole, dtype=np.float32))  # a lost packet or two: silence, same chunk
        self._parts.append(piece.samples)
        self._length += hole + len(piece.samples)
        while self._length >= self._limit:
            data = np.concatenate(self._parts)
            cut = quiet_cut(data[: self._limit], self._rate)
            yield _chunk(self._start, self._rate, [data[:cut]])
            self._start, self._length = self._start + cut, len(data) - cut
            self._parts = [data[cut:]] if self._length else []

    def finish(self) -> Iterator[PcmChunk]:
        if self._parts:
            yield _chunk(self._start, self._rate, self._parts)
        self._parts, self._length = [], 0


def quiet_cut(data: Samples, sample_rate: int) -> int:
    """Index in ``data`` to cut at: the middle of the quietest ~100 ms near its end (its end if too short)."""
    window = max(1, round(QUIET_WINDOW * sample_rate))
    region = min(round(SEARCH * sample_rate), len(data) // 4)
    if region < window:
        return len(data)
    tail = data[len(data) - region :].astype(np.float64)
    energy = np.concatenate(([0.0], np.cumsum(tail * tail)))
    hop = max(1, round(HOP * sample_rate))
    starts = np.arange(0, region - window + 1, hop)
    sums = energy[starts + window] - energy[starts]
    # Ties (digital silence) go to the latest window, keeping chunks as long as allowed.
    best = int(starts[len(sums) - 1 - int(np.argmin(sums[::-1]))])
    return len(data) - region + best + window // 2


def _chunk(start: int, sample_rate: int, parts: list[Samples]) -> PcmChunk:
    data = parts[0] if len(parts) == 1 else np.concatenate(parts)
    return PcmChunk(start=start / sample_rate, sample_rate=sample_rate, data=data.astype("<f4", copy=False).tobytes())
