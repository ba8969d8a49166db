"""Hypothesis strategies shared by the unit tests."""

from __future__ import annotations

import string

from hypothesis import strategies as st

from reflector_core.model import Word

WORD_TEXT = st.text(string.ascii_letters + "'", min_size=1, max_size=10).map(lambda s: s) | st.sampled_from(
    ["Hello.", "why?", "done!", "fine,", "<tag>", "a&b", "x-->y", "naïve", "  spaced  "]
)


@st.composite
def speaker_words(draw: st.DrawFn, speaker: int, *, max_words: int = 25) -> list[Word]:
    """One speaker's words: increasing, non-overlapping, with realistic pauses."""
    t = draw(st.floats(0, 30, allow_nan=False))
    out = []
    for _ in range(draw(st.integers(0, max_words))):
        t += draw(st.floats(0, 4, allow_nan=False))
        dur = draw(st.floats(0.02, 1.5, allow_nan=False))
        out.append(Word(draw(WORD_TEXT), round(t, 3), round(t + dur, 3), speaker))
        t += dur
    return out


@st.composite
def meeting_words(draw: st.DrawFn, *, max_speakers: int = 4) -> list[Word]:
    n = draw(st.integers(1, max_speakers))
    return [w for s in range(n) for w in draw(speaker_words(s))]
