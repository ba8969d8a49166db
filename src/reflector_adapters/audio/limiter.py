"""A look-ahead peak limiter that streams: the mix never exceeds the ceiling, and gain changes are ramps.

The signal is cut into 10 ms blocks. Each block needs a gain of at most ``ceiling / its peak``; the
envelope takes that instantly (attack) and recovers slowly (release). Gains at block edges are the
smaller of the two neighbouring envelope values and ramp linearly across a block, so every sample is
scaled by at most its own block's envelope: the ceiling holds exactly, and the ramp starts one block
early (the look-ahead) so a peak never gets a sudden step.
"""

from __future__ import annotations

import math

import numpy as np

from reflector_adapters.audio.decode import Samples

CEILING = 10 ** (-1.0 / 20)
"""-1 dBFS: MP3 encoding can overshoot a full-scale signal by a fraction of a dB."""


class Limiter:
    def __init__(
        self, sample_rate: int, *, ceiling: float = CEILING, block: float = 0.01, release_db_per_s: float = 20.0
    ):
        self.ceiling = ceiling
        self._n = max(1, round(block * sample_rate))
        self._recover = 10 ** (release_db_per_s * (self._n / sample_rate) / 20)
        self._pending = np.empty(0, dtype=np.float32)
        self._held: Samples | None = None
        self._held_env = 1.0
        self._held_from = 1.0
        self.reduced = 0
        """How many blocks needed gain reduction (for logs)."""

    def process(self, samples: Samples) -> Samples:
        """Limited samples; the output lags the input by up to two blocks (call ``flush`` at the end)."""
        data = np.concatenate((self._pending, samples)) if len(self._pending) else samples
        whole = len(data) // self._n * self._n
        self._pending = data[whole:].copy()
        if not whole:
            return np.empty(0, dtype=np.float32)
        return self._run(data[:whole].reshape(-1, self._n))

    def flush(self) -> Samples:
        out = []
        if len(self._pending):
            tail, self._pending = self._pending, np.empty(0, dtype=np.float32)
            out.append(self._run(tail.reshape(1, -1)))
        if self._held is not None:
            out.append(self._apply(self._held, self._held_from, self._held_env))
            self._held = None
        return np.concatenate(out) if out else np.empty(0, dtype=np.float32)

    def _run(self, blocks: Samples) -> Samples:
        peaks = np.abs(blocks).max(axis=1)
        need = np.minimum(1.0, self.ceiling / np.maximum(peaks, 1e-12))
        self.reduced += int(np.count_nonzero(need < 1.0))
        out: list[Samples] = []
        for block, want in zip(blocks, need.tolist(), strict=True):
            env = min(want, self._held_env * self._recover, 1.0)
            if self._held is not None:
                out.append(self._apply(self._held, self._held_from, min(self._held_env, env)))
                self._held_from = min(self._held_env, env)
            else:
                self._held_from = env
            self._held, self._held_env = block, env
        return np.concatenate(out) if out else np.empty(0, dtype=np.float32)

    @staticmethod
    def _apply(block: Samples, g0: float, g1: float) -> Samples:
        if g0 == 1.0 and g1 == 1.0:
            return block
        ramp = np.linspace(g0, g1, len(block), endpoint=False, dtype=np.float32) if not math.isclose(g0, g1) else g0
        return (block * ramp).astype(np.float32, copy=False)
