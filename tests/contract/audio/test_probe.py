from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from reflector_adapters.audio import PyAVAudioEngine
from reflector_core.errors import UnreadableMediaError
from reflector_core.naming import parse_daily_track_key
from tests.contract.audio.helpers import FIXTURES, fixture_truth, meeting_track, meeting_truth

engine = PyAVAudioEngine()
FRAME = 0.02


@pytest.mark.parametrize("index", [0, 1])
def test_daily_track_offset_duration_and_gaps_match_the_truth(index: int) -> None:
    track = meeting_truth()["tracks"][index]
    key = parse_daily_track_key(track["s3Key"])
    probe = engine.probe(meeting_track(track), filename_offset=key.filename_offset)

    assert probe.timeline.offset == pytest.approx(track["join"], abs=FRAME)
    assert probe.timeline.end == pytest.approx(track["leave"], abs=0.04)
    # The file name stamp lags the audio by ~209 ms: recorded, not suspicious, and the container wins.
    assert probe.offsets.filename == pytest.approx(track["join"] + 0.209, abs=0.002)
    assert probe.offsets.disagreement == pytest.approx(0.209, abs=FRAME)
    assert not probe.offsets.suspicious
    assert probe.offsets.chosen == probe.offsets.metadata
    assert len(probe.timeline.gaps) == len(track["muted"]) > 0
    for gap, (start, end) in zip(probe.timeline.gaps, track["muted"], strict=True):
        assert gap.start == pytest.approx(start, abs=0.04)
        assert gap.end == pytest.approx(end, abs=0.04)
    assert (probe.sample_rate, probe.channels, probe.codec) == (48_000, 1, "opus")


def test_tone_track_mute_is_a_gap_and_offset_comes_from_the_container() -> None:
    truth = fixture_truth()["tones"]
    probe = engine.probe(FIXTURES / "tones.webm", filename_offset=truth["filename_offset"])
    assert probe.timeline.offset == pytest.approx(truth["offset"], abs=0.002)
    assert probe.timeline.end == pytest.approx(truth["offset"] + truth["length"], abs=FRAME)
    (gap,) = probe.timeline.gaps
    assert gap.start == pytest.approx(truth["mute"][0], abs=FRAME)
    assert gap.end == pytest.approx(truth["mute"][1], abs=FRAME)


def test_a_filename_offset_far_from_the_container_is_logged_and_the_container_wins(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        probe = engine.probe(FIXTURES / "tones.webm", filename_offset=7.5)
    assert probe.offsets.suspicious
    assert probe.timeline.offset == pytest.approx(2.0, abs=0.002)
    assert "disagree" in caplog.text and "tones.webm" in caplog.text


@pytest.mark.parametrize(
    ("name", "rate", "channels", "codec"),
    [
        ("stereo.webm", 48_000, 2, "opus"),
        ("stereo_44k.mp3", 44_100, 2, "mp3"),
        ("tone_11k.wav", 11_025, 2, "pcm_s16le"),
        ("tone_aac.mp4", 44_100, 1, "aac"),
    ],
)
def test_single_files_start_at_zero_without_gaps(name: str, rate: int, channels: int, codec: str) -> None:
    probe = engine.probe(FIXTURES / name)
    assert probe.timeline.offset == 0.0
    assert probe.timeline.gaps == ()
    assert probe.timeline.duration == pytest.approx(8.0, abs=0.1)
    assert (probe.sample_rate, probe.channels) == (rate, channels)
    assert probe.codec.startswith(codec)
    assert probe.source == name


def test_a_file_without_container_timestamps_takes_the_filename_offset() -> None:
    probe = engine.probe(FIXTURES / "tone_11k.wav", filename_offset=12.5)
    assert probe.offsets.metadata is None
    assert probe.timeline.offset == 12.5
    assert probe.timeline.end == pytest.approx(12.5 + 8.08, abs=0.01)


def test_backwards_timestamps_do_not_make_gaps() -> None:
    truth = fixture_truth()["backwards"]
    probe = engine.probe(FIXTURES / "backwards.webm")
    assert probe.timeline.gaps == ()
    assert probe.timeline.offset == pytest.approx(truth["offset"], abs=0.002)
    assert probe.timeline.end == pytest.approx(truth["end"], abs=FRAME)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty.webm", "empty"),
        ("not_audio.webm", "not a readable media file"),
        ("truncated.webm", "truncated"),
        ("video_only.mkv", "no audio stream"),
        ("missing.webm", "no such file"),
    ],
)
def test_bad_inputs_raise_unreadable_media_naming_the_file(name: str, reason: str) -> None:
    with pytest.raises(UnreadableMediaError) as err:
        engine.probe(FIXTURES / name)
    assert err.value.track == name
    assert reason in err.value.reason


def test_a_directory_is_not_media(tmp_path: Path) -> None:
    with pytest.raises(UnreadableMediaError, match="no such file"):
        engine.probe(tmp_path)


def test_a_file_cut_inside_its_header_is_unreadable(tmp_path: Path) -> None:
    cut = tmp_path / "cut.webm"
    cut.write_bytes((FIXTURES / "tones.webm").read_bytes()[:100])
    with pytest.raises(UnreadableMediaError) as err:
        engine.probe(cut)
    assert err.value.track == "cut.webm"


def test_a_track_named_like_daily_without_extension_probes(tmp_path: Path) -> None:
    # Daily object keys have no extension; the format must come from the bytes.
    copy = tmp_path / "1773480603000-21636369-8b52-4b4a-97b7-50923ceb3ffd-cam-audio-1773480605209"
    shutil.copy(FIXTURES / "tones.webm", copy)
    assert engine.probe(copy).codec == "opus"
