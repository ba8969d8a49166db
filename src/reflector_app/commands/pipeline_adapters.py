"""Composition for the CLI's pipeline commands: which audio engine and transcriber ``process`` uses.

Kept apart from argument parsing so the composition root (``bootstrap.py``) can take it over.
"""

from __future__ import annotations

from pathlib import Path

import attrs
from attrs import frozen

from reflector_adapters.asr.whisper import WhisperSettings, WhisperTranscriber
from reflector_adapters.audio.pyav import PyAVAudioEngine


@frozen
class PipelineAdapters:
    audio: PyAVAudioEngine
    transcriber: WhisperTranscriber


def build_cli_adapters(
    *, model: str, cpu_threads: int | None = None, model_cache: Path | None = None
) -> PipelineAdapters:
    """The PyAV engine and a Whisper transcriber; the model is resolved now (bad settings fail early)."""
    settings = WhisperSettings(model=model, model_cache=model_cache)
    if cpu_threads:
        settings = attrs.evolve(settings, cpu_threads=cpu_threads)
    transcriber = WhisperTranscriber(settings)
    transcriber.resolve()
    return PipelineAdapters(audio=PyAVAudioEngine(), transcriber=transcriber)


def build_audio_engine() -> PyAVAudioEngine:
    return PyAVAudioEngine()
