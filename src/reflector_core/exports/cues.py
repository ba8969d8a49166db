"""Caption cues: the shape WebVTT, SRT and text share, and the time stamps they print."""

from __future__ import annotations

import re
from collections.abc import Sequence

from attrs import frozen

from reflector_core.errors import CaptionParseError
from reflector_core.model import Participant
from reflector_core.turns import Turn

_SPACE = re.compile(r"\s+")


def clean_text(value: str) -> str:
    """Collapse every run of white space (newlines included) so a cue stays one block."""
    return _SPACE.sub(" ", value).strip()


@frozen
class Cue:
    start: float
    end: float
    speaker: str
    text: str


def speaker_labels(participants: Sequence[Participant], speakers: Sequence[int] = ()) -> dict[int, str]:
    """A readable, unique label per speaker index: the participant's name, else ``Speaker N``."""
    labels: dict[int, str] = {}
    taken: set[str] = set()
    for p in sorted(participants, key=lambda p: p.speaker):
        label = clean_text(p.label) or f"Speaker {p.speaker}"
        if label in taken:  # two people called "Alex" must stay two speakers
            label = f"{label} ({p.speaker})"
        labels[p.speaker] = label
        taken.add(label)
    for s in speakers:
        if s not in labels:
            labels[s] = f"Speaker {s}"
    return labels


def cues_from_turns(turns: Sequence[Turn], participants: Sequence[Participant]) -> list[Cue]:
    labels = speaker_labels(participants, [t.speaker for t in turns])
    return [
        Cue(start=round(t.start, 3), end=round(t.end, 3), speaker=labels[t.speaker], text=clean_text(t.text))
        for t in turns
    ]


def format_timestamp(seconds: float, decimal: str = ".") -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{decimal}{ms:03d}"


_TS = re.compile(r"^(?:(\d+):)?([0-5]\d):([0-5]\d)[.,](\d{3})$")


def parse_timestamp(value: str, fmt: str, line: int | None = None) -> float:
    m = _TS.match(value.strip())
    if m is None:
        raise CaptionParseError(fmt, f"bad time stamp {value!r}", line)
    h = int(m[1] or 0)
    return h * 3600 + int(m[2]) * 60 + int(m[3]) + int(m[4]) / 1000


def parse_timing_line(line: str, fmt: str, lineno: int) -> tuple[float, float]:
    parts = line.split("-->")
    if len(parts) != 2:
        raise CaptionParseError(fmt, "expected 'start --> end'", lineno)
    start = parse_timestamp(parts[0], fmt, lineno)
    end = parse_timestamp(parts[1].strip().split(" ")[0], fmt, lineno)  # WebVTT cue settings may follow
    if end < start:
        raise CaptionParseError(fmt, "cue ends before it starts", lineno)
    return start, end


def split_blocks(text: str) -> list[tuple[int, list[str]]]:
    """Blocks separated by blank lines, each with the 1-based number of its first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = 0
    for i, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        if raw.strip():
            if not current:
                first = i
            current.append(raw.rstrip())
        elif current:
            blocks.append((first, current))
            current = []
    if current:
        blocks.append((first, current))
    return blocks
