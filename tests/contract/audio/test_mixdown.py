from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest

from reflector_adapters.audio import PyAVAudioEngine, decode, reader
from reflector_adapters.audio.decode import Placed
from reflector_core.errors import InvalidInputError, UnreadableMediaError
from reflector_core.ports import MixInput
from reflector_core.timeline import TrackTimeline
from tests.contract.audio.helpers import FIXTURES, decode_file, meeting_track, meeting_truth, sound_spans

engine = PyAVAudioEngine()


def probed(path: Path) -> MixInput:
    return MixInput(path, engine.probe(path).timeline)


def test_meeting_mix_is_a_decodable_mp3_of_the_meeting_length_with_aligned_speech(tmp_path: Path) -> None:
    truth = meeting_truth()
    inputs = [probed(meeting_track(t)) for t in truth["tracks"]]
    out = tmp_path / "audio.mp3"
    waveform = engine.mixdown(inputs, out, peaks_per_second=10.0)

    end = max(i.timeline.end for i in inputs)
    assert waveform.duration == pytest.approx(end, abs=1e-3)
    assert len(waveform.peaks) == math.ceil(end * 10.0)
    assert all(0.0 <= p <= 1.0 for p in waveform.peaks)
    assert waveform.failed_tracks == ()
    assert not out.with_name("audio.mp3.part").exists()
    with av.open(str(out)) as c:
        stream = c.streams.audio[0]
        assert (c.format.name, stream.codec_context.name, stream.rate, stream.channels) == (
            "mp3",
            "mp3float",
            48_000,
            1,
        )
        assert stream.bit_rate == 64_000
    sig, rate = decode_file(out)
    assert len(sig) / rate == pytest.approx(end, abs=0.05)
    assert np.abs(sig).max() <= 1.0
    for u in truth["utterances"]:
        lo = round((u["onset"] - 0.3) * rate)
        first = lo + int(np.flatnonzero(np.abs(sig[lo : lo + rate]) > 0.01)[0])
        assert first / rate == pytest.approx(u["onset"], abs=0.03), u["text"]
    # The waveform follows the signal: loud where someone speaks, near zero where nobody does.
    speaking = [
        p
        for i, p in enumerate(waveform.peaks)
        if any(u["onset"] <= i / 10 < u["offset"] - 0.1 for u in truth["utterances"])
    ]
    quiet = [
        p
        for i, p in enumerate(waveform.peaks)
        if all(not (u["onset"] - 0.2 <= i / 10 <= u["offset"] + 0.1) for u in truth["utterances"])
    ]
    assert float(np.median(speaking)) > 0.1 and max(quiet) < 0.01


def test_loud_overlapping_tracks_are_limited_not_clipped(tmp_path: Path) -> None:
    source = probed(FIXTURES / "tone_aac.mp4")
    out = tmp_path / "loud.mp3"
    waveform = engine.mixdown([source] * 4, out)  # four 0.5-peak tones in phase: 2.0 before limiting
    sig, rate = decode_file(out)
    assert np.abs(sig).max() <= 1.0
    assert max(waveform.peaks) <= 1.0 and max(waveform.peaks) > 0.8
    assert [(round(a, 1), round(b, 1)) for a, b in sound_spans(sig, rate)] == [
        (0.5, 1.0),
        (2.0, 2.5),
        (5.5, 6.0),
        (7.0, 7.4),
    ]


def test_offsets_and_gaps_become_silence_in_the_mix(tmp_path: Path) -> None:
    tones, stereo = probed(FIXTURES / "tones.webm"), probed(FIXTURES / "stereo_44k.mp3")
    out = tmp_path / "mix.mp3"
    waveform = engine.mixdown([tones, stereo], out, peaks_per_second=4.0)
    sig, rate = decode_file(out)
    assert waveform.duration == pytest.approx(tones.timeline.end, abs=1e-3)
    assert len(waveform.peaks) == math.ceil(waveform.duration * 4.0)
    spans = sound_spans(sig, rate)
    # stereo_44k at 0.5, 2.0, 5.5, 7.0 and tones (offset 2.0) at 2.5, 4.0, 7.5, 9.0, merged where they touch.
    expected = [(0.5, 1.0), (2.0, 3.0), (4.0, 4.5), (5.5, 6.0), (7.0, 7.4), (7.5, 8.0), (9.0, 9.4)]
    assert len(spans) == len(expected)
    for (a, b), (ea, eb) in zip(spans, expected, strict=True):
        assert a == pytest.approx(ea, abs=0.02)
        assert b == pytest.approx(eb, abs=0.02)


def test_an_unreadable_track_is_silence_and_reported(tmp_path: Path) -> None:
    good = probed(FIXTURES / "tones.webm")
    bad = MixInput(FIXTURES / "not_audio.webm", TrackTimeline(offset=0.0, duration=12.0))
    waveform = engine.mixdown([good, bad], tmp_path / "mix.mp3")
    assert waveform.duration == pytest.approx(12.0, abs=1e-3)
    (failure,) = waveform.failed_tracks
    assert failure.track == "not_audio.webm"
    sig, rate = decode_file(tmp_path / "mix.mp3")
    assert len(sig) / rate == pytest.approx(12.0, abs=0.05)


def test_a_track_failing_mid_way_does_not_hang_the_mix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = decode.placed_audio

    def breaks_at_four_seconds(path: Path, timeline: TrackTimeline, *, sample_rate: int) -> Iterator[Placed]:
        for piece in real(path, timeline, sample_rate=sample_rate):
            if piece.start >= 4 * sample_rate:
                raise UnreadableMediaError(path.name, "decoding failed near 4.000 s: corrupt")
            yield piece

    monkeypatch.setattr(reader, "placed_audio", breaks_at_four_seconds)
    source = probed(FIXTURES / "tone_aac.mp4")
    waveform = engine.mixdown([source], tmp_path / "mix.mp3", peaks_per_second=10.0)
    (failure,) = waveform.failed_tracks
    assert "corrupt" in failure.reason
    sig, rate = decode_file(tmp_path / "mix.mp3")
    assert len(sig) / rate == pytest.approx(source.timeline.end, abs=0.05)
    assert [(round(a, 1), round(b, 1)) for a, b in sound_spans(sig, rate)] == [(0.5, 1.0), (2.0, 2.5)]


def test_no_inputs_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="at least one track"):
        engine.mixdown([], tmp_path / "mix.mp3")


def test_only_unreadable_inputs_raise_and_leave_no_file(tmp_path: Path) -> None:
    inputs = [MixInput(FIXTURES / n, TrackTimeline(offset=0.0, duration=2.0)) for n in ("empty.webm", "not_audio.webm")]
    with pytest.raises(UnreadableMediaError) as err:
        engine.mixdown(inputs, tmp_path / "mix.mp3")
    assert err.value.track == "empty.webm"
    assert list(tmp_path.iterdir()) == []
