"""Action items from commitment and request patterns, with their owner and time.

A sentence is an action item when it commits someone ("I will…", "I'll…", "I can…", "we're going
to…"), asks someone ("can you…", "could you…", "please…", "Bob, …"), proposes a joint step
("let's…") with a concrete verb, or names a deadline ("by Friday", "before the end of the week").
Phrases that look the same but are conversation, not work ("I will be honest", "can you hear me",
"let's move on"), are excluded. The owner is the speaker for a commitment, the person named or the
next different speaker for a request, and nobody in particular for "let's" and "we".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reflector_adapters.notes.text import Sentence
from reflector_core.model import ActionItem

_DAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|noon|eod|end of (?:the )?(?:day|week|month|sprint|quarter)|next (?:week|month|sprint)|the (?:\w+ )?meeting|\w+ \d{1,2}(?:st|nd|rd|th)?)"
DEADLINE = re.compile(rf"\b(?:by|before|until|no later than|due)\s+(?:this\s+|next\s+)?{_DAYS}\b", re.I)

_SELF = r"(?:i(?:'ll| will| shall| am going to|'m going to| can| could| am gonna|'m gonna)|i'd be happy to|leave it with me|i'll take)"
COMMIT = re.compile(
    rf"(?:^|[,;:]\s*|\b(?:so|and|then|okay|ok|sure|yes|yeah|fine|alright)\b,?\s+){_SELF}\b\s+(?P<verb>[a-z']+)", re.I
)
TEAM = re.compile(
    r"\b(?:we(?:'ll| will|'re going to| are going to| need to| should| must)|someone (?:needs|has) to|somebody (?:should|needs to))\s+(?P<verb>[a-z']+)",
    re.I,
)
REQUEST = re.compile(
    r"\b(?:can|could|would|will) you(?: please)?\s+(?P<verb>[a-z']+)|\bplease\s+(?P<verb2>[a-z']+)|\bmake sure (?:to|that|you)\b|\bdon't forget to\b",
    re.I,
)
LETS = re.compile(r"\blet'?s\s+(?P<verb>[a-z']+)(?:\s+(?P<next>[a-z']+))?", re.I)

# Verbs after "I will / can you / let's" that are talk about the meeting, not work to do.
CHATTER_VERBS = frozenset(
    [
        "be",
        "see",
        "hear",
        "say",
        "tell",
        "think",
        "guess",
        "imagine",
        "admit",
        "mean",
        "start",
        "begin",
        "continue",
        "move",
        "go",
        "get",
        "jump",
        "wrap",
        "recap",
        "talk",
        "discuss",
        "look",
        "hope",
        "try",
        "repeat",
        "explain",
        "clarify",
        "agree",
        "suppose",
        "assume",
        "remember",
        "recall",
        "check-in",
        "quickly",
        "also",
        "just",
        "maybe",
        "probably",
        "definitely",
        "not",
        "never",
        "see",
    ]
)
LETS_CHATTER_NEXT = frozenset({"it", "that", "this"})
""""Let's do it", "let's try that": agreement, not a task of its own."""
# A commitment is only one when it is not hedged into a guess or an opinion.
HEDGES = re.compile(
    r"\b(?:i think|i guess|probably|maybe|if we|if you|would be|we'll see|i can't|i cannot|i won't)\b", re.I
)
SELF_CAPABILITY = re.compile(r"\bi can (?:see|hear|imagine|understand|tell|say|only|not)\b", re.I)


def _verb_ok(verb: str | None) -> bool:
    return verb is not None and verb.lower() not in CHATTER_VERBS


def classify(sentence: str) -> str | None:
    """``self``, ``request``, ``team`` or ``None``: what kind of action item the sentence is."""
    text = sentence.replace("’", "'")
    if SELF_CAPABILITY.search(text):
        return None
    m = COMMIT.search(text)
    if m and _verb_ok(m.group("verb")) and not HEDGES.search(text):
        return "self"
    m = REQUEST.search(text)
    if m:
        verb = m.group("verb") or m.group("verb2")
        if verb is None or _verb_ok(verb):
            return "request"
    m = LETS.search(text)
    if m and _verb_ok(m.group("verb")) and (m.group("next") or "").lower() not in LETS_CHATTER_NEXT:
        return "team"
    m = TEAM.search(text)
    if m and _verb_ok(m.group("verb")) and (DEADLINE.search(text) or not HEDGES.search(text)):
        return "team"
    if DEADLINE.search(text) and not text.rstrip().endswith("?"):
        return "team"
    return None


_LEAD = re.compile(r"^(?:(?:so|okay|ok|alright|and|then|sure|yes|yeah|right|well|great|perfect|fine)\b[,.]?\s*)+", re.I)


def _tidy(text: str) -> str:
    cleaned = _LEAD.sub("", text).strip()
    return (cleaned[:1].upper() + cleaned[1:]) if cleaned else text.strip()


def _addressee(sentence: Sentence, names: Sequence[str], following: Sequence[Sentence]) -> str | None:
    lowered = sentence.text.lower()
    for name in names:
        if name and name.lower() != sentence.speaker.lower() and re.search(rf"\b{re.escape(name.lower())}\b", lowered):
            return name
    # Whoever speaks next, if someone else does, is usually the one who was asked.
    for nxt in following:
        if nxt.speaker != sentence.speaker:
            return nxt.speaker
    return None


def action_items(sentences: Sequence[Sentence], names: Sequence[str]) -> list[ActionItem]:
    items: list[ActionItem] = []
    seen: set[str] = set()
    for i, s in enumerate(sentences):
        kind = classify(s.text)
        if kind is None or len(s.text.split()) < 4:
            continue
        key = re.sub(r"\W+", " ", s.text.lower()).strip()
        if key in seen:
            continue
        seen.add(key)
        if kind == "self":
            owner: str | None = s.speaker
        elif kind == "request":
            owner = _addressee(s, names, sentences[i + 1 : i + 4])
        else:
            owner = None
        items.append(ActionItem(text=_tidy(s.text), speaker=owner, start=round(s.start, 3)))
    return items
