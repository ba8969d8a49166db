"""Every export is rendered from one word list (through turns), so the formats never disagree."""

from reflector_core.exports import json, srt, text, webvtt
from reflector_core.exports.cues import Cue, cues_from_turns, speaker_labels

__all__ = ["Cue", "cues_from_turns", "json", "speaker_labels", "srt", "text", "webvtt"]
