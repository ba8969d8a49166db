"""The worker's CPU stage: PyAV audio engine, Whisper transcriber and diarizer behind the ``Pipeline`` port."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import attrs

from reflector_adapters.asr.whisper import WhisperSettings, WhisperTranscriber
from reflector_adapters.audio.pyav import PyAVAudioEngine
from reflector_adapters.diarization.diarizer import EmbeddingDiarizer
from reflector_app.settings import Settings
from reflector_core.audio_pipeline import process_multitrack, process_single_file
from reflector_core.ports import AudioEngine, Diarizer, PipelineResult, ProgressCallback, SourceFile, Transcriber
from reflector_core.processing import ProcessingOptions


class LocalPipeline:
    """Runs ``process_multitrack`` / ``process_single_file`` on downloaded files.

    One transcriber (one loaded model) per worker process; the lock keeps two worker threads from
    sharing it at once, since a CTranslate2 model already uses every core it is given.
    """

    def __init__(self, audio: AudioEngine, transcriber: Transcriber, diarizer: Diarizer | None = None) -> None:
        self.audio = audio
        self.transcriber = transcriber
        self.diarizer = diarizer
        self._lock = threading.Lock()

    def __call__(
        self,
        sources: Sequence[SourceFile],
        workdir: Path,
        *,
        multitrack: bool,
        progress: ProgressCallback,
        options: ProcessingOptions | None = None,
    ) -> PipelineResult:
        workdir.mkdir(parents=True, exist_ok=True)
        mp3 = workdir / "audio.mp3"
        with self._lock:
            # Each recording its own language (``auto``: detected anew); ``LanguageError`` when the model cannot.
            self.transcriber.use_language(options.language if options else None)
            if multitrack:
                # The sources carry the speaker indexes ``process_recording`` assigned: kept as given.
                result = process_multitrack(
                    sources, audio=self.audio, transcriber=self.transcriber, mp3_path=mp3, progress=progress
                )
            else:
                result = process_single_file(
                    sources[0],
                    audio=self.audio,
                    transcriber=self.transcriber,
                    mp3_path=mp3,
                    diarizer=self.diarizer,
                    options=options,
                    progress=progress,
                )
            # Read under the lock: what this recording was transcribed in (what ``auto`` detected).
            return attrs.evolve(result, language=self.transcriber.language)


def whisper_transcriber(
    model: str, *, cpu_threads: int | None = None, model_cache: Path | None = None, language: str = "en"
) -> WhisperTranscriber:
    """A Whisper transcriber for a model setting (``tiny.en``, ``base`` or a path); loads lazily."""
    settings = WhisperSettings(model=model, model_cache=model_cache, language=language)
    if cpu_threads:
        settings = attrs.evolve(settings, cpu_threads=cpu_threads)
    return WhisperTranscriber(settings)


def build_pipeline(settings: Settings) -> LocalPipeline:
    whisper = whisper_transcriber(
        settings.whisper.model,
        cpu_threads=settings.whisper.threads,
        model_cache=settings.whisper.model_cache_dir.expanduser(),
        language=settings.whisper.default_language,
    )
    return LocalPipeline(PyAVAudioEngine(), whisper, EmbeddingDiarizer())
