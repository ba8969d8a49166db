"""Diarization: who spoke when in a mixed recording (values in ``reflector_core.diarization``)."""

from __future__ import annotations

from typing import Protocol

from reflector_core.diarization import SpeakerHint, SpeakerTurn
from reflector_core.timeline import PcmChunk


class DiarizationSession(Protocol):
    """One recording's diarization: fed the audio chunks as they stream past, asked once at the end."""

    def feed(self, chunk: PcmChunk) -> None:
        """Listen to one chunk (16 kHz mono float32, meeting-timeline start); keeps no audio."""
        ...

    def finish(self, hint: SpeakerHint) -> list[SpeakerTurn]:
        """Turns of every speaker found, sorted by start; empty when nobody spoke."""
        ...


class Diarizer(Protocol):
    def session(self) -> DiarizationSession:
        """A fresh session (the model is loaded once per diarizer and shared)."""
        ...
