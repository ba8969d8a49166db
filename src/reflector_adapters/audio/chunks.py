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
    limit = round(max_chunk * sample_rate)
    if sample_rate <= 0 or limit < 1:
        raise InvalidInputError(f"need a positive sample rate and chunk length, got {sample_rate} Hz, {max_chunk} s")
    min_hole = round(MIN_GAP * sample_rate)
    gaps = [(round(g.start * sample_rate), round(g.end * sample_rate)) for g in timeline.gaps]
    parts: list[Samples] = []
    start = 0
    length = 0

    def spans_gap(a: int, b: int) -> bool:
        return b - a >= min_hole or any(ga < b and a < gb for ga, gb in gaps)

    for piece in pieces:
        hole = piece.start - (start + length)
        if parts and hole > 0 and spans_gap(start + length, piece.start):
            yield _chunk(start, sample_rate, parts)
            parts, length = [], 0
        if not parts:
            start, hole = piece.start, 0
        if hole > 0:
            parts.append(np.zeros(hole, dtype=np.float32))  # a lost packet or two: silence, same chunk
        parts.append(piece.samples)
        length += hole + len(piece.samples)
        while length >= limit:
            data = np.concatenate(parts)
            cut = quiet_cut(data[:limit], sample_rate)
            yield _chunk(start, sample_rate, [data[:cut]])
            start, length = start + cut, len(data) - cut
            parts = [data[cut:]] if length else []
    if parts:
        yield _chunk(start, sample_rate, parts)


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
