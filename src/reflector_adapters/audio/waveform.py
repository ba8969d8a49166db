"""Waveform peaks computed as the mix streams by: one maximum absolute sample per bucket."""

from __future__ import annotations

import math

import numpy as np

from reflector_adapters.audio.decode import Samples


class PeakMeter:
    """Bucket ``k`` covers samples ``[floor(k * rate / pps), floor((k + 1) * rate / pps))``."""

    def __init__(self, sample_rate: int, peaks_per_second: float) -> None:
        if not peaks_per_second > 0:
            raise ValueError(f"peaks_per_second must be > 0, got {peaks_per_second}")
        self._per = sample_rate / peaks_per_second
        self._peaks: list[float] = []
        self._current = 0.0
        self._seen = 0

    def _boundary(self, k: int) -> int:
        return math.floor(k * self._per)

    def feed(self, samples: Samples) -> None:
        pos, n = 0, len(samples)
        while pos < n:
            end_of_bucket = self._boundary(len(self._peaks) + 1) - self._seen
            take = min(n - pos, end_of_bucket)
            if take > 0:
                self._current = max(self._current, float(np.abs(samples[pos : pos + take]).max()))
                pos += take
                self._seen += take
            if self._seen >= self._boundary(len(self._peaks) + 1):
                self._peaks.append(self._current)
                self._current = 0.0

    def peaks(self) -> tuple[float, ...]:
        """Every full bucket, plus the last partial one."""
        partial = self._seen > self._boundary(len(self._peaks))
        values = [*self._peaks, self._current] if partial else self._peaks
        return tuple(round(min(1.0, v), 4) for v in values)
