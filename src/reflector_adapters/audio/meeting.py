"""A whole meeting's speech audio in one pass: every track decoded once, side by side, crosstalk removed.

The tracks are read in lockstep, one block of the meeting timeline at a time (as the mixdown reads
them). Each block goes through the crosstalk analysis (``crosstalk.py``), which decides the block
before it; that block's leaked frames are silenced and each track's audio goes on to its own
``Chunker``, so every track's chunks are exactly what ``speech_audio`` would give, minus the
crosstalk. Memory: two blocks of every track, one pending chunk per track, one frame per decoder.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt
from attrs import frozen

from reflector_adapters.audio.chunks import Chunker
from reflector_adapters.audio.crosstalk import CrosstalkAnalyser
from reflector_adapters.audio.decode import Placed
from reflector_adapters.audio.reader import TrackReader
from reflector_core.crosstalk import CrosstalkSettings
from reflector_core.errors import InvalidInputError
from reflector_core.meeting_audio import MeetingAudioEvent, TrackBreak, TrackChunk
from reflector_core.ports import MixInput

log = logging.getLogger(__name__)

BLOCK = 0.5
"""Seconds of every track read per step (rounded to whole analysis frames)."""


@frozen
class _Block:
    start: int
    samples: npt.NDArray[np.float32]
    covered: list[list[tuple[int, int]]]


def meeting_speech(
    inputs: Sequence[MixInput],
    *,
    sample_rate: int = 16_000,
    max_chunk: float = 30.0,
    crosstalk: CrosstalkSettings | None = None,
) -> Iterator[MeetingAudioEvent]:
    if not inputs:
        raise InvalidInputError("reading a meeting needs at least one track")
    chunkers = [Chunker(i.timeline, sample_rate=sample_rate, max_chunk=max_chunk) for i in inputs]
    readers = [TrackReader(i, sample_rate, purpose="speech") for i in inputs]
    settings = crosstalk if crosstalk is not None and crosstalk.enabled and len(inputs) > 1 else None
    analyser = CrosstalkAnalyser(len(inputs), sample_rate, settings) if settings is not None else None
    frame = analyser.frame if analyser is not None else 1
    least = settings.decision_frames if settings is not None else 1
    block = frame * max(least, round(BLOCK * sample_rate / frame))
    first = math.floor(min(i.timeline.offset for i in inputs) * sample_rate) // block * block
    total = math.ceil(max(i.timeline.end for i in inputs) * sample_rate)
    broken: set[int] = set()
    previous: _Block | None = None
    for start in range(first, total, block):
        current = _read(readers, start, min(block, total - start))
        yield from _breaks(readers, broken)
        if analyser is None:
            yield from _emit(current, None, frame, chunkers)
            continue
        decided = analyser.push(start, current.samples)
        if decided is not None and previous is not None:
            yield from decided.spans
            yield from _emit(previous, decided.masks, frame, chunkers)
        previous = current
    if analyser is not None:
        decided = analyser.finish()
        if decided is not None and previous is not None:
            yield from decided.spans
            yield from _emit(previous, decided.masks, frame, chunkers)
        log.debug("crosstalk: %d frames measured for correlation", analyser.frames_measured)
    for i, chunker in enumerate(chunkers):
        yield from (TrackChunk(i, c) for c in chunker.finish())
    yield from _breaks(readers, broken)


def _read(readers: list[TrackReader], start: int, length: int) -> _Block:
    samples = np.zeros((len(readers), length), dtype=np.float32)
    covered: list[list[tuple[int, int]]] = [[] for _ in readers]
    for i, reader in enumerate(readers):
        reader.add_into(samples[i], start, covered[i])
    return _Block(start, samples, covered)


def _breaks(readers: list[TrackReader], reported: set[int]) -> Iterator[TrackBreak]:
    for i, reader in enumerate(readers):
        if reader.failure is not None and i not in reported:
            reported.add(i)
            yield TrackBreak(i, reader.failure.reason)


def _emit(block: _Block, masks: list[list[bool]] | None, frame: int, chunkers: list[Chunker]) -> Iterator[TrackChunk]:
    for i, chunker in enumerate(chunkers):
        row = block.samples[i]
        if masks is not None and any(masks[i]):
            keep = np.repeat(np.logical_not(masks[i]), frame)[: len(row)]
            row = np.where(keep, row, np.float32(0.0))
        for lo, hi in _merged(block.covered[i]):
            piece = Placed(lo, row[lo - block.start : hi - block.start].copy())
            yield from (TrackChunk(i, c) for c in chunker.push(piece))


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for lo, hi in ranges:
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out
