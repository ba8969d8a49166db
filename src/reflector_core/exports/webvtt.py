"""WebVTT with ``<v Name>`` voice spans: one cue per turn."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from reflector_core.errors import CaptionParseError
from reflector_core.exports.cues import Cue, cues_from_turns, format_timestamp, parse_timing_line, split_blocks
from reflector_core.model import Participant
from reflector_core.turns import Turn

_VOICE = re.compile(r"^<v(?:\.[^\s>]+)?[ \t]+([^>]*)>(.*?)(?:</v>)?$", re.S)


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_cues(cues: Sequence[Cue], *, language: str | None = None) -> str:
    # A "Language:" line in the header block: players read it, and parse() skips the header.
    out = ["WEBVTT", *([f"Language: {language}"] if language else []), ""]
    for c in cues:
        out.append(f"{format_timestamp(c.start)} --> {format_timestamp(c.end)}")
        out.append(f"<v {_escape(c.speaker)}>{_escape(c.text)}")
        out.append("")
    return "\n".join(out)


def render(turns: Sequence[Turn], participants: Sequence[Participant], *, language: str | None = None) -> str:
    return render_cues(cues_from_turns(turns, participants), language=language)


def parse(text: str) -> list[Cue]:
    if not text.lstrip("\ufeff").startswith("WEBVTT"):
        raise CaptionParseError("WebVTT", "missing WEBVTT header", 1)
    cues: list[Cue] = []
    for lineno, lines in split_blocks(text)[1:]:
        if lines[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        timing_at = 0 if "-->" in lines[0] else 1  # an optional cue identifier comes first
        if timing_at >= len(lines) or "-->" not in lines[timing_at]:
            raise CaptionParseError("WebVTT", "cue without a timing line", lineno)
        start, end = parse_timing_line(lines[timing_at], "WebVTT", lineno + timing_at)
        body = "\n".join(lines[timing_at + 1 :])
        m = _VOICE.match(body)
        speaker, payload = (m[1], m[2]) if m else ("", body)
        payload = re.sub(r"</?[^>]+>", "", payload)  # other cue markup (<b>, <c.x>) is not text
        cues.append(
            Cue(start=start, end=end, speaker=html.unescape(speaker).strip(), text=html.unescape(payload).strip())
        )
    return cues
