"""One track's placed audio read block by block on the meeting timeline, as the lockstep passes need it.

Used by the mixdown (48 kHz) and by the meeting's speech with crosstalk analysis (16 kHz): both walk
every track side by side, one block of the timeline at a time. A track that fails mid-way becomes
silence from there on and keeps the failure; it never stops the other tracks.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from reflector_adapters.audio.decode import Placed, Samples, placed_audio
from reflector_adapters.audio.media import MEDIA_ERRORS, track_name
from reflector_core.errors import UnreadableMediaError
from reflector_core.model import TrackFailure
from reflector_core.ports import MixInput

log = logging.getLogger(__name__)

_TRACK_ERRORS: tuple[type[BaseException], ...] = (UnreadableMediaError, *MEDIA_ERRORS)


class TrackReader:
    """Consumes ``placed_audio`` of one track in timeline order; ``failure`` is set once it breaks."""

    def __init__(self, source: MixInput, rate: int, *, purpose: str = "mixdown") -> None:
        self.name = track_name(source.path)
        self.rate = rate
        self.purpose = purpose
        self.failure: TrackFailure | None = None
        self._pieces: Iterator[Placed] | None = placed_audio(source.path, source.timeline, sample_rate=rate)
        self._pending: Placed | None = None
        self.decoded = 0

    def add_into(self, out: Samples, start: int, covered: list[tuple[int, int]] | None = None) -> None:
        """Add the track's samples of ``[start, start + len(out))`` into ``out``.

        ``covered`` receives the (absolute) sample ranges the track has audio for, in order, so a
        caller can tell a mute gap or a lost packet from digital silence.
        """
        end = start + len(out)
        while True:
            piece = self._pending or self._next()
            if piece is None or piece.start >= end:
                self._pending = piece
                return
            lo, hi = max(piece.start, start), min(piece.end, end)
            if hi > lo:
                out[lo - start : hi - start] += piece.samples[lo - piece.start : hi - piece.start]
                if covered is not None:
                    covered.append((lo, hi))
            if piece.end > end:
                self._pending = piece
                return
            self._pending = None

    def _next(self) -> Placed | None:
        if self._pieces is None:
            return None
        try:
            piece = next(self._pieces)
        except StopIteration:
            self._pieces = None
            return None
        except _TRACK_ERRORS as exc:
            self._pieces = None
            reason = exc.reason if isinstance(exc, UnreadableMediaError) else str(exc)
            at = self.decoded / self.rate
            self.failure = TrackFailure(track=self.name, reason=f"{reason} (silent from {at:.3f} s of its audio on)")
            log.warning("%s: track %s failed, the rest of it is silence: %s", self.purpose, self.name, reason)
            return None
        self.decoded += len(piece.samples)
        return piece
