"""Where a transcript's derived audio lives in the transcript bucket (written by processing, deleted by
consent and retention)."""

from __future__ import annotations


def audio_key(transcript_id: str) -> str:
    return f"transcripts/{transcript_id}/audio.mp3"


def waveform_key(transcript_id: str) -> str:
    return f"transcripts/{transcript_id}/waveform.json"
