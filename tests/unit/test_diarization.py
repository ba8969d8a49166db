"""Giving diarized speakers to transcribed words (pure core logic)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reflector_core.diarization import SpeakerHint, SpeakerTurn, assign_speakers, renumber
from reflector_core.errors import InvalidInputError
from reflector_core.model import Word


def w(text: str, start: float, end: float) -> Word:
    return Word(text, start, end)


def test_a_word_goes_to_the_turn_holding_most_of_it() -> None:
    turns = [SpeakerTurn(0.0, 2.0, 0), SpeakerTurn(2.0, 4.0, 1)]
    out = assign_speakers([w("a", 0.5, 1.0), w("b", 1.8, 2.5), w("c", 1.5, 2.1), w("d", 3.0, 3.5)], turns)
    assert [x.speaker for x in out] == [0, 1, 0, 1]


def test_overlapped_speech_goes_to_the_dominant_speaker() -> None:
    turns = [SpeakerTurn(0.0, 5.0, 0), SpeakerTurn(1.0, 1.2, 1)]
    assert assign_speakers([w("a", 0.9, 1.3)], turns)[0].speaker == 0


def test_a_word_outside_every_turn_goes_to_the_nearest() -> None:
    turns = [SpeakerTurn(0.0, 1.0, 0), SpeakerTurn(5.0, 6.0, 1), SpeakerTurn(100.0, 101.0, 2)]
    out = assign_speakers([w("a", 1.2, 1.5), w("b", 4.0, 4.5), w("c", 60.0, 60.5)], turns)
    assert [x.speaker for x in out] == [0, 1, 2]


def test_no_turns_leaves_words_alone() -> None:
    words = [w("a", 0.0, 1.0)]
    assert assign_speakers(words, []) == words


def test_renumber_names_speakers_with_words_in_order_of_first_word() -> None:
    words = [Word("a", 0.0, 1.0, 3), Word("b", 1.0, 2.0, 1), Word("c", 2.0, 3.0, 3)]
    renamed, participants = renumber(words)
    assert [x.speaker for x in renamed] == [0, 1, 0]
    assert [p.label for p in participants] == ["Speaker 1", "Speaker 2"]
    assert renumber([]) == ([], ())


def test_hint_must_be_positive() -> None:
    with pytest.raises(InvalidInputError):
        SpeakerHint(exactly=0)
    with pytest.raises(InvalidInputError):
        SpeakerHint(at_most=-1)


times = st.floats(min_value=0, max_value=100, allow_nan=False)


@given(
    st.lists(st.tuples(times, st.floats(0.01, 3), st.integers(0, 3)), min_size=1, max_size=20),
    st.lists(st.tuples(times, st.floats(0.01, 2)), max_size=30),
)
def test_every_word_gets_a_speaker_that_has_a_turn(
    turns: list[tuple[float, float, int]], words: list[tuple[float, float]]
) -> None:
    ts = [SpeakerTurn(a, a + d, s) for a, d, s in turns]
    out = assign_speakers([w("x", a, a + d) for a, d in words], ts)
    assert len(out) == len(words)
    assert {x.speaker for x in out} <= {t.speaker for t in ts}
