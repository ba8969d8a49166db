"""SubRip: numbered cues, ``Name: text``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from reflector_core.errors import CaptionParseError
from reflector_core.exports.cues import Cue, cues_from_turns, format_timestamp, parse_timing_line, split_blocks
from reflector_core.model import Participant
from reflector_core.turns import Turn


def render_cues(cues: Sequence[Cue]) -> str:
    out: list[str] = []
    for i, c in enumerate(cues, start=1):
        out += [
            str(i),
            f"{format_timestamp(c.start, ',')} --> {format_timestamp(c.end, ',')}",
            f"{c.speaker}: {c.text}",
            "",
        ]
    return "\n".join(out)


def render(turns: Sequence[Turn], participants: Sequence[Participant]) -> str:
    return render_cues(cues_from_turns(turns, participants))


def parse(text: str, speakers: Iterable[str] = ()) -> list[Cue]:
    """Read SRT back; ``speakers`` (known labels) disambiguates names that contain ``": "``."""
    known = sorted(set(speakers), key=len, reverse=True)
    cues: list[Cue] = []
    for lineno, lines in split_blocks(text):
        if not lines[0].strip().isdigit():
            raise CaptionParseError("SRT", "cue must start with its number", lineno)
        if len(lines) < 2:
            raise CaptionParseError("SRT", "cue without a timing line", lineno)
        start, end = parse_timing_line(lines[1], "SRT", lineno + 1)
        body = " ".join(x.strip() for x in lines[2:])
        speaker, content = "", body
        for label in known:
            if body.startswith(label + ": ") or body == label + ":":
                speaker, content = label, body[len(label) + 1 :]
                break
        else:
            head, sep, rest = body.partition(": ")
            if sep:
                speaker, content = head, rest
        cues.append(Cue(start=start, end=end, speaker=speaker.strip(), text=content.strip()))
    return cues
