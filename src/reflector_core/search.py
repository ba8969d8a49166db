"""Full-text search over transcript words: what a query is, what a hit looks like, how text is cut.

Transcripts are indexed turn by turn (``segments``), so every hit knows the second it starts at and a
reader link can jump there. The query language is deliberately plain: words, all of which must occur
in one turn (case-insensitive, whole words, no operators), identically on every backend.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from attrs import frozen

from reflector_core.errors import InvalidInputError
from reflector_core.model import Word
from reflector_core.turns import merge_turns

MAX_QUERY = 200
MAX_TERMS = 12
_WORD = re.compile(r"\w+", re.UNICODE)


@frozen
class Segment:
    """One searchable stretch of a transcript: a turn's text and where it starts."""

    position: int
    start: float
    text: str


@frozen
class Snippet:
    text: str
    start: float


@frozen
class SearchHit:
    transcript_id: str
    snippets: tuple[Snippet, ...]


def terms(query: str) -> tuple[str, ...]:
    """The query's words, lower-cased; ``InvalidInputError`` for an empty or oversized query."""
    if len(query) > MAX_QUERY:
        raise InvalidInputError(f"a search is at most {MAX_QUERY} characters")
    found = tuple(dict.fromkeys(w.casefold() for w in _WORD.findall(query)))
    if not found:
        raise InvalidInputError("a search needs at least one word")
    return found[:MAX_TERMS]


def segments(words: Iterable[Word]) -> list[Segment]:
    return [Segment(i, t.start, t.text) for i, t in enumerate(merge_turns(words))]


def matches(text: str, wanted: tuple[str, ...]) -> bool:
    present = {w.casefold() for w in _WORD.findall(text)}
    return all(t in present for t in wanted)


def excerpt(text: str, wanted: tuple[str, ...], *, width: int = 160) -> str:
    """At most ``width`` characters of ``text`` around its first matching word, with ``…`` where cut."""
    if len(text) <= width:
        return text
    first = min((m.start() for m in _WORD.finditer(text) if m.group().casefold() in wanted), default=0)
    start = max(0, min(first - width // 3, len(text) - width))
    piece = text[start : start + width]
    return ("…" if start > 0 else "") + piece + ("…" if start + width < len(text) else "")
