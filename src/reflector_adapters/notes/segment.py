"""Topic boundaries by lexical cohesion over speaker turns (TextTiling, Hearst 1997, on turns).

Only *substantive* turns take part: a turn with fewer than three content words ("Sounds good.",
"Can you hear me?", "Sure, no problem.") says nothing about the topic, and letting it in both dilutes
the windows and lets the boundary land on it arbitrarily. Each gap between two substantive turns
gets the cosine similarity of the content words in a window of substantive turns before it and a
window after it. A topic change is a valley in that curve: its *depth* is how far the curve rises
again on both sides. Valleys deeper than the mean minus a standard deviation of all valley depths
become boundaries, deepest first, as long as every topic keeps a minimum number of substantive
turns and seconds. A boundary between two substantive turns with short turns between them is put
in the middle of those: nothing in their words says which side they belong to, and the middle is
nearest to wherever the change really was.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from attrs import frozen
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from reflector_core.ports import Utterance


@frozen
class SegmentSettings:
    min_content_words: int = 3
    """A turn with fewer content words is not substantive: it takes no part in the cohesion curve."""
    window_turns: int = 7
    """Substantive turns on each side of a gap that are compared."""
    min_turns: int = 4
    """A topic has at least this many substantive turns..."""
    min_seconds: float = 30.0
    """...and lasts at least this long."""
    smoothing: int = 1
    """Half-width of the moving average applied to the similarity curve."""
    cutoff_std: float = 1.0
    """A valley is a boundary when deeper than the mean depth minus this many standard deviations (Hearst: ½)."""
    refine_turns: int = 2
    """A valley is only roughly where the topic changes: the boundary moves up to this many turns to
    where the turns on each side are most alike among themselves."""


def topic_starts(
    utterances: Sequence[Utterance], words: Sequence[Sequence[str]], settings: SegmentSettings = SegmentSettings()
) -> list[int]:
    """Turn indexes that open a new topic (never 0), ascending; ``words``: each turn's content words."""
    kept = [i for i, w in enumerate(words) if len(w) >= settings.min_content_words]
    if len(kept) < 2 * settings.min_turns:
        return []
    counts = CountVectorizer(analyzer=list).fit_transform([words[i] for i in kept])
    found = boundaries([utterances[i] for i in kept], counts, settings)
    # Between substantive turns kept[k-1] and kept[k], turns kept[k-1]+1 … kept[k] could open the topic.
    return [(kept[k - 1] + 1 + kept[k] + 1) // 2 for k in found]


def gap_similarities(counts: sparse.csr_matrix, window: int) -> np.ndarray:
    """Cosine similarity across each gap ``g`` (between turn ``g-1`` and ``g``), for g in 1..n-1."""
    n = counts.shape[0]
    dense = np.asarray(counts.todense(), dtype=np.float64)
    prefix = np.vstack([np.zeros((1, dense.shape[1])), np.cumsum(dense, axis=0)])
    gaps = np.arange(1, n)
    left = prefix[gaps] - prefix[np.maximum(0, gaps - window)]
    right = prefix[np.minimum(n, gaps + window)] - prefix[gaps]
    norms = np.linalg.norm(left, axis=1) * np.linalg.norm(right, axis=1)
    dots = np.einsum("ij,ij->i", left, right)
    similarity: np.ndarray = np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)
    return similarity


def depth_scores(curve: np.ndarray) -> np.ndarray:
    """For each point, the climb to the highest point on its left plus on its right (TextTiling's depth)."""
    depths = np.zeros_like(curve)
    for i, value in enumerate(curve):
        left = value
        for j in range(i - 1, -1, -1):  # climb while rising
            if curve[j] < left:
                break
            left = curve[j]
        right = value
        for j in range(i + 1, len(curve)):
            if curve[j] < right:
                break
            right = curve[j]
        depths[i] = (left - value) + (right - value)
    return depths


def boundaries(
    utterances: Sequence[Utterance], counts: sparse.csr_matrix, settings: SegmentSettings = SegmentSettings()
) -> list[int]:
    """Turn indexes where a new topic starts (never 0), ascending."""
    n = len(utterances)
    if n < 2 * settings.min_turns:
        return []
    curve = gap_similarities(counts, settings.window_turns)
    if settings.smoothing > 0:
        width = 2 * settings.smoothing + 1
        padded = np.pad(curve, settings.smoothing, mode="edge")
        curve = np.convolve(padded, np.ones(width) / width, mode="valid")
    depths = depth_scores(curve)
    valleys = [i for i in range(len(curve)) if depths[i] > 0 and _is_local_min(curve, i)]
    if not valleys:
        return []
    values = depths[valleys]
    cutoff = float(values.mean() - settings.cutoff_std * values.std())
    chosen: list[int] = []
    for i in sorted(valleys, key=lambda v: -depths[v]):
        if depths[i] <= cutoff:
            break
        turn = i + 1  # gap i lies before turn i+1
        if _fits(turn, chosen, utterances, settings):
            chosen.append(turn)
    return refine(sorted(chosen), counts, settings)


def refine(chosen: list[int], counts: sparse.csr_matrix, settings: SegmentSettings) -> list[int]:
    """Move each boundary to the split that best fits its neighbourhood.

    With L2-normalised turn vectors, the summed cosine of a block's turns to the block's centroid is
    the length of the block's summed vector; the best split of a stretch maximises that length on
    the left plus on the right.
    """
    if not chosen or settings.refine_turns <= 0:
        return chosen
    dense = np.asarray(counts.todense(), dtype=np.float64)
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    unit = np.divide(dense, norms, out=np.zeros_like(dense), where=norms > 0)
    prefix = np.vstack([np.zeros((1, unit.shape[1])), np.cumsum(unit, axis=0)])
    n, reach = unit.shape[0], settings.window_turns * 2
    out: list[int] = []
    for k, b in enumerate(chosen):
        lo = max(out[-1] if out else 0, b - reach)
        hi = min(chosen[k + 1] if k + 1 < len(chosen) else n, b + reach)
        candidates = range(max(lo + 1, b - settings.refine_turns), min(hi, b + settings.refine_turns + 1))

        scores = {
            c: float(np.linalg.norm(prefix[c] - prefix[lo]) + np.linalg.norm(prefix[hi] - prefix[c]))
            for c in candidates
        }
        out.append(max(candidates, key=lambda c: (scores[c], -abs(c - b))) if candidates else b)
    return out


def _is_local_min(curve: np.ndarray, i: int) -> bool:
    left = curve[i - 1] if i > 0 else np.inf
    right = curve[i + 1] if i + 1 < len(curve) else np.inf
    return bool(curve[i] <= left and curve[i] <= right)


def _fits(turn: int, chosen: list[int], utterances: Sequence[Utterance], s: SegmentSettings) -> bool:
    edges = sorted([0, *chosen, len(utterances)])
    for k in range(len(edges) - 1):
        lo, hi = edges[k], edges[k + 1]
        if lo < turn < hi:
            first, second = (lo, turn), (turn, hi)
            return all(_long_enough(a, b, utterances, s) for a, b in (first, second))
    return False


def _long_enough(lo: int, hi: int, utterances: Sequence[Utterance], s: SegmentSettings) -> bool:
    if hi - lo < s.min_turns:
        return False
    return utterances[hi - 1].end - utterances[lo].start >= s.min_seconds
