"""The real speaker encoder and clustering on committed mixed recordings with distinct flite voices."""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reflector_adapters.audio.pyav import PyAVAudioEngine
from reflector_adapters.diarization.diarizer import EmbeddingDiarizer
from reflector_adapters.diarization.encoder import SpeakerEncoder, packaged_weights
from reflector_adapters.diarization.torch_weights import load_legacy_checkpoint
from reflector_core.diarization import SpeakerHint, SpeakerTurn
from reflector_core.errors import ConfigurationError
from reflector_core.timeline import TrackTimeline

VOICES = Path(__file__).resolve().parents[2] / "fixtures" / "audio" / "voices"
SR = 16_000


@pytest.fixture(scope="module")
def diarizer() -> EmbeddingDiarizer:
    return EmbeddingDiarizer()


def _audio(name: str) -> np.ndarray:
    engine = PyAVAudioEngine()
    path = VOICES / name
    timeline = TrackTimeline(0.0, engine.probe(path, filename_offset=None).timeline.duration)
    chunks = engine.speech_audio(path, timeline, sample_rate=SR, max_chunk=30.0)
    return np.concatenate([np.frombuffer(c.data, dtype="<f4") for c in chunks])


def _turns(diarizer: EmbeddingDiarizer, name: str, hint: SpeakerHint) -> list[SpeakerTurn]:
    engine = PyAVAudioEngine()
    path = VOICES / name
    timeline = TrackTimeline(0.0, engine.probe(path, filename_offset=None).timeline.duration)
    session = diarizer.session()
    for chunk in engine.speech_audio(path, timeline, sample_rate=SR, max_chunk=30.0):
        session.feed(chunk)
    return session.finish(hint)


def _accuracy(turns: list[SpeakerTurn], truth: dict[str, Any]) -> float:
    """Share of truth speech time whose turn speaker maps (one-to-one, best mapping) to the truth speaker."""
    from scipy.optimize import linear_sum_assignment

    overlap = np.zeros((10, 10))
    for u in truth["utterances"]:
        for t in turns:
            overlap[t.speaker, u["speaker"]] += max(0.0, min(u["offset"], t.end) - max(u["onset"], t.start))
    rows, cols = linear_sum_assignment(-overlap)
    total = sum(u["offset"] - u["onset"] for u in truth["utterances"])
    return float(overlap[rows, cols].sum() / total)


def test_the_numpy_encoder_matches_resemblyzer_with_torch() -> None:
    # tools/resemblyzer_reference.py computed these with resemblyzer 0.1.4 on torch, same segments.
    reference = np.load(VOICES / "resemblyzer_reference.npy")
    audio = _audio("three.mp4")
    segments = [(8.0, 9.5), (15.0, 16.6), (19.0, 19.6), (25.1, 28.0), (30.0, 31.5)]
    ours = SpeakerEncoder().embed([audio[int(a * SR) : int(b * SR)] for a, b in segments])
    assert np.abs(ours - reference).max() < 1e-4


def test_three_voices_are_three_speakers_at_the_right_times(diarizer: EmbeddingDiarizer) -> None:
    truth = json.loads((VOICES / "three.json").read_text())
    turns = _turns(diarizer, "three.mp4", SpeakerHint())
    assert len({t.speaker for t in turns}) == 3
    assert _accuracy(turns, truth) >= 0.95
    assert turns == sorted(turns)


def test_a_hint_bounds_the_count(diarizer: EmbeddingDiarizer) -> None:
    assert len({t.speaker for t in _turns(diarizer, "three.mp4", SpeakerHint(exactly=2))}) == 2
    assert len({t.speaker for t in _turns(diarizer, "three.mp4", SpeakerHint(at_most=3))}) == 3


def test_one_voice_is_one_speaker(diarizer: EmbeddingDiarizer) -> None:
    turns = _turns(diarizer, "one.mp4", SpeakerHint())
    assert turns
    assert {t.speaker for t in turns} == {0}


def test_a_two_second_file_and_silence_do_not_break_it(diarizer: EmbeddingDiarizer) -> None:
    assert {t.speaker for t in _turns(diarizer, "short.mp4", SpeakerHint())} == {0}
    assert diarizer.session().finish(SpeakerHint()) == []


def test_weights_come_from_the_installed_package_without_importing_it() -> None:
    import sys

    assert packaged_weights().name == "pretrained.pt"
    assert "resemblyzer" not in sys.modules
    assert "torch" not in sys.modules


def test_a_checkpoint_that_would_run_code_is_refused(tmp_path: Path) -> None:
    evil = tmp_path / "evil.pt"
    with evil.open("wb") as f:
        for header in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}):
            pickle.dump(header, f)
        f.write(b"cos\nsystem\n(S'echo pwned'\ntR.")
    with pytest.raises(ConfigurationError, match=r"refusing to load os\.system"):
        load_legacy_checkpoint(evil)


def test_a_file_that_is_not_a_checkpoint_is_a_configuration_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"PK\x03\x04 not a legacy checkpoint")
    with pytest.raises(ConfigurationError, match=re.escape(str(bad))):
        load_legacy_checkpoint(bad)
