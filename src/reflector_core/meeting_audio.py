"""What the audio engine delivers when it reads a whole meeting at once (every track in lockstep).

The engine walks all tracks side by side on the meeting timeline, so it can compare them (crosstalk)
while decoding each of them only once. It yields, in timeline order:

- ``TrackChunk``: speech audio of one track (index into the inputs), with leaked crosstalk removed;
- ``TrackBreak``: a track that could not be read (further on); the rest of it is silence;
- ``CrosstalkSpan`` (``reflector_core.crosstalk``): a region of a track found to be another
  track's voice, with the evidence; that region is not in the track's chunks.
"""

from __future__ import annotations

from attrs import frozen

from reflector_core.crosstalk import CrosstalkSpan
from reflector_core.timeline import PcmChunk


@frozen
class TrackChunk:
    track: int
    """Index of the track in the engine's inputs."""
    chunk: PcmChunk


@frozen
class TrackBreak:
    track: int
    reason: str


@frozen
class SpeakerChunk:
    """A chunk of one speaker's audio, as the transcriber takes them (speakers interleaved in time)."""

    speaker: int
    chunk: PcmChunk


MeetingAudioEvent = TrackChunk | TrackBreak | CrosstalkSpan
