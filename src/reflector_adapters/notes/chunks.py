"""Split a meeting into pieces an LLM's context can hold, at topic boundaries, never truncating.

Consecutive topics (from the lexical segmenter) are packed into a chunk while they fit the token
budget; a topic longer than the budget on its own is split at turn boundaries. Every turn lands in
exactly one chunk, in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from reflector_core.ports import Utterance

CHARS_PER_TOKEN = 3.5
"""English text is about 4 characters per token; 3.5 leaves a margin for names and numbers."""


def estimate_tokens(text: str) -> int:
    return int(len(text) / CHARS_PER_TOKEN) + 1


def turn_line(index: int, u: Utterance) -> str:
    minutes, seconds = divmod(int(u.start), 60)
    return f"[{index}] {u.speaker} ({minutes}:{seconds:02d}): {u.text.strip()}"


def plan(utterances: Sequence[Utterance], topic_starts: Sequence[int], budget_tokens: int) -> list[tuple[int, int]]:
    """``[(first turn, end turn exclusive), ...]`` covering every turn; each fits ``budget_tokens`` when a turn does."""
    n = len(utterances)
    if n == 0:
        return []
    cost = [estimate_tokens(turn_line(i, u)) + 1 for i, u in enumerate(utterances)]
    edges = sorted({0, *(t for t in topic_starts if 0 < t < n), n})
    pieces: list[tuple[int, int]] = []
    for lo, hi in pairwise(edges):
        pieces += _split(lo, hi, cost, budget_tokens)
    chunks: list[tuple[int, int]] = []
    for lo, hi in pieces:
        if chunks and sum(cost[chunks[-1][0] : hi]) <= budget_tokens:
            chunks[-1] = (chunks[-1][0], hi)
        else:
            chunks.append((lo, hi))
    return chunks


def _split(lo: int, hi: int, cost: Sequence[int], budget: int) -> list[tuple[int, int]]:
    """One topic as pieces within the budget (a single over-long turn is a piece of its own)."""
    out: list[tuple[int, int]] = []
    start, used = lo, 0
    for i in range(lo, hi):
        if used + cost[i] > budget and i > start:
            out.append((start, i))
            start, used = i, 0
        used += cost[i]
    out.append((start, hi))
    return out
