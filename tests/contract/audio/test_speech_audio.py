from __future__ import annotations

import itertools

import numpy as np
import pytest

from reflector_adapters.audio import PyAVAudioEngine
from reflector_adapters.audio.chunks import quiet_cut
from reflector_core.errors import InvalidInputError, UnreadableMediaError
from reflector_core.timeline import PcmChunk, Span, TrackTimeline
from tests.contract.audio.helpers import FIXTURES, fixture_truth, meeting_track, meeting_truth, render, sound_spans

engine = PyAVAudioEngine()
FRAME = 0.02


def chunks_of(name: str, **kwargs: float) -> tuple[TrackTimeline, list[PcmChunk]]:
    probe = engine.probe(FIXTURES / name)
    return probe.timeline, list(engine.speech_audio(FIXTURES / name, probe.timeline, **kwargs))  # type: ignore[arg-type]


def assert_spans(found: list[tuple[float, float]], expected: list[list[float]]) -> None:
    assert len(found) == len(expected), found
    for (a, b), (ea, eb) in zip(found, expected, strict=True):
        assert a == pytest.approx(ea, abs=FRAME)
        assert b == pytest.approx(eb, abs=FRAME)


def assert_no_chunk_crosses(chunks: list[PcmChunk], gaps: tuple[Span, ...] | list[Span]) -> None:
    for c in chunks:
        for g in gaps:
            overlap = min(c.end, g.end) - max(c.start, g.start)
            assert overlap <= FRAME, f"chunk {c.start:.3f}..{c.end:.3f} spans gap {g}"


@pytest.mark.parametrize("rate", [8_000, 16_000, 22_050, 48_000])
def test_tones_land_at_their_meeting_time_at_any_rate(rate: int) -> None:
    truth = fixture_truth()["tones"]
    timeline, chunks = chunks_of("tones.webm", sample_rate=rate)
    assert {c.sample_rate for c in chunks} == {rate}
    assert_spans(sound_spans(render(chunks, rate), rate), truth["bursts"])
    assert_no_chunk_crosses(chunks, timeline.gaps)
    assert chunks[0].start == pytest.approx(truth["offset"], abs=0.002)


@pytest.mark.parametrize("name", ["stereo.webm", "stereo_44k.mp3", "tone_11k.wav", "tone_aac.mp4"])
def test_other_rates_channels_and_containers_are_placed_alike(name: str) -> None:
    truth = fixture_truth()["stereo"]
    _, chunks = chunks_of(name)
    expected = sorted(truth["left"] + truth["right"])
    assert_spans(sound_spans(render(chunks, 16_000), 16_000), expected)


def test_chunks_stop_at_the_mute_gap_and_stay_under_the_limit() -> None:
    timeline, chunks = chunks_of("tones.webm", max_chunk=1.5)
    assert max(c.duration for c in chunks) <= 1.5
    assert_no_chunk_crosses(chunks, timeline.gaps)
    (gap,) = timeline.gaps
    assert any(c.end == pytest.approx(gap.start, abs=FRAME) for c in chunks)
    assert any(c.start == pytest.approx(gap.end, abs=FRAME) for c in chunks)
    # Everything present is delivered once: chunk time adds up to the track minus its gap.
    assert sum(c.duration for c in chunks) == pytest.approx(timeline.duration - timeline.gap_total, abs=FRAME)
    for a, b in itertools.pairwise(chunks):
        assert b.start >= a.end - 1e-9


def test_cuts_fall_in_silence_not_inside_a_burst() -> None:
    truth = fixture_truth()["tones"]
    # The first limit (2.0 + 2.3 s) falls inside a burst; the searched last quarter also holds a pause.
    _, chunks = chunks_of("tones.webm", max_chunk=2.3)
    for c in chunks:
        for a, b in truth["bursts"]:
            assert not (a + 0.05 < c.end < b - 0.05), f"cut at {c.end:.3f} inside burst {a}..{b}"


def test_backwards_timestamps_never_duplicate_or_reorder_audio() -> None:
    truth = fixture_truth()["backwards"]
    _, chunks = chunks_of("backwards.webm", max_chunk=2.0)
    for a, b in itertools.pairwise(chunks):
        assert b.start >= a.end - 1e-9
    sig = render(chunks, 16_000)  # asserts no sample is written twice
    assert_spans(sound_spans(sig, 16_000), truth["bursts"])
    # The 200 ms that the jump overlapped are dropped, not appended.
    assert len(sig) / 16_000 == pytest.approx(truth["end"], abs=FRAME)


@pytest.mark.parametrize("index", [0, 1])
def test_meeting_speech_starts_at_the_true_onsets_and_chunks_skip_mutes(index: int) -> None:
    truth = meeting_truth()
    track = truth["tracks"][index]
    path = meeting_track(track)
    probe = engine.probe(path)
    chunks = list(engine.speech_audio(path, probe.timeline, max_chunk=4.0))
    assert max(c.duration for c in chunks) <= 4.0
    assert_no_chunk_crosses(chunks, [Span(a, b) for a, b in track["muted"]])
    sig = render(chunks, 16_000)
    for u in (u for u in truth["utterances"] if u["speaker"] == track["speaker"]):
        lo = round((u["onset"] - 0.3) * 16_000)
        first = lo + int(np.flatnonzero(np.abs(sig[lo : lo + 16_000]) > 0.01)[0])
        assert first / 16_000 == pytest.approx(u["onset"], abs=FRAME), u["text"]


def test_quiet_cut_finds_the_pause() -> None:
    rate = 1_000
    data = np.full(10_000, 0.5, dtype=np.float32)
    data[8_600:8_800] = 0.0
    cut = quiet_cut(data, rate)
    assert 8_600 <= cut <= 8_800
    # Silence everywhere: cut as late as allowed; too short to search: cut at the end.
    assert quiet_cut(np.zeros(10_000, dtype=np.float32), rate) >= 9_900
    assert quiet_cut(np.ones(300, dtype=np.float32), rate) == 300


def test_chunks_are_mono_float32_little_endian() -> None:
    _, chunks = chunks_of("stereo.webm", sample_rate=16_000)
    for c in chunks:
        samples = np.frombuffer(c.data, dtype="<f4")
        assert len(samples) == c.samples and np.isfinite(samples).all()
        assert np.abs(samples).max() <= 1.0


@pytest.mark.parametrize("name", ["empty.webm", "not_audio.webm", "video_only.mkv", "missing.webm"])
def test_bad_inputs_raise_unreadable_media(name: str) -> None:
    with pytest.raises(UnreadableMediaError) as err:
        list(engine.speech_audio(FIXTURES / name, TrackTimeline(offset=0.0, duration=1.0)))
    assert err.value.track == name


def test_a_non_positive_chunk_limit_is_refused() -> None:
    timeline = engine.probe(FIXTURES / "tones.webm").timeline
    with pytest.raises(InvalidInputError):
        list(engine.speech_audio(FIXTURES / "tones.webm", timeline, max_chunk=0.0))
