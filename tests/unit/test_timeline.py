from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reflector_core.errors import InvalidInputError
from reflector_core.timeline import (
    PcmChunk,
    Span,
    TrackTimeline,
    choose_offset,
    complement,
    gaps_from_packet_times,
    merge_spans,
)

spans = st.lists(
    st.tuples(st.floats(0, 100, allow_nan=False), st.floats(0, 10, allow_nan=False)).map(
        lambda t: Span(t[0], t[0] + t[1])
    ),
    max_size=20,
)


@given(spans)
def test_merged_spans_are_sorted_disjoint_and_cover_the_same_points(ss: list[Span]) -> None:
    merged = merge_spans(ss)
    for a, b in itertools.pairwise(merged):
        assert a.end < b.start
    for s in ss:
        mid = (s.start + s.end) / 2
        assert any(m.start <= mid <= m.end for m in merged)


@given(spans, st.floats(0, 50, allow_nan=False), st.floats(0, 60, allow_nan=False))
def test_complement_and_spans_partition_the_window(ss: list[Span], a: float, length: float) -> None:
    window = Span(a, a + length)
    holes = complement(ss, window)
    covered = sum(max(0.0, min(m.end, window.end) - max(m.start, window.start)) for m in merge_spans(ss))
    assert sum(h.duration for h in holes) + covered == pytest.approx(window.duration, abs=1e-6)
    for h in holes:
        assert window.start <= h.start <= h.end <= window.end
        assert not any(m.overlaps(h) for m in merge_spans(ss))


def test_gaps_from_packets_finds_a_mute() -> None:
    packets = [(i * 0.02, 0.02) for i in range(100)] + [(5 + i * 0.02, 0.02) for i in range(100)]
    gaps, whole = gaps_from_packet_times(packets)
    assert whole is not None and whole.start == 0 and whole.end == pytest.approx(7.0)
    assert len(gaps) == 1 and gaps[0].start == pytest.approx(2.0) and gaps[0].end == pytest.approx(5.0)


def test_jitter_and_out_of_order_packets_are_not_gaps() -> None:
    packets = [(i * 0.02 + (0.005 if i % 3 else -0.004), 0.02) for i in range(200)]
    gaps, _ = gaps_from_packet_times(reversed(packets))
    assert gaps == ()


def test_timeline_present_is_complement_of_gaps() -> None:
    tl = TrackTimeline(offset=2.0, duration=10.0, gaps=(Span(4, 6), Span(8, 9)))
    assert tl.present() == (Span(2, 4), Span(6, 8), Span(9, 12))
    assert tl.gap_total == 3


def test_bad_spans_and_timelines() -> None:
    with pytest.raises(InvalidInputError):
        Span(3, 2)
    with pytest.raises(InvalidInputError):
        TrackTimeline(offset=-1, duration=1)


@pytest.mark.parametrize(
    ("meta", "name", "chosen", "suspicious"),
    [(0.229, 0.438, 0.229, False), (None, 0.438, 0.438, False), (None, None, 0.0, False), (1.0, 3.5, 1.0, True)],
)
def test_offset_choice(meta: float | None, name: float | None, chosen: float, suspicious: bool) -> None:
    c = choose_offset(meta, name)
    assert c.chosen == chosen and c.suspicious is suspicious


def test_pcm_chunk_duration() -> None:
    c = PcmChunk(start=1.5, sample_rate=16000, data=b"\0" * 4 * 8000)
    assert (c.samples, c.duration, c.end) == (8000, 0.5, 2.0)
