"""Audio and speech: the CPU-bound work on local files, and the ``Pipeline`` that chains it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol

from reflector_core.crosstalk import CrosstalkSettings
from reflector_core.meeting_audio import MeetingAudioEvent, SpeakerChunk
from reflector_core.model import Waveform, Word
from reflector_core.processing import PipelineResult, ProcessingOptions, SourceFile
from reflector_core.timeline import MixInput, PcmChunk, TrackProbe, TrackTimeline

ProgressCallback = Callable[[str, float, float], None]
"""``(stage, done, total)``: called as work advances (CLI progress bar, live status)."""


class AudioEngine(Protocol):
    """CPU-bound media work on local files (the adapter streams; nothing holds a whole track)."""

    def probe(self, path: Path, *, filename_offset: float | None = None) -> TrackProbe:
        """Offset, timeline duration and gaps. Raises ``UnreadableMediaError``."""
        ...

    def speech_audio(
        self, path: Path, timeline: TrackTimeline, *, sample_rate: int = 16_000, max_chunk: float = 30.0
    ) -> Iterable[PcmChunk]:
        """The track's present (non-gap) audio as mono chunks placed on the meeting timeline.

        Chunks never span a gap and last at most ``max_chunk`` seconds (cut at a quiet moment, so a
        word is not split), which keeps memory flat however long the track is.
        """
        ...

    def meeting_speech(
        self,
        inputs: Sequence[MixInput],
        *,
        sample_rate: int = 16_000,
        max_chunk: float = 30.0,
        crosstalk: CrosstalkSettings | None = None,
    ) -> Iterable[MeetingAudioEvent]:
        """Every track's speech audio, read side by side in one pass (see ``reflector_core.meeting_audio``).

        Each track's chunks are ``speech_audio``'s, except that regions found to be another track's
        voice (``crosstalk``; ``None`` or disabled: no analysis) are silenced and reported as
        ``CrosstalkSpan``. A track that breaks is reported once as ``TrackBreak`` and is silence from
        there on; nothing here raises for one bad track.
        """
        ...

    def mixdown(self, inputs: Sequence[MixInput], mp3_path: Path, *, peaks_per_second: float = 10.0) -> Waveform:
        """Mix every track, aligned and gap-filled, in one pass into an MP3; return its waveform."""
        ...


class Transcriber(Protocol):
    language: str | None
    """The language being transcribed: the one asked for, or what ``auto`` detected (None until then)."""

    def use_language(self, language: str | None) -> None:
        """Transcribe the next recording in ``language`` (``auto``: detect it anew; None: the configured one).

        Raises ``LanguageError`` when the model cannot (an English-only model asked for another language).
        """
        ...

    def transcribe(self, chunks: Iterable[PcmChunk], *, speaker: int) -> list[Word]:
        """Words of one speaker's audio, with times on the meeting timeline."""
        ...

    def transcribe_speakers(self, chunks: Iterable[SpeakerChunk]) -> list[Word]:
        """Words of several speakers whose chunks arrive interleaved (each speaker's in time order)."""
        ...


class Pipeline(Protocol):
    """The CPU stage: local files in, words and a mixed MP3 out (runs in a worker thread).

    Raw tracks (``multitrack``) arrive in speaker order, each with its ``participant``: the speaker
    indexes the caller assigned are the ones the words and participants of the result carry.
    """

    def __call__(
        self,
        sources: Sequence[SourceFile],
        workdir: Path,
        *,
        multitrack: bool,
        progress: ProgressCallback,
        options: ProcessingOptions | None = None,
    ) -> PipelineResult: ...
