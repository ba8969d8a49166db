"""Measuring crosstalk between tracks, block by block of the meeting timeline (NumPy).

The decisions are ``reflector_core.crosstalk``'s; this module measures what they need, on blocks of
all tracks placed side by side:

- every track's level per frame (RMS, dBFS), and the loudest of its last frames a delayed copy can
  come from (``max_delay``: two frames of levels are kept from the block before);
- for the (victim, source) pairs the level rule flags, the source's delay (0..``max_delay``) that
  best explains the victim's samples in the flagged frames (one FFT cross-correlation per pair and
  block: the acoustic path does not change within half a second), then the normalised correlation
  of each flagged frame at that delay.

It keeps one running speech level per track (its own, not leaked, frames) and decides each block
one block late (``MaskStream``), so a leaked run is judged with its neighbours; the frames a source
dominates count as the victim's silence there, so a leaked word's badly correlating fricative or tail
does not split its run.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from attrs import frozen

from reflector_adapters.audio.decode import Samples
from reflector_core.crosstalk import (
    Candidate,
    CrosstalkSettings,
    CrosstalkSpan,
    Evidence,
    MaskStream,
    SpanCollector,
    SpeechLevel,
    candidates,
    judge,
    teaches_level,
)

Levels = npt.NDArray[np.float64]


def frame_levels(block: npt.NDArray[np.float32], frame: int) -> Levels:
    """RMS level in dBFS of every ``frame``-sample frame of every row (a short last frame is zero-padded)."""
    tracks, length = block.shape
    frames = math.ceil(length / frame)
    if length != frames * frame:
        block = np.pad(block, ((0, 0), (0, frames * frame - length)))
    x = block.reshape(tracks, frames, frame)
    power = np.einsum("ijk,ijk->ij", x, x, dtype=np.float64) / frame
    levels: Levels = 10.0 * np.log10(np.maximum(power, 1e-20))
    return levels


def pair_correlation(
    victim: Samples, source: Samples, flagged: npt.NDArray[np.bool_], frame: int, max_lag: int, context: int = 2
) -> tuple[npt.NDArray[np.float64], int]:
    """Per-frame correlation of ``victim`` with ``source`` delayed by the best lag, and that lag.

    ``source`` holds ``max_lag`` samples of history before the block, then the block; ``victim`` is
    the block. Only the ``flagged`` frames of the victim take part (in choosing the lag and in the
    correlation); each frame's correlation pools ``context`` flagged neighbours on each side. When
    the best match has the *victim* earlier (up to ``max_lag``), the victim is the talker and the
    "source" a listener: every correlation is 0.
    """
    length = len(victim)
    weights = np.repeat(flagged, frame)[:length]
    x = np.where(weights, victim, 0.0).astype(np.float64)
    y = source.astype(np.float64)
    n = len(y) + max_lag
    frames = len(flagged)
    pad = frames * frame - length
    xf = np.pad(x, (0, pad)).reshape(frames, frame)
    # The lag is chosen with every flagged frame of the victim at equal weight: the victim's own loud
    # syllable among them would otherwise outweigh the leaked frames it is there to be told from.
    rms = np.sqrt(np.mean(xf * xf, axis=1, keepdims=True))
    unit = (xf / np.maximum(rms, 1e-12)).reshape(-1)[:length]
    both = np.fft.irfft(np.conj(np.fft.rfft(unit, n)) * np.fft.rfft(y, n), n)[: 2 * max_lag + 1]
    # both[k] = sum_t x[t] * y[t + k]: y[t + k] is the source at time t - (max_lag - k), so k <= max_lag
    # is the victim hearing the source later, k > max_lag the victim being earlier (it is the talker).
    k = int(np.argmax(both))
    if k > max_lag:
        return np.zeros(len(flagged)), 0
    ys = y[k : k + length]
    yf = np.pad(ys, (0, pad)).reshape(frames, frame)
    # Each frame is judged with its neighbours (energy-weighted): a fricative alone correlates badly once
    # the path has dulled its highs, but it sits between voiced frames that correlate well.
    kernel = np.ones(2 * context + 1)
    num = np.convolve(np.sum(xf * yf, axis=1), kernel, "same")
    den = np.sqrt(
        np.convolve(np.sum(xf * xf, axis=1), kernel, "same") * np.convolve(np.sum(yf * yf, axis=1), kernel, "same")
    )
    corr: npt.NDArray[np.float64] = np.where(den > 0, num / np.maximum(den, 1e-30), 0.0)
    return corr, max_lag - k


@frozen
class Decided:
    """The block before the last one pushed: which frames of each track to silence, and the finished spans."""

    start: int
    masks: list[list[bool]]
    spans: list[CrosstalkSpan]


class CrosstalkAnalyser:
    """Blocks of all tracks in, decisions one block late out. Memory: one block plus ``max_delay`` of history."""

    def __init__(self, tracks: int, rate: int, settings: CrosstalkSettings) -> None:
        self.s = settings
        self.rate = rate
        self.frame = max(1, round(settings.frame * rate))
        self.max_lag = round(settings.max_delay * rate)
        self._tracks = tracks
        self._history = np.zeros((tracks, self.max_lag), dtype=np.float32)
        self._levels = np.full((tracks, math.ceil(self.max_lag / self.frame)), -200.0)
        self._speech = [SpeechLevel(settings.level_percentile, settings.min_level_frames) for _ in range(tracks)]
        self._streams = [
            MaskStream(
                min_frames=settings.min_frames,
                bridge_frames=settings.bridge_frames,
                quiet_bridge_frames=settings.quiet_bridge_frames,
            )
            for _ in range(tracks)
        ]
        self._collectors = [SpanCollector(i, self.frame / rate) for i in range(tracks)]
        self._pending: tuple[int, list[list[Evidence | None]]] | None = None
        self.frames_measured = 0

    def push(self, start: int, block: npt.NDArray[np.float32]) -> Decided | None:
        """Measure and judge the block starting at sample ``start``; decide the one before it."""
        evidence, quiet = self._judge(block)
        history = np.concatenate([self._history, block], axis=1)
        self._history = history[:, history.shape[1] - self.max_lag :]
        masks = [
            stream.push([e is not None for e in ev], q)
            for stream, ev, q in zip(self._streams, evidence, quiet, strict=True)
        ]
        previous, self._pending = self._pending, (start, evidence)
        if previous is None:
            return None
        return self._decide(previous, [m or [] for m in masks])

    def finish(self) -> Decided | None:
        previous, self._pending = self._pending, None
        if previous is None:
            return None
        decided = self._decide(previous, [stream.finish() for stream in self._streams])
        decided.spans.extend(span for c in self._collectors if (span := c.close()) is not None)
        return decided

    def _decide(self, block: tuple[int, list[list[Evidence | None]]], masks: list[list[bool]]) -> Decided:
        start, evidence = block
        spans = []
        for collector, mask, ev in zip(self._collectors, masks, evidence, strict=True):
            for f, masked in enumerate(mask):
                if masked or collector.is_open:
                    span = collector.push((start + f * self.frame) / self.rate, masked, ev[f])
                    if span is not None:
                        spans.append(span)
        return Decided(start, masks, spans)

    def _judge(self, block: npt.NDArray[np.float32]) -> tuple[list[list[Evidence | None]], list[list[bool]]]:
        """Each track's evidence per frame, and which of its frames hold nothing of its own (silence, or dominated by a source)."""
        levels = frame_levels(block, self.frame)
        frames = levels.shape[1]
        heard = self._heard(levels)
        evidence: list[list[Evidence | None]] = [[None] * frames for _ in range(self._tracks)]
        active = levels > self.s.floor_db
        dominated = ~active
        speech = [t.level() for t in self._speech]
        by_pair: dict[tuple[int, int], list[tuple[int, Candidate]]] = {}
        both = (active | (heard > self.s.floor_db)).sum(axis=0) >= 2
        for f in np.flatnonzero(both & active.any(axis=0)).tolist():
            for c in candidates(levels[:, f].tolist(), speech, self.s, heard[:, f].tolist()):
                by_pair.setdefault((c.victim, c.source), []).append((f, c))
                dominated[c.victim, f] = True
        found: dict[int, list[tuple[Candidate, float, float]]] = {}
        for (victim, source), items in by_pair.items():
            mask = np.zeros(frames, dtype=bool)
            mask[[f for f, _ in items]] = True
            corr, lag = pair_correlation(
                block[victim],
                np.concatenate([self._history[source], block[source]]),
                mask,
                self.frame,
                self.max_lag,
            )
            self.frames_measured += len(items)
            for f, c in items:
                found.setdefault(f, []).append((c, float(corr[f]), lag / self.rate))
        for f, measured in found.items():
            for victim, ev in judge(measured, self.s).items():
                evidence[victim][f] = ev
        for f in np.flatnonzero(active.any(axis=0)).tolist():
            column = levels[:, f].tolist()
            teacher = teaches_level(column, [i for i in range(self._tracks) if evidence[i][f] is not None], self.s)
            if teacher is not None:
                self._speech[teacher].add(column[teacher])
        return evidence, dominated.tolist()

    def _heard(self, levels: Levels) -> Levels:
        """Per frame, each track's loudest level over the frames a delayed copy of it can come from."""
        reach = self._levels.shape[1]
        both = np.concatenate([self._levels, levels], axis=1)
        self._levels = both[:, both.shape[1] - reach :]
        heard: Levels = levels.copy()
        for k in range(1, reach + 1):
            np.maximum(heard, both[:, reach - k : both.shape[1] - k], out=heard)
        return heard
