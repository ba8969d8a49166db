"""Decoding a track onto the meeting timeline: mono float32 pieces at a fixed rate, placed by timestamp.

Pieces come out in timeline order, never overlapping; a hole between two pieces is a stretch with no
audio (a mute gap, or a lost packet) that the consumer fills or respects. Only one decoded frame is
in memory at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
from attrs import field, frozen

from reflector_adapters.audio.media import MEDIA_ERRORS, open_audio, seconds, stream_origin, track_name
from reflector_adapters.audio.placement import place
from reflector_core.errors import UnreadableMediaError
from reflector_core.timeline import TrackTimeline

log = logging.getLogger(__name__)

Samples = npt.NDArray[np.float32]

JITTER = 0.005
"""Timestamp disagreements up to 5 ms are jitter (WebM stores milliseconds; resampling rounds): a frame that
close to where the last one ended continues it, so no click-sized holes or overlaps are made."""

MAX_BAD_PACKETS = 50
"""Corrupt packets are skipped (their stretch stays silent); this many in a row means the file is garbage."""


@frozen
class Placed:
    start: int
    """Index on the meeting timeline at the decoding rate (sample ``i`` is at ``i / rate`` seconds)."""
    samples: Samples = field(eq=False, repr=False)

    @property
    def end(self) -> int:
        return self.start + len(self.samples)


class _Resampler:
    """PyAV's resampler to float planar at the target rate, rebuilt when the input format changes."""

    def __init__(self, rate: int) -> None:
        self._rate = rate
        self._inner: av.AudioResampler | None = None
        self._key: tuple[str, str, int] | None = None

    def resample(self, frame: av.AudioFrame) -> Iterator[av.AudioFrame]:
        key = (frame.format.name, frame.layout.name, frame.sample_rate)
        if key != self._key:
            yield from self.flush()
            self._inner = av.AudioResampler(format="fltp", layout=frame.layout, rate=self._rate)
            self._key = key
        assert self._inner is not None
        yield from self._inner.resample(frame)

    def flush(self) -> Iterator[av.AudioFrame]:
        if self._inner is not None:
            yield from self._inner.resample(None)
        self._inner, self._key = None, None


def placed_audio(path: Path, timeline: TrackTimeline, *, sample_rate: int) -> Iterator[Placed]:
    """Decode ``path`` and yield its audio placed on the meeting timeline at ``sample_rate``, mono."""
    track = track_name(path)
    tolerance = round(JITTER * sample_rate)
    with open_audio(path) as (container, stream):
        origin = stream_origin(container, stream)
        # Same rule as probing: timestamps map to the meeting timeline by the shift that puts the stream's
        # origin at the timeline's offset (zero for Daily tracks, whose timestamps are meeting-relative).
        shift: float | None = None if origin is None else timeline.offset - origin
        resampler = _Resampler(sample_rate)
        cursor: int | None = None
        bad = 0
        position = 0.0

        def emit(frame: av.AudioFrame) -> Iterator[Placed]:
            nonlocal cursor
            data = frame.to_ndarray()
            mono = data[0] if data.shape[0] == 1 else data.mean(axis=0, dtype=np.float32)
            at = seconds(frame.pts, frame.time_base)
            if at is None or shift is None:
                start = cursor if cursor is not None else round(timeline.offset * sample_rate)
            else:
                start = round((at + shift) * sample_rate)
            p = place(cursor, start, len(mono), tolerance)
            if p.kept:
                cursor = p.end
                yield Placed(p.start, np.ascontiguousarray(mono[p.skip :], dtype=np.float32))

        try:
            for packet in container.demux(stream):
                if packet.size == 0:
                    continue
                try:
                    frames = packet.decode()
                except av.InvalidDataError as exc:
                    bad += 1
                    log.warning("track %s: skipping a corrupt packet near %.3f s: %s", track, position, exc)
                    if bad >= MAX_BAD_PACKETS:
                        raise UnreadableMediaError(
                            track, f"{bad} corrupt packets in a row near {position:.3f} s"
                        ) from exc
                    continue
                bad = 0
                for frame in frames:
                    at = seconds(frame.pts, frame.time_base)
                    if at is not None:
                        position = at
                        if shift is None:
                            shift = timeline.offset - at
                    for out in resampler.resample(frame):
                        yield from emit(out)
            for out in resampler.flush():
                yield from emit(out)
        except UnreadableMediaError:
            raise
        except MEDIA_ERRORS as exc:
            raise UnreadableMediaError(track, f"decoding failed near {position:.3f} s: {exc}") from exc
