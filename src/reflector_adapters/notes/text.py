"""Sentences and content words of a meeting: the units the extractive writer ranks and segments."""

from __future__ import annotations

import re
from collections.abc import Sequence

from attrs import frozen

from reflector_core.ports import Utterance

_SENTENCE = re.compile(r"[^.!?…]+(?:[.!?…]+|$)")
_WORD = re.compile(r"[a-z][a-z']*[a-z]|[a-z]")

# Spoken fillers and meeting chatter on top of a plain English stop list: they carry no topic.
FILLERS = frozenset(
    [
        "yeah",
        "yes",
        "yep",
        "okay",
        "ok",
        "right",
        "sure",
        "well",
        "um",
        "uh",
        "hmm",
        "like",
        "just",
        "really",
        "actually",
        "basically",
        "maybe",
        "think",
        "know",
        "mean",
        "guess",
        "good",
        "great",
        "thanks",
        "thank",
        "sounds",
        "agree",
        "agreed",
        "point",
        "exactly",
        "got",
        "gonna",
        "wanna",
        "let",
        "lets",
        "things",
        "thing",
        "stuff",
        "bit",
        "lot",
        "kind",
        "sort",
        "way",
        "going",
        "get",
        "getting",
        "make",
        "sure",
        "need",
        "want",
        "said",
        "say",
        "today",
        "tomorrow",
        "week",
        "also",
        "still",
        "though",
        "one",
        "two",
        "three",
        "first",
        "next",
        "last",
        "time",
        "good",
        "fine",
    ]
)


@frozen
class Sentence:
    index: int
    turn: int
    """Index of the utterance it belongs to."""
    speaker: str
    start: float
    text: str


def sentences(utterances: Sequence[Utterance]) -> list[Sentence]:
    """Split every utterance into sentences; a sentence's time is interpolated by its place in the turn."""
    out: list[Sentence] = []
    for turn, u in enumerate(utterances):
        text = u.text.strip()
        if not text:
            continue
        span = max(0.0, u.end - u.start)
        for m in _SENTENCE.finditer(text):
            piece = m.group(0).strip()
            if not piece:
                continue
            at = u.start + span * (m.start() / max(1, len(text)))
            out.append(Sentence(index=len(out), turn=turn, speaker=u.speaker, start=at, text=piece))
    return out


# Words an "s" ends without being a plural: stripping it would make "news" the word "new".
_NOT_PLURAL = ("ss", "us", "is", "news")


def stem(word: str) -> str:
    """A light suffix strip, enough to make "uploads"/"upload" and "failing"/"fail" the same term."""
    for suffix, keep in (("ies", 3), ("ing", 4), ("ed", 4), ("es", 4), ("s", 3)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep and not word.endswith(_NOT_PLURAL):
            return word[: -len(suffix)]
    return word


def content_words(text: str, stop: frozenset[str]) -> list[str]:
    """Stemmed words that may carry a topic: not stop words, fillers, contractions ("let's", "I'll") or short."""
    words = _WORD.findall(text.lower().replace("’", "'"))
    return [stem(w) for w in words if w not in stop and len(w) > 2 and "'" not in w]
