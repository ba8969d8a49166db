"""Properties of the pure pieces: sample placement, the limiter and the peak meter."""

from __future__ import annotations

import itertools
import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from reflector_adapters.audio.limiter import CEILING, Limiter
from reflector_adapters.audio.placement import place
from reflector_adapters.audio.waveform import PeakMeter

frames = st.lists(st.tuples(st.integers(-500, 20_000), st.integers(0, 960)), min_size=1, max_size=40)


@given(frames, st.integers(0, 300))
def test_placement_writes_the_grid_forwards_once_and_never_moves_a_sample_beyond_the_tolerance(
    stamped: list[tuple[int, int]], tolerance: int
) -> None:
    cursor: int | None = None
    written = 0
    for start, length in stamped:
        p = place(cursor, start, length, tolerance)
        assert 0 <= p.skip <= length and p.kept == length - p.skip
        assert p.start >= (cursor or 0)  # never backwards, never over what is written
        if p.kept:
            # Kept samples sit where their timestamp says, give or take the tolerance (jitter only).
            assert abs(p.start - (start + p.skip)) <= tolerance
            cursor = p.end
            written += p.kept
    assert written <= sum(length for _, length in stamped)


@given(st.lists(st.integers(1, 960), min_size=1, max_size=30), st.integers(-3, 3))
def test_contiguous_frames_with_jitter_keep_every_sample(lengths: list[int], jitter: int) -> None:
    cursor: int | None = None
    true_start = 1_000
    for n in lengths:
        p = place(cursor, true_start + jitter, n, tolerance=5)
        assert p.skip == 0 and p.kept == n
        cursor = p.end
        true_start += n
    assert cursor == 1_000 + sum(lengths) + (jitter if lengths else 0)


signals = arrays(np.float32, st.integers(1, 5_000), elements=st.floats(-4, 4, width=32))


@given(st.lists(signals, min_size=1, max_size=5))
def test_limiter_keeps_length_and_ceiling_and_leaves_quiet_audio_alone(parts: list[np.ndarray]) -> None:
    limiter = Limiter(8_000)
    out = np.concatenate([limiter.process(p) for p in parts] + [limiter.flush()])
    data = np.concatenate(parts)
    assert len(out) == len(data)
    assert np.abs(out).max() <= CEILING + 1e-6
    assert np.all(np.abs(out) <= np.abs(data) + 1e-6)  # only ever attenuates
    quiet = Limiter(8_000)
    soft = (data * (0.5 * CEILING / max(1.0, float(np.abs(data).max())))).astype(np.float32)
    soft_out = np.concatenate([quiet.process(soft), quiet.flush()])
    np.testing.assert_array_equal(soft_out, soft)


@given(st.lists(signals, min_size=1, max_size=5), st.sampled_from([1.0, 3.0, 10.0, 7.3]))
def test_peak_meter_matches_a_whole_signal_computation(parts: list[np.ndarray], pps: float) -> None:
    rate = 1_000
    meter = PeakMeter(rate, pps)
    for p in parts:
        meter.feed(np.clip(p, -1, 1))
    data = np.abs(np.clip(np.concatenate(parts), -1, 1))
    count = math.ceil(len(data) * pps / rate)
    edges = [math.floor(k * rate / pps) for k in range(count)] + [len(data)]
    expected = [round(float(data[a:b].max()), 4) for a, b in itertools.pairwise(edges) if b > a]
    assert list(meter.peaks()) == expected
    assert len(meter.peaks()) == count
