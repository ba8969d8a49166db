from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from reflector_adapters.asr.guards import GuardSettings, SegmentStats, rejects_segment, repeated_ngrams

SPEECH = SegmentStats(avg_logprob=-0.3, no_speech_prob=0.05, compression_ratio=1.4, peak_db=-12.0)


def test_ordinary_speech_is_kept() -> None:
    assert rejects_segment(SPEECH) is None


def test_text_on_near_silence_is_dropped_however_confident() -> None:
    quiet = SegmentStats(avg_logprob=-0.1, no_speech_prob=0.0, compression_ratio=1.2, peak_db=-60.0)
    assert "near-silence" in (rejects_segment(quiet) or "")


def test_unsure_decode_of_no_speech_is_dropped_but_either_signal_alone_is_not() -> None:
    both = SegmentStats(avg_logprob=-1.4, no_speech_prob=0.8, compression_ratio=1.3, peak_db=-20.0)
    assert "no speech" in (rejects_segment(both) or "")
    assert rejects_segment(SegmentStats(-1.4, 0.1, 1.3, -20.0)) is None
    assert rejects_segment(SegmentStats(-0.2, 0.8, 1.3, -20.0)) is None


def test_a_looping_decode_is_dropped() -> None:
    loop = SegmentStats(avg_logprob=-0.2, no_speech_prob=0.1, compression_ratio=3.1, peak_db=-15.0)
    assert "repetitive" in (rejects_segment(loop) or "")
    assert rejects_segment(loop, GuardSettings(compression_ratio=4.0)) is None


def _kept(words: list[str], **kw: int) -> list[str]:
    return [w for w, d in zip(words, repeated_ngrams(words, **kw), strict=True) if not d]


def test_repeated_phrases_keep_two_copies() -> None:
    words = ["thank", "you", ".", "thank", "you", ".", "thank", "you", ".", "thank", "you", ".", "bye"]
    assert _kept(words) == ["thank", "you", ".", "thank", "you", ".", "bye"]


def test_repeats_ignore_case_and_punctuation() -> None:
    assert _kept(["You", "you,", "YOU.", "you", "know"]) == ["You", "you,", "know"]


def test_a_double_word_and_ordinary_text_are_untouched() -> None:
    words = ["no", "no", "I", "said", "that", "that", "is", "fine", "and", "that", "is", "that"]
    assert _kept(words) == words


@given(st.lists(st.sampled_from(["a", "b", "c", "the", "."]), max_size=40), st.integers(1, 4))
def test_never_more_than_max_repeats_consecutive_copies_survive(words: list[str], max_repeats: int) -> None:
    kept = [w.lower() for w in _kept(words, max_repeats=max_repeats, max_n=1)]
    run = 1
    for prev, cur in itertools.pairwise(kept):
        run = run + 1 if cur == prev and cur.strip(".") else 1
        assert run <= max_repeats


@given(st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=40))
def test_only_whole_extra_copies_are_dropped(words: list[str]) -> None:
    drop = repeated_ngrams(words)
    assert len(drop) == len(words)
    # The first two words can never be dropped: nothing before them repeats.
    assert not any(drop[:2])
