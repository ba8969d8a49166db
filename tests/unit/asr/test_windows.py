from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reflector_adapters.asr.speech import SpeechSettings, frame_rms_db, loud_regions, sound_edges
from reflector_adapters.asr.windows import WindowPacker

SR = 16_000


def _tone(seconds: float, level: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (level * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def test_regions_are_packed_with_a_splice_and_mapped_back() -> None:
    packer = WindowPacker(max_seconds=10, sample_rate=SR, join_silence=0.5)
    assert list(packer.add(_tone(2.0), 100.0)) == []
    assert list(packer.add(_tone(3.0), 200.0)) == []
    window = packer.flush()
    assert window is not None and packer.flush() is None
    assert window.duration == 5.5
    # A word 1 s into the second region is 1 s after its meeting start.
    assert window.to_meeting(3.5, 3.9) == pytest.approx((201.0, 201.4))
    assert window.to_meeting(0.25, 0.5) == pytest.approx((100.25, 100.5))


def test_a_word_in_the_splice_is_clamped_into_one_region() -> None:
    packer = WindowPacker(max_seconds=10, sample_rate=SR, join_silence=0.5)
    list(packer.add(_tone(2.0), 100.0))
    list(packer.add(_tone(3.0), 200.0))
    window = packer.flush()
    assert window is not None
    start, end = window.to_meeting(1.8, 2.7)  # starts in region 1, ends in the splice/region 2
    assert (start, end) == pytest.approx((101.8, 102.0))
    start, end = window.to_meeting(2.2, 2.8)  # wholly in the splice: belongs to the region after it
    assert (start, end) == pytest.approx((200.0, 200.3))


def test_a_full_window_is_handed_out_before_it_overflows() -> None:
    packer = WindowPacker(max_seconds=5, sample_rate=SR, join_silence=0.5)
    assert list(packer.add(_tone(3.0), 0.0)) == []
    closed = list(packer.add(_tone(3.0), 10.0))
    assert len(closed) == 1 and closed[0].duration == 3.0
    rest = packer.flush()
    assert rest is not None and rest.pieces[0].meeting_start == 10.0


@given(st.lists(st.tuples(st.floats(0.05, 12.0), st.floats(0.0, 5.0)), min_size=1, max_size=12))
def test_every_sample_lands_in_exactly_one_window_and_no_window_overflows(regions: list[tuple[float, float]]) -> None:
    packer = WindowPacker(max_seconds=8, sample_rate=SR, join_silence=0.3)
    windows, t, total = [], 0.0, 0
    for length, pause in regions:
        samples = np.ones(int(length * SR), dtype=np.float32)
        total += samples.size
        windows += list(packer.add(samples, t))
        t += length + pause
    last = packer.flush()
    windows += [last] if last is not None else []
    assert all(w.audio.size <= 8 * SR for w in windows)
    assert sum(p.length for w in windows for p in w.pieces) == total
    starts = [p.meeting_start for w in windows for p in w.pieces]
    assert starts == sorted(starts)


def test_silence_has_no_loud_regions_and_no_edges() -> None:
    silence = np.zeros(SR * 5, dtype=np.float32)
    assert loud_regions(silence, SR, SpeechSettings()) == []
    assert sound_edges(silence, SR, -45.0) is None
    assert frame_rms_db(np.zeros(0, dtype=np.float32)).size == 0


def test_loud_regions_are_padded_and_merged() -> None:
    audio = np.concatenate([np.zeros(SR * 2), _tone(1.0), np.zeros(SR // 2), _tone(1.0), np.zeros(SR * 3)])
    regions = loud_regions(audio.astype(np.float32), SR, SpeechSettings(gate_pad=0.5))
    assert len(regions) == 1
    a, b = regions[0]
    assert abs(a / SR - 1.5) < 0.05 and abs(b / SR - 5.0) < 0.05


def test_sound_edges_find_the_onset_under_room_tone() -> None:
    rng = np.random.default_rng(1)
    noise = (0.001 * rng.standard_normal(SR * 3)).astype(np.float32)  # about -60 dBFS
    audio = noise.copy()
    audio[int(1.23 * SR) : int(2.5 * SR)] += _tone(2.5 - 1.23)[: int(2.5 * SR) - int(1.23 * SR)]
    edges = sound_edges(audio, SR, -45.0)
    assert edges is not None
    assert abs(edges[0] - 1.23) <= 0.011 and abs(edges[1] - 2.5) <= 0.011


def test_a_word_started_in_the_previous_regions_padding_belongs_to_the_region_it_overlaps_most() -> None:
    packer = WindowPacker(max_seconds=10, sample_rate=SR, join_silence=0.5)
    list(packer.add(_tone(2.0), 100.0))
    list(packer.add(_tone(3.0), 200.0))
    window = packer.flush()
    assert window is not None
    # Whisper starts the next utterance's first word early: 0.2 s in region 1, 0.4 s in region 2.
    assert window.piece_of(1.8, 2.9) == 1
    assert window.to_meeting(1.8, 2.9) == pytest.approx((200.0, 200.4))
    # Mostly in region 1 (or a tie): still region 1's last word.
    assert window.piece_of(1.5, 2.6) == 0
    assert window.piece_of(1.8, 2.7) == 0
    assert window.piece_of(0.5, 0.9) == 0 and window.piece_of(3.0, 3.4) == 1


def test_an_early_first_word_is_snapped_onto_its_own_regions_onset() -> None:
    from reflector_adapters.asr.whisper import snap_edges

    def region(tone: float) -> np.ndarray:
        pad = np.zeros(int(0.2 * SR), dtype=np.float32)
        return np.concatenate([pad, _tone(tone), pad])

    packer = WindowPacker(max_seconds=10, sample_rate=SR, join_silence=0.5)
    list(packer.add(region(1.6), 100.0))  # window 0.0-2.0, sound 0.2-1.8
    list(packer.add(region(2.6), 200.0))  # window 2.5-5.5, sound 2.7-5.3
    window = packer.flush()
    assert window is not None
    words = [("done.", 1.2, 1.75, 0.9), ("It", 1.7, 2.9, 0.9), ("was", 2.9, 3.3, 0.9), ("fine.", 4.9, 5.4, 0.9)]
    snapped = snap_edges(words, window, floor_db=-45.0, within=0.6)
    assert snapped[0][1:3] == pytest.approx((1.2, 1.8), abs=0.011)  # region 1's last word ends on its sound
    assert snapped[1][1] == pytest.approx(2.7, abs=0.011)  # "It" starts region 2, on its onset
    assert window.to_meeting(*snapped[1][1:3]) == pytest.approx((200.2, 200.4), abs=0.011)
    assert snapped[3][2] == pytest.approx(5.3, abs=0.011)
