"""How one recording is processed: options chosen per room, per upload or per command-line run."""

from __future__ import annotations

from attrs import field, frozen

from reflector_core.diarization import SpeakerHint


@frozen
class ProcessingOptions:
    speakers: SpeakerHint = field(factory=SpeakerHint)
    """What is known of the number of speakers in a mixed recording (the diarizer's bound)."""
    diarize: bool = True
    """Split a mixed recording into speakers; off: every word is one speaker's (``--no-diarization``)."""
