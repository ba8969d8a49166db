"""Filters against what Whisper says when nobody speaks: repetition loops and text on near-silence.

Pure functions over plain numbers and strings, so each rule is tested on its own. The first line
of defence is elsewhere (only VAD speech reaches the decoder, see ``speech.py``); these catch what
slips through.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from attrs import frozen

_NORMALISE = re.compile(r"[^\w']+")


@frozen
class SegmentStats:
    """What the decoder reports about one segment, plus the loudness of the audio under it."""

    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    peak_db: float
    """Loudest 32 ms frame of the segment's audio, in dBFS."""


@frozen
class GuardSettings:
    no_speech_prob: float = 0.6
    log_prob: float = -1.0
    compression_ratio: float = 2.4
    floor_db: float = -45.0
    """Audio whose loudest frame stays below this is near-silence, whatever the model heard in it."""
    max_repeats: int = 2
    """Consecutive copies of the same 1–6-word phrase kept; further copies are a decoding loop."""


def rejects_segment(stats: SegmentStats, settings: GuardSettings = GuardSettings()) -> str | None:
    """Why a decoded segment should be dropped, or ``None`` to keep it."""
    if stats.peak_db < settings.floor_db:
        return f"near-silence ({stats.peak_db:.0f} dBFS)"
    if stats.no_speech_prob > settings.no_speech_prob and stats.avg_logprob < settings.log_prob:
        return f"no speech (p={stats.no_speech_prob:.2f}, logprob={stats.avg_logprob:.2f})"
    if stats.compression_ratio > settings.compression_ratio:
        # faster-whisper keeps the last temperature's output even when every attempt looped.
        return f"repetitive (compression ratio {stats.compression_ratio:.1f})"
    return None


def normalise(word: str) -> str:
    return _NORMALISE.sub("", word.lower())


def repeated_ngrams(words: Sequence[str], *, max_repeats: int = 2, max_n: int = 6) -> list[bool]:
    """For each word, whether it belongs to a run of one phrase repeated more than ``max_repeats`` times.

    Only the copies beyond ``max_repeats`` are marked, so "no, no" survives while "thank you thank
    you thank you thank you" keeps two. Comparison ignores case and punctuation.
    """
    keys = [normalise(w) for w in words]
    drop = [False] * len(keys)
    i = 0
    while i < len(keys):
        advanced = False
        for n in range(1, max_n + 1):
            phrase = keys[i : i + n]
            if len(phrase) < n or not any(phrase):
                break
            copies = 1
            while keys[i + copies * n : i + (copies + 1) * n] == phrase:
                copies += 1
            if copies > max_repeats:
                for j in range(i + max_repeats * n, i + copies * n):
                    drop[j] = True
                i += copies * n
                advanced = True
                break
        if not advanced:
            i += 1
    return drop
