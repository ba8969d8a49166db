"""The offline extractive writer: action patterns, topic boundaries, central sentences, chunk plans."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import sparse

from reflector_adapters.notes.actions import action_items, classify
from reflector_adapters.notes.chunks import estimate_tokens, plan, turn_line
from reflector_adapters.notes.extractive import STOP, ExtractiveNotesWriter, textrank, topic_starts
from reflector_adapters.notes.text import content_words, sentences
from reflector_core.ports import Utterance


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("I will open a ticket for that after the meeting.", "self"),
        ("Agreed, I'll write the runbook before Thursday.", "self"),
        ("I can organize the sessions for the second week of March.", "self"),
        ("Bob, can you send me the list of failed uploads?", "request"),
        ("Please file the request in the backlog.", "request"),
        ("Let's ship the fix in the next release.", "team"),
        ("The report is due by Friday.", "team"),
        ("I will be honest, I did not expect that.", None),
        ("Can you hear me now?", None),
        ("Let's move on to the next item.", None),
        ("I can see your screen.", None),
        ("I think we will see how it goes.", None),
        ("We already shipped that last week.", None),
        ("Could you repeat that, please?", None),
    ],
)
def test_commitments_requests_and_deadlines_are_action_items_and_chatter_is_not(
    sentence: str, kind: str | None
) -> None:
    assert classify(sentence) == kind


def test_owners_are_the_speaker_the_person_named_or_whoever_answers() -> None:
    items = [
        Utterance("Ann", 0.0, 4.0, "I will book the tickets today."),
        Utterance("Ann", 5.0, 9.0, "Bob, could you check the hotel prices?"),
        Utterance("Cem", 10.0, 14.0, "Can you update the budget sheet?"),
        Utterance("Ann", 15.0, 16.0, "Sure, no problem."),
        Utterance("Bob", 17.0, 20.0, "Let's decide on the booth next week."),
    ]
    found = action_items(sentences(items), ["Ann", "Bob", "Cem"])
    assert [(a.speaker, a.start) for a in found] == [("Ann", 0.0), ("Bob", 5.0), ("Ann", 10.0), (None, 17.0)]
    assert found[1].text == "Bob, could you check the hotel prices?"


STORAGE = [
    "The storage bucket migration copies archived recordings to the new bucket.",
    "Bucket replication of the recordings runs between two storage regions.",
    "Archived recordings in the old storage bucket use the cold storage class.",
    "The storage migration script checks every recording checksum in the bucket.",
    "Storage costs for the archived recordings drop after the bucket migration.",
    "The new bucket keeps versions of every recording during the storage migration.",
]
HIRING = [
    "The hiring pipeline has twelve backend candidates in interviews.",
    "Candidates say the take home exercise for the backend interview is long.",
    "Two candidates declined the backend offer because of the salary.",
    "Interview feedback for candidates arrives late from the hiring committee.",
    "The hiring committee wants referrals for the backend candidates.",
    "Recruiters rewrite the job description for the backend candidates.",
]


def meeting() -> list[Utterance]:
    texts = [*STORAGE, *STORAGE[:3], *HIRING, *HIRING[:3]]
    return [Utterance("Ann" if i % 2 else "Bob", i * 20.0, i * 20.0 + 15.0, t) for i, t in enumerate(texts)]


def test_a_change_of_vocabulary_is_a_topic_boundary() -> None:
    starts = topic_starts(meeting())
    assert len(starts) == 1 and abs(starts[0] - 9) <= 1


def test_short_turns_take_no_part_and_the_boundary_sits_in_the_middle_of_them() -> None:
    # Five content-free turns between the topics (two carry a stray word: "sense", "hear"): the
    # change lies somewhere among them, so the boundary goes to the middle one, not to whichever
    # stray word tipped the balance.
    chatter = ["Right, makes sense.", "Yeah.", "Can you hear me now?", "Okay, thanks.", "Sure."]
    texts = [*STORAGE, *STORAGE[:3], *chatter, *HIRING, *HIRING[:3]]
    items = [Utterance("Ann" if i % 2 else "Bob", i * 20.0, i * 20.0 + 15.0, t) for i, t in enumerate(texts)]
    assert topic_starts(items) == [9 + 3]


def test_contractions_are_not_topic_words_and_news_is_not_new() -> None:
    assert content_words("Let's say I'll check the news, that's the plan.", STOP) == ["check", "news", "plan"]
    assert content_words("The new uploads are failing.", STOP) == ["new", "upload", "fail"]


def test_notes_are_labelled_extractive_and_quote_the_meeting() -> None:
    items = meeting()
    notes = ExtractiveNotesWriter().notes(items, duration=400.0)
    assert notes.method == "extractive"
    assert len(notes.topics) == 2
    assert notes.topics[0].start == 0.0 and notes.topics[-1].end == 400.0
    assert notes.topics[0].end == notes.topics[1].start - 5.0  # the last turn of the first topic ends there
    said = {u.text for u in items}
    for topic in notes.topics:
        assert all(s + "." in said or s in said for s in topic.summary.split(". ") if s)
    assert "storage" in notes.topics[0].title.lower() or "bucket" in notes.topics[0].title.lower()
    assert "candidates" in notes.topics[1].title.lower() or "hiring" in notes.topics[1].title.lower()


def test_an_empty_or_wordless_meeting_still_gets_notes() -> None:
    writer = ExtractiveNotesWriter()
    assert writer.notes([]).title == "Empty meeting"
    notes = writer.notes([Utterance("Ann", 0.0, 1.0, "Yeah."), Utterance("Bob", 1.0, 2.0, "Okay.")])
    assert notes.method == "extractive" and len(notes.topics) == 1 and notes.action_items == ()


def test_textrank_prefers_the_sentence_most_like_the_others() -> None:
    similarity = sparse.csr_matrix(np.array([[1, 0.9, 0.8, 0.0], [0.9, 1, 0.1, 0.0], [0.8, 0.1, 1, 0.0], [0, 0, 0, 1]]))
    ranks = textrank(similarity)
    assert int(np.argmax(ranks)) == 0 and ranks[3] == ranks.min()
    assert abs(ranks.sum() - 1.0) < 1e-6


def test_chunks_cover_every_turn_cut_at_topics_and_fit_the_budget() -> None:
    items = [Utterance("Ann", float(i), float(i) + 0.5, "word " * 20) for i in range(100)]
    budget = 300
    chunks = plan(items, [30, 60], budget)
    assert chunks[0][0] == 0 and chunks[-1][1] == 100
    assert all(a[1] == b[0] for a, b in itertools.pairwise(chunks))
    assert all(sum(estimate_tokens(turn_line(i, items[i])) + 1 for i in range(lo, hi)) <= budget for lo, hi in chunks)
    assert {30, 60} <= {lo for lo, _ in chunks}  # topic starts are chunk starts when the budget forces a cut
    assert plan(items, [30, 60], 100_000) == [(0, 100)]
