"""How one recording is processed: the CPU stage's inputs (``SourceFile``), its options and its result.

The worker (``process_recording`` → the ``Pipeline`` port) and ``reflector process`` hand the CPU stage
the same input type and get the same result type back.
"""

from __future__ import annotations

from pathlib import Path

from attrs import field, frozen

from reflector_core.crosstalk import CrosstalkSpan
from reflector_core.diarization import SpeakerHint
from reflector_core.model import Participant, TrackFailure, Waveform, Word
from reflector_core.turns import Turn, merge_turns


@frozen
class ProcessingOptions:
    speakers: SpeakerHint = field(factory=SpeakerHint)
    """What is known of the number of speakers in a mixed recording (the diarizer's bound)."""
    diarize: bool = True
    """Split a mixed recording into speakers; off: every word is one speaker's (``--no-diarization``)."""
    language: str | None = None
    """``auto`` or an ISO 639-1 code (the room's, the upload's); None: the transcriber's configured language."""


@frozen
class SourceFile:
    """One input on local disk: a participant's raw track, or the single mixed recording.

    ``key`` is the name the platform gave it (the Daily object key or just its file name): it carries
    the participant id and the offset stamps, and it names the track in failures.
    """

    path: Path
    key: str
    participant: Participant | None = None
    """Who speaks in a raw track, with the speaker index their words get. Set by whoever ordered the
    tracks (``process_recording``, or ``audio_pipeline.order_tracks``); ``None`` before that."""
    filename_offset: float | None = None
    """Seconds from the recording start, from the Daily file name stamps (set with ``participant``)."""


@frozen
class SkippedTrack:
    """A file that is not a participant's microphone (video, screen share): ignored, not failed."""

    track: str
    reason: str


@frozen
class PipelineResult:
    """What the CPU stage made of the inputs."""

    words: tuple[Word, ...]
    """Every word of every speaker, sorted by start."""
    participants: tuple[Participant, ...]
    """One per speaker, failed tracks included (their speaker just has no words)."""
    duration: float
    """End of the last track on the meeting timeline (or the mixdown's length when longer)."""
    failed_tracks: tuple[TrackFailure, ...] = ()
    skipped: tuple[SkippedTrack, ...] = ()
    mp3_path: Path | None = None
    """``None`` when no track could be mixed (see ``mixdown_error``)."""
    waveform: Waveform | None = None
    mixdown_error: str | None = None
    crosstalk: tuple[CrosstalkSpan, ...] = ()
    """Regions of a speaker's track found to be another speaker's voice (``track``/``source`` are
    speaker indexes); they were not transcribed."""
    language: str | None = None
    """The language transcribed: the one asked for, or what ``auto`` detected (None: no speech to tell)."""

    @property
    def turns(self) -> list[Turn]:
        return merge_turns(self.words)
