"""Plain text: one paragraph per turn, with the speaker and when it started."""

from __future__ import annotations

from collections.abc import Sequence

from reflector_core.exports.cues import cues_from_turns, format_timestamp
from reflector_core.model import Participant
from reflector_core.turns import Turn


def render(turns: Sequence[Turn], participants: Sequence[Participant], *, timestamps: bool = True) -> str:
    paragraphs = []
    for c in cues_from_turns(turns, participants):
        stamp = f"[{format_timestamp(c.start).split('.')[0]}] " if timestamps else ""
        paragraphs.append(f"{stamp}{c.speaker}: {c.text}")
    return "\n\n".join(paragraphs) + ("\n" if paragraphs else "")
