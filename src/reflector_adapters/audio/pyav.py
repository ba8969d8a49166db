"""``AudioEngine`` on PyAV (FFmpeg): probing, speech chunks (one track or the whole meeting with crosstalk
removed) and the mixdown, all streaming from the raw files."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from reflector_adapters.audio.chunks import speech_chunks
from reflector_adapters.audio.decode import placed_audio
from reflector_adapters.audio.meeting import meeting_speech
from reflector_adapters.audio.mix import mix_to_mp3
from reflector_adapters.audio.probe import probe_track
from reflector_core.crosstalk import CrosstalkSettings
from reflector_core.meeting_audio import MeetingAudioEvent
from reflector_core.ports import MixInput, Waveform
from reflector_core.timeline import PcmChunk, TrackProbe, TrackTimeline


class PyAVAudioEngine:
    """Stateless; safe to share. Every unreadable input raises ``UnreadableMediaError`` naming the file."""

    def probe(self, path: Path, *, filename_offset: float | None = None) -> TrackProbe:
        return probe_track(path, filename_offset=filename_offset)

    def speech_audio(
        self, path: Path, timeline: TrackTimeline, *, sample_rate: int = 16_000, max_chunk: float = 30.0
    ) -> Iterator[PcmChunk]:
        return speech_chunks(
            placed_audio(path, timeline, sample_rate=sample_rate),
            timeline,
            sample_rate=sample_rate,
            max_chunk=max_chunk,
        )

    def meeting_speech(
        self,
        inputs: Sequence[MixInput],
        *,
        sample_rate: int = 16_000,
        max_chunk: float = 30.0,
        crosstalk: CrosstalkSettings | None = None,
    ) -> Iterator[MeetingAudioEvent]:
        return meeting_speech(inputs, sample_rate=sample_rate, max_chunk=max_chunk, crosstalk=crosstalk)

    def mixdown(self, inputs: Sequence[MixInput], mp3_path: Path, *, peaks_per_second: float = 10.0) -> Waveform:
        return mix_to_mp3(inputs, mp3_path, peaks_per_second=peaks_per_second)
