"""``ExtractiveNotesWriter``: meeting notes without a language model (the offline default).

Everything it writes is taken from the meeting itself, and the notes say so (``method:
"extractive"``): topics from lexical cohesion over the turns (``segment``), each topic's title from
its key phrases (YAKE), summaries as the most central sentences (TextRank over TF-IDF sentence
vectors), action items from commitment and request patterns (``actions``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from itertools import pairwise

import attrs
import numpy as np
import yake
from attrs import frozen
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from reflector_adapters.notes.actions import action_items
from reflector_adapters.notes.segment import SegmentSettings
from reflector_adapters.notes.segment import topic_starts as segment_starts
from reflector_adapters.notes.text import FILLERS, Sentence, content_words, sentences
from reflector_core.model import MeetingNotes, Topic
from reflector_core.ports import Utterance

METHOD = "extractive"
STOP = frozenset(ENGLISH_STOP_WORDS) | FILLERS


@frozen
class ExtractiveSettings:
    segment: SegmentSettings = attrs.Factory(SegmentSettings)
    topic_sentences: int = 2
    """Sentences in each topic's summary."""
    short_sentences: int = 2
    min_summary_words: int = 6
    """Shorter sentences ("Sounds good.") are never summary material."""
    max_keyphrase_words: int = 3


def textrank(similarity: sparse.csr_matrix, damping: float = 0.85, iterations: int = 100) -> np.ndarray:
    """PageRank over a sparse sentence-similarity graph (edge weights = cosine similarities)."""
    n = similarity.shape[0]
    if n == 0:
        return np.zeros(0)
    weights = sparse.csr_matrix(similarity, dtype=np.float64, copy=True)
    weights.setdiag(0.0)
    weights.eliminate_zeros()
    sums = np.asarray(weights.sum(axis=1)).ravel()
    inverse = np.divide(1.0, sums, out=np.zeros_like(sums), where=sums > 0)
    spread_from = (sparse.diags(inverse) @ weights).T.tocsr()
    dangling = sums == 0  # a sentence like no other hands its rank to everyone
    rank: np.ndarray = np.full(n, 1.0 / n)
    for _ in range(iterations):
        updated = (1 - damping) / n + damping * (spread_from @ rank + rank[dangling].sum() / n)
        converged = float(np.abs(updated - rank).sum()) < 1e-9
        rank = np.asarray(updated, dtype=np.float64)
        if converged:
            break
    return rank


def topic_starts(items: Sequence[Utterance], settings: SegmentSettings = SegmentSettings()) -> list[int]:
    """Turn indexes that open a new topic (lexical cohesion); the LLM writer chunks at them too."""
    # Participants' names ("Carol, can you…") recur in every topic: they say who, not what about.
    stop = STOP | {w for u in items for w in u.speaker.lower().split()}
    return segment_starts(items, [content_words(u.text, stop) for u in items], settings)


class ExtractiveNotesWriter:
    """The ``NotesWriter`` that needs nothing but the CPU: deterministic, offline, fast."""

    def __init__(self, settings: ExtractiveSettings = ExtractiveSettings()) -> None:
        self.settings = settings

    @property
    def method(self) -> str:
        return METHOD

    async def write(self, utterances: Sequence[Utterance], *, duration: float | None) -> MeetingNotes:
        # CPU work (a 60-minute meeting takes about a second): off the event loop.
        return await asyncio.to_thread(self.notes, utterances, duration)

    def notes(self, utterances: Sequence[Utterance], duration: float | None = None) -> MeetingNotes:
        items = [u for u in utterances if u.text.strip()]
        if not items:
            return MeetingNotes(
                title="Empty meeting", short_summary="Nothing was said.", long_summary="", method=METHOD
            )
        sents = sentences(items)
        ranks = self._centrality(sents)
        starts = [0, *topic_starts(items, self.settings.segment), len(items)]
        topics = [
            self._topic(items, sents, ranks, lo, hi, duration, last=k == len(starts) - 2)
            for k, (lo, hi) in enumerate(pairwise(starts))
        ]
        names = sorted({u.speaker for u in items})
        return MeetingNotes(
            title=self._title(items, topics),
            short_summary=self._short(sents, ranks),
            long_summary="\n\n".join(f"{t.title}: {t.summary}" for t in topics),
            topics=tuple(topics),
            action_items=tuple(action_items(sents, names)),
            method=METHOD,
        )

    def _centrality(self, sents: Sequence[Sentence]) -> np.ndarray:
        long_enough = [len(s.text.split()) >= self.settings.min_summary_words for s in sents]
        vectorizer = TfidfVectorizer(analyzer=lambda text: content_words(text, STOP), sublinear_tf=True)
        try:
            tfidf = vectorizer.fit_transform([s.text for s in sents])
        except ValueError:
            return np.zeros(len(sents))
        ranks = textrank(sparse.csr_matrix(tfidf @ tfidf.T))
        return np.where(long_enough, ranks, -1.0)

    def _best(self, sents: Sequence[Sentence], ranks: np.ndarray, pick: list[int], count: int) -> str:
        chosen = sorted(sorted(pick, key=lambda i: -ranks[i])[:count])
        chosen = [i for i in chosen if ranks[i] >= 0] or sorted(pick, key=lambda i: -len(sents[i].text))[:1]
        return " ".join(sents[i].text for i in chosen)

    def _topic(
        self,
        items: Sequence[Utterance],
        sents: Sequence[Sentence],
        ranks: np.ndarray,
        lo: int,
        hi: int,
        duration: float | None,
        *,
        last: bool,
    ) -> Topic:
        inside = [s.index for s in sents if lo <= s.turn < hi]
        text = " ".join(u.text for u in items[lo:hi])
        end = items[hi - 1].end if not last or duration is None else max(duration, items[hi - 1].end)
        return Topic(
            title=self._keyphrase(text) or f"Topic at {int(items[lo].start // 60)} min",
            summary=self._best(sents, ranks, inside, self.settings.topic_sentences),
            start=round(items[lo].start, 3),
            end=round(end, 3),
        )

    def _keyphrase(self, text: str, top: int = 1) -> str:
        extractor = yake.KeywordExtractor(lan="en", n=self.settings.max_keyphrase_words, top=top + 4, dedupLim=0.7)
        phrases = [p for p, _ in extractor.extract_keywords(text) if not set(p.lower().split()) & FILLERS]
        return "; ".join(p[:1].upper() + p[1:] for p in phrases[:top])

    def _title(self, items: Sequence[Utterance], topics: Sequence[Topic]) -> str:
        if len(topics) == 1:
            return topics[0].title
        # The two longest topics name the meeting.
        longest = sorted(topics, key=lambda t: t.start - t.end)[:2]
        return " and ".join(t.title for t in sorted(longest, key=lambda t: t.start))

    def _short(self, sents: Sequence[Sentence], ranks: np.ndarray) -> str:
        return self._best(sents, ranks, list(range(len(sents))), self.settings.short_sentences)
