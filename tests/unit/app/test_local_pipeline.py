"""The worker's ``LocalPipeline`` keeps the speaker indexes ``process_recording`` assigned, and transcribes
each recording in its own language."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from reflector_app.pipeline import LocalPipeline
from reflector_core.languages import LanguageError, refusal
from reflector_core.model import Participant, Word
from reflector_core.processing import ProcessingOptions, SourceFile
from reflector_core.timeline import PcmChunk
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


MP4 = "room-2026-03-14T09:30:00Z.mp4"


class DetectingTranscriber(FakeTranscriber):
    """``auto`` is detected as French on the first chunk; an English-only model refuses the rest."""

    def __init__(self, *, english_only: bool = False) -> None:
        super().__init__()
        self.english_only = english_only
        self.asked: list[str | None] = []

    def use_language(self, language: str | None) -> None:
        self.asked.append(language)
        if self.english_only and language not in (None, "en"):
            raise LanguageError(refusal(language or "", "tiny.en"))
        self.language = None if language == "auto" else (language or "en")

    def transcribe(self, chunks: Iterable[PcmChunk], *, speaker: int) -> list[Word]:
        words = super().transcribe(chunks, speaker=speaker)
        self.language = self.language or "fr"
        return words


def _run(pipeline: LocalPipeline, tmp_path: Path, language: str | None, *, multitrack: bool = False):  # type: ignore[no-untyped-def]
    return pipeline(
        [SourceFile(tmp_path / MP4, MP4)],
        tmp_path / "out",
        multitrack=multitrack,
        progress=lambda stage, done, total: None,
        options=ProcessingOptions(language=language),
    )


def test_each_recording_is_transcribed_in_its_own_language(tmp_path: Path) -> None:
    transcriber = DetectingTranscriber()
    pipeline = LocalPipeline(FakeAudio(), transcriber)
    assert _run(pipeline, tmp_path, "de").language == "de"
    assert _run(pipeline, tmp_path, "auto").language == "fr"  # detected, not the previous recording's
    assert _run(pipeline, tmp_path, None).language == "en"  # the configured one
    assert _run(pipeline, tmp_path, "es", multitrack=True).language == "es"
    assert transcriber.asked == ["de", "auto", None, "es"]


def test_a_language_the_model_cannot_do_is_refused_before_any_audio_is_read(tmp_path: Path) -> None:
    audio = FakeAudio()
    pipeline = LocalPipeline(audio, DetectingTranscriber(english_only=True))
    with pytest.raises(LanguageError, match="English-only"):
        _run(pipeline, tmp_path, "de")
    assert not getattr(audio, "mixed", None)
