"""The worker's ``LocalPipeline`` keeps the speaker indexes ``process_recording`` assigned."""

from __future__ import annotations

from pathlib import Path

from reflector_app.pipeline import LocalPipeline
from reflector_core.model import Participant
from reflector_core.processing import SourceFile
from tests.unit.test_audio_pipeline import PIDS, FakeAudio, FakeTranscriber, daily_name


def test_the_speaker_indexes_and_names_given_are_the_ones_returned(tmp_path: Path) -> None:
    # Speaker 1's track could not be downloaded: speakers 0 and 2 keep their numbers and names.
    keys = [daily_name(PIDS[0], 0), daily_name(PIDS[2], 2000)]
    given = [Participant(0, PIDS[0], "Ana", "u-ana"), Participant(2, PIDS[2], "Cleo")]
    sources = [SourceFile(tmp_path / k, k, p, 0.0) for k, p in zip(keys, given, strict=True)]
    pipeline = LocalPipeline(FakeAudio(), FakeTranscriber())  # type: ignore[arg-type]

    result = pipeline(sources, tmp_path / "out", multitrack=True, progress=lambda stage, done, total: None)

    assert result.participants == tuple(given)
    assert {w.speaker for w in result.words} == {0, 2}
    assert result.mp3_path == tmp_path / "out" / "audio.mp3"
