"""Reading the fixtures and measuring where sound is, for the audio engine's contract tests."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt

from reflector_core.timeline import PcmChunk

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "audio"
MEETING = FIXTURES / "meeting"

Signal = npt.NDArray[np.float32]


def fixture_truth() -> dict[str, Any]:
    return json.loads((FIXTURES / "fixtures.json").read_text())  # type: ignore[no-any-return]


def meeting_truth() -> dict[str, Any]:
    return json.loads((MEETING / "truth.json").read_text())  # type: ignore[no-any-return]


def meeting_track(track: dict[str, Any]) -> Path:
    key: str = track["s3Key"]
    return MEETING / key.rsplit("/", 1)[-1]


def render(chunks: Iterable[PcmChunk], sample_rate: int) -> Signal:
    """The chunks laid on one array from meeting second 0 (small fixtures only)."""
    placed = [(round(c.start * sample_rate), np.frombuffer(c.data, dtype="<f4")) for c in chunks]
    out = np.zeros(max(s + len(d) for s, d in placed), dtype=np.float32)
    for s, d in placed:
        assert not out[s : s + len(d)].any(), "two chunks wrote the same place"
        out[s : s + len(d)] = d
    return out


def decode_file(path: Path) -> tuple[Signal, int]:
    """A whole (small) file as mono float32 and its rate, for checking outputs."""
    with av.open(str(path)) as c:
        stream = c.streams.audio[0]
        parts = [f.to_ndarray().mean(axis=0) for f in c.decode(stream)]
        return np.concatenate(parts).astype(np.float32), stream.rate


def sound_spans(
    sig: Signal, sample_rate: int, *, threshold: float = 0.1, window: float = 0.005
) -> list[tuple[float, float]]:
    """Where the envelope (peak over 5 ms windows) is above ``threshold``, merged across holes under 50 ms."""
    n = max(1, round(window * sample_rate))
    frames = len(sig) // n
    env = np.abs(sig[: frames * n]).reshape(frames, n).max(axis=1) > threshold
    spans: list[tuple[float, float]] = []
    for i in np.flatnonzero(env):
        t = i * n / sample_rate
        if spans and t - spans[-1][1] < 0.05:
            spans[-1] = (spans[-1][0], t + n / sample_rate)
        else:
            spans.append((t, t + n / sample_rate))
    return spans
