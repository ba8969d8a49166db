from __future__ import annotations

from collections import Counter

from hypothesis import given

from reflector_core.model import Word
from reflector_core.turns import join_words, merge_turns
from tests.unit.strategies import meeting_words


@given(meeting_words())
def test_every_word_lands_in_exactly_one_single_speaker_turn(words: list[Word]) -> None:
    turns = merge_turns(words)
    assert Counter(w for t in turns for w in t.words) == Counter(words)
    for t in turns:
        assert {w.speaker for w in t.words} == {t.speaker}
        assert list(t.words) == sorted(t.words, key=lambda w: (w.start, w.end))
    assert [t.start for t in turns] == sorted(t.start for t in turns)


@given(meeting_words())
def test_turns_respect_the_pause_limit(words: list[Word]) -> None:
    for t in merge_turns(words, max_pause=2.0):
        for _a, b in zip(t.words, t.words[1:], strict=False):
            assert b.start - max(w.end for w in t.words[: t.words.index(b)]) <= 2.0 + 1e-9


def _talk(speaker: int, start: float, n: int, step: float = 0.4, last: str = "word") -> list[Word]:
    return [Word(last if i == n - 1 else "word", start + i * step, start + i * step + 0.3, speaker) for i in range(n)]


def test_overlapping_speech_is_not_interleaved_word_by_word() -> None:
    # A talks for 8 s while B talks over the middle of it: two turns, not a dozen fragments.
    a = _talk(0, 0.0, 20)
    b = [Word("yes", 3.05 + i * 0.4, 3.3 + i * 0.4, 1) for i in range(5)]
    turns = merge_turns(a + b)
    assert [(t.speaker, len(t.words)) for t in turns] == [(0, 20), (1, 5)]


def test_an_answer_in_a_pause_splits_the_turn() -> None:
    a1, b, a2 = _talk(0, 0, 3), _talk(1, 1.6, 2), _talk(0, 2.8, 3)
    assert [t.speaker for t in merge_turns(a1 + b + a2)] == [0, 1, 0]


def test_long_monologue_splits_at_a_sentence_end() -> None:
    words = [Word("end." if i % 10 == 9 else "w", i * 0.5, i * 0.5 + 0.4, 0) for i in range(200)]
    turns = merge_turns(words, max_turn=30.0)
    assert len(turns) > 1
    for t in turns[:-1]:
        assert t.words[-1].text == "end."
        assert t.end - t.start <= 30.0 + 5.0


def test_join_words_handles_whisper_spacing_and_punctuation() -> None:
    assert join_words([" Hello", ",", " world", "."]) == "Hello, world."
    assert join_words(["Hello", "world"]) == "Hello world"
    assert join_words([]) == ""
