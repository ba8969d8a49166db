"""``PyAVAudioEngine.meeting_speech``: all tracks read side by side once; crosstalk silenced and reported.

The crosstalk fixture (``tools/make_audio_fixtures.py``) is a 3-speaker meeting where every
microphone hears the other two 20 dB down and 8-25 ms late, turns overlap, and track 2's microphone
is 12 dB quieter than the others.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reflector_adapters.audio import PyAVAudioEngine
from reflector_core.crosstalk import CrosstalkSettings, CrosstalkSpan
from reflector_core.meeting_audio import TrackBreak, TrackChunk
from reflector_core.ports import MixInput
from reflector_core.timeline import PcmChunk
from tests.contract.audio.helpers import FIXTURES, MEETING, meeting_track, meeting_truth

engine = PyAVAudioEngine()
CROSSTALK = FIXTURES / "crosstalk"
RATE = 16_000
FRAME = 0.02


def inputs_of(folder: Path, truth: dict[str, Any]) -> list[MixInput]:
    """The tracks in speaker order: input index = truth speaker."""
    out = []
    for t in sorted(truth["tracks"], key=lambda t: t["speaker"]):
        path = folder / t["s3Key"].rsplit("/", 1)[-1]
        out.append(MixInput(path, engine.probe(path).timeline))
    return out


def per_track(events: list[Any], tracks: int) -> list[list[PcmChunk]]:
    out: list[list[PcmChunk]] = [[] for _ in range(tracks)]
    for e in events:
        if isinstance(e, TrackChunk):
            out[e.track].append(e.chunk)
    return out


def frame_energy(chunks: list[PcmChunk], duration: float) -> np.ndarray:
    """Energy per 20 ms frame of the meeting timeline (0 where the track delivered nothing)."""
    n = round(FRAME * RATE)
    out = np.zeros(int(duration / FRAME) + 2)
    for c in chunks:
        data = np.frombuffer(c.data, dtype="<f4").astype(np.float64)
        first = round(c.start * RATE)
        for k in range(0, len(data), n):
            idx = (first + k) // n
            if idx < len(out):
                out[idx] += float(np.sum(data[k : k + n] ** 2))
    return out


def frames_of(spans: list[tuple[float, float]], length: int, pad: float = 0.0) -> np.ndarray:
    t = np.arange(length) * FRAME
    mask = np.zeros(length, dtype=bool)
    for a, b in spans:
        mask |= (t + FRAME > a - pad) & (t < b + pad)
    return mask


@pytest.fixture(scope="module")
def crosstalk_run() -> tuple[dict[str, Any], list[list[PcmChunk]], list[list[PcmChunk]], list[CrosstalkSpan]]:
    truth = json.loads((CROSSTALK / "truth.json").read_text())
    inputs = inputs_of(CROSSTALK, truth)
    plain = [list(engine.speech_audio(i.path, i.timeline)) for i in inputs]
    events = list(engine.meeting_speech(inputs, crosstalk=CrosstalkSettings()))
    spans = [e for e in events if isinstance(e, CrosstalkSpan)]
    return truth, plain, per_track(events, len(inputs)), spans


def test_without_the_analysis_every_track_reads_exactly_as_speech_audio() -> None:
    truth = meeting_truth()
    inputs = [MixInput(meeting_track(t), engine.probe(meeting_track(t)).timeline) for t in truth["tracks"]]
    events = list(engine.meeting_speech(inputs, max_chunk=5.0, crosstalk=None))
    assert not [e for e in events if not isinstance(e, TrackChunk)]
    for i, got in enumerate(per_track(events, len(inputs))):
        want = list(engine.speech_audio(inputs[i].path, inputs[i].timeline, max_chunk=5.0))
        assert [(c.start, c.data) for c in got] == [(c.start, c.data) for c in want]
    assert MEETING.is_dir()


def test_other_voices_are_silenced_on_every_track(crosstalk_run: Any) -> None:
    truth, plain, ours, _ = crosstalk_run
    utts = truth["utterances"]
    for track, (before, after) in enumerate(zip(plain, ours, strict=True)):
        e_before = frame_energy(before, truth["duration"])
        e_after = frame_energy(after, truth["duration"])
        own = frames_of([(u["onset"], u["offset"]) for u in utts if u["speaker"] == track], len(e_before), 0.15)
        others = frames_of([(u["onset"], u["offset"]) for u in utts if u["speaker"] != track], len(e_before))
        # leaked frames loud enough for the transcriber's energy gate (-45 dBFS): 95 % of their energy is gone
        loud = e_before > 10 ** (-45 / 10) * FRAME * RATE
        leak_only = others & ~own & loud
        assert e_before[leak_only].sum() > 0
        assert e_after[leak_only].sum() <= 0.05 * e_before[leak_only].sum(), track
        # and not one such frame is still loud enough to be transcribed (the quiet track's first words,
        # before its level is learnt, and a leaked word's last syllable included)
        assert not np.any(e_after[leak_only] > 10 ** (-45 / 10) * FRAME * RATE), track


def test_a_talkers_own_speech_is_kept_also_when_others_talk_over_it(crosstalk_run: Any) -> None:
    truth, plain, ours, _ = crosstalk_run
    for track, (before, after) in enumerate(zip(plain, ours, strict=True)):
        mine = [(u["onset"], u["offset"]) for u in truth["utterances"] if u["speaker"] == track]
        e_before = frame_energy(before, truth["duration"])
        e_after = frame_energy(after, truth["duration"])
        own = frames_of(mine, len(e_before))
        # track 2 is the quiet microphone; every track's utterances keep at least 99 % of their energy
        assert e_after[own].sum() >= 0.99 * e_before[own].sum(), track


def test_each_silenced_region_is_reported_with_the_voice_it_carries(crosstalk_run: Any) -> None:
    truth, _, _, spans = crosstalk_run
    assert spans
    utts = truth["utterances"]
    for s in spans:
        mid = (s.start + s.end) / 2
        talking = {u["speaker"] for u in utts if u["onset"] - 0.1 <= mid <= u["offset"] + 0.1}
        assert s.source in talking and s.track not in talking, s
        assert s.correlation >= CrosstalkSettings().min_correlation
        assert 0.0 <= s.delay <= 0.04 and s.dominance_db >= CrosstalkSettings().dominance_db


def test_a_track_that_cannot_be_read_is_reported_and_the_others_go_on(tmp_path: Path) -> None:
    truth = json.loads((CROSSTALK / "truth.json").read_text())
    inputs = inputs_of(CROSSTALK, truth)
    broken = tmp_path / "broken.webm"
    broken.write_bytes(b"not audio at all")
    events = list(engine.meeting_speech([inputs[0], MixInput(broken, inputs[1].timeline)]))
    assert [e.track for e in events if isinstance(e, TrackBreak)] == [1]
    assert per_track(events, 2)[0]
