"""Where a chunk of one participant's audio has speech: an energy gate, then Silero VAD.

A participant's track is mostly silence (others talk, or nobody does). The energy gate skips
digital silence and room tone for the price of one RMS per 32 ms frame; Silero VAD (shipped inside
faster-whisper, no download) then runs only on what is loud enough to be speech, and only what it
calls speech ever reaches the decoder, which therefore cannot invent text in the silence.
"""

from __future__ import annotations

import numpy as np
from attrs import frozen
from faster_whisper.vad import VadOptions, get_speech_timestamps

FRAME = 512  # samples: Silero's window at 16 kHz (32 ms)


@frozen
class SpeechSettings:
    floor_db: float = -45.0
    """Frames quieter than this (RMS, dBFS) are silence before VAD even looks."""
    gate_pad: float = 0.5
    """Seconds of context kept around loud frames for VAD (its state needs a run-up)."""
    vad_threshold: float = 0.5
    min_silence: float = 0.5
    """A pause this long ends a speech region; shorter pauses stay inside it."""
    speech_pad: float = 0.2
    """Seconds added around each speech region so word edges are not clipped."""
    min_speech: float = 0.1
    max_speech: float = 28.0
    """Longer regions are split at their quietest pause; must fit one decoder window."""


def frame_rms_db(audio: np.ndarray) -> np.ndarray:
    """RMS level of each full or trailing partial 32 ms frame, in dBFS."""
    if audio.size == 0:
        return np.zeros(0, dtype=np.float32)
    pad = (-audio.size) % FRAME
    frames = np.pad(audio, (0, pad)).reshape(-1, FRAME)
    rms = np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1))
    levels: np.ndarray = (20.0 * np.log10(np.maximum(rms, 1e-10))).astype(np.float32)
    return levels


def loud_regions(audio: np.ndarray, sample_rate: int, settings: SpeechSettings) -> list[tuple[int, int]]:
    """Sample ranges around frames above the energy floor, merged when their padding touches."""
    loud = np.flatnonzero(frame_rms_db(audio) > settings.floor_db)
    if loud.size == 0:
        return []
    pad = int(settings.gate_pad * sample_rate)
    out: list[tuple[int, int]] = []
    for f in loud:
        a, b = max(0, int(f) * FRAME - pad), min(audio.size, (int(f) + 1) * FRAME + pad)
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def vad_options(settings: SpeechSettings) -> VadOptions:
    return VadOptions(
        threshold=settings.vad_threshold,
        min_speech_duration_ms=int(settings.min_speech * 1000),
        max_speech_duration_s=settings.max_speech,
        min_silence_duration_ms=int(settings.min_silence * 1000),
        speech_pad_ms=int(settings.speech_pad * 1000),
    )


def speech_regions(audio: np.ndarray, sample_rate: int, settings: SpeechSettings) -> list[tuple[int, int]]:
    """Sample ranges of speech in ``audio`` (mono float32 at 16 kHz), sorted and disjoint."""
    options = vad_options(settings)
    out: list[tuple[int, int]] = []
    for a, b in loud_regions(audio, sample_rate, settings):
        for ts in get_speech_timestamps(audio[a:b], options, sampling_rate=sample_rate):
            start, end = a + int(ts["start"]), a + int(ts["end"])
            if out and start <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], end))
            elif end > start:
                out.append((start, end))
    return out


EDGE_FRAME = 160  # samples: 10 ms, the resolution of the onset/offset search


def sound_edges(
    audio: np.ndarray, sample_rate: int, floor_db: float, *, above_noise_db: float = 15.0
) -> tuple[float, float] | None:
    """Seconds from the start of ``audio`` to its first and last 10 ms of sound, or ``None``.

    Sound is a frame louder than both ``floor_db`` and the quietest tenth of the frames plus
    ``above_noise_db``, so steady room tone in the padding never counts as an onset.
    """
    n = audio.size // EDGE_FRAME
    if n == 0:
        return None
    frames = audio[: n * EDGE_FRAME].reshape(n, EDGE_FRAME)
    rms = np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1))
    levels = 20.0 * np.log10(np.maximum(rms, 1e-10))
    threshold = max(floor_db, float(np.percentile(levels, 10)) + above_noise_db)
    loud = np.flatnonzero(levels > threshold)
    if loud.size == 0:
        return None
    return int(loud[0]) * EDGE_FRAME / sample_rate, (int(loud[-1]) + 1) * EDGE_FRAME / sample_rate
