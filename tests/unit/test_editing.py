"""The pure edits: merge, reassign, rename, and replaying a log onto a new result."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reflector_core.editing import merged, reassigned, renamed, replay
from reflector_core.errors import InvalidInputError
from reflector_core.model import EditKind, Participant, Transcript, TranscriptEdit, Word

T0 = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)
WORDS = (
    Word("Hi", 0.0, 0.4, 0),
    Word("there.", 0.4, 0.9, 0),
    Word("Hello", 1.0, 1.4, 1),
    Word("you.", 1.4, 1.8, 2),
    Word("Bye.", 3.0, 3.5, 0),
)
T = Transcript("rec", words=WORDS, participants=(Participant(0, name="Ana"), Participant(1, name="Bo")), id="t")


def test_merge_moves_every_word_and_drops_the_speaker() -> None:
    m = merged(T, 1, 0)
    assert [w.speaker for w in m.words] == [0, 0, 0, 2, 0]
    assert [(p.speaker, p.name) for p in m.participants] == [(0, "Ana")]
    assert [w.text for w in m.words] == [w.text for w in WORDS]  # only speakers change
    into_unnamed = merged(T, 0, 2)
    assert [(p.speaker, p.name) for p in into_unnamed.participants] == [(1, "Bo"), (2, None)]
    with pytest.raises(InvalidInputError):
        merged(T, 1, 1)


def test_reassign_a_range_by_word_middles_or_only_one_speakers_words() -> None:
    r = reassigned(T, 0.3, 1.5, 2)  # "there." (0.65) and "Hello" (1.2); "Hi" (0.2) stays
    assert [w.speaker for w in r.words] == [0, 2, 2, 2, 0]
    turn = reassigned(T, 1.0, 1.8, 0, only=2)  # one turn: speaker 2's words over its span
    assert [w.speaker for w in turn.words] == [0, 0, 1, 0, 0]
    for start, end in ((2.0, 2.9), (1.0, 1.0), (-1.0, 0.5)):
        with pytest.raises(InvalidInputError):
            reassigned(T, start, end, 1)
    with pytest.raises(InvalidInputError):  # every word in the range is the target's already
        reassigned(T, 1.0, 1.39, 1)


def test_rename_keeps_the_participant_and_none_resets() -> None:
    assert renamed(T, 2, "Cy").participants[-1] == Participant(2, name="Cy")
    assert renamed(T, 0, None).participants[0].label == "Speaker 0"


def test_replay_applies_in_order_and_skips_what_no_longer_applies() -> None:
    log = [
        TranscriptEdit("t", EditKind.TITLE, "ana", T0, text="Retro"),
        TranscriptEdit("t", EditKind.RENAME, "ana", T0, speaker=2, text="Cy"),
        TranscriptEdit("t", EditKind.MERGE, "ana", T0, speaker=1, to_speaker=2),
        TranscriptEdit("t", EditKind.REASSIGN, "ana", T0, start=3.0, end=4.0, to_speaker=2),
        TranscriptEdit("t", EditKind.MERGE, "ana", T0, speaker=9, to_speaker=0),  # no speaker 9
        TranscriptEdit("t", EditKind.REASSIGN, "ana", T0, start=10.0, end=11.0, to_speaker=0),  # no words there
    ]
    out, skipped = replay(T, log)
    assert out.title == "Retro"
    assert [w.speaker for w in out.words] == [0, 0, 2, 2, 2]
    assert {p.speaker: p.name for p in out.participants} == {0: "Ana", 2: "Cy"}
    assert skipped == log[4:]


@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 5), st.integers(0, 3)), min_size=1, max_size=30))
def test_edits_never_change_the_words_themselves(raw: list[tuple[float, float, int]]) -> None:
    words = tuple(Word(f"w{i}", s, s + d, sp) for i, (s, d, sp) in enumerate(raw))
    t = Transcript("rec", words=words, id="t")
    out, _ = replay(
        t,
        [
            TranscriptEdit("t", EditKind.REASSIGN, "a", T0, start=10.0, end=50.0, to_speaker=words[0].speaker),
            TranscriptEdit("t", EditKind.MERGE, "a", T0, speaker=3, to_speaker=words[0].speaker),
        ],
    )
    assert [(w.text, w.start, w.end) for w in out.words] == [(w.text, w.start, w.end) for w in words]
