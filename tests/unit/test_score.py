"""tools/score.py: what the benchmark's WER counts as the same word."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

from score import number_words, score, tokens


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("1%", ["one", "percent"]),
        ("%", ["percent"]),
        ("40", ["forty"]),
        ("Forty,", ["forty"]),
        ("2nd", ["second"]),
        ("21st", ["twenty", "first"]),
        ("1,000", ["one", "thousand"]),
        ("1.5%", ["one", "point", "five", "percent"]),
        ("re-run", ["re", "run"]),
        ("Let's", ["let's"]),
        ("—", []),
    ],
)
def test_written_forms_a_reader_takes_as_the_same_words(written: str, spoken: list[str]) -> None:
    assert tokens(written) == spoken


def test_different_words_stay_different() -> None:
    assert tokens("timeouts") != tokens("time") + tokens("out")
    assert tokens("replica's") != tokens("replicas")
    assert number_words(125) == ["one", "hundred", "twenty", "five"]


def _truth(text: str) -> dict[str, Any]:
    people = [{"speaker": 0, "name": "A", "participant_id": "p0", "user_id": "u0"}]
    return {"participants": people, "utterances": [{"speaker": 0, "text": text, "onset": 1.0, "offset": 3.0}]}


def _hyp(*words: str) -> list[dict[str, Any]]:
    return [{"text": w, "start": 1.0 + i * 0.3, "end": 1.2 + i * 0.3, "speaker": 0} for i, w in enumerate(words)]


def test_one_percent_written_as_digits_is_no_error() -> None:
    result = score(
        _truth("It was below one percent, mostly timeouts."), _hyp("It", "was", "below", "1%,", "mostly", "timeouts.")
    )
    assert result["wer"] == 0.0 and result["onset_err_median"] == 0.0


def test_a_split_compound_still_counts() -> None:
    result = score(_truth("mostly timeouts"), _hyp("mostly", "time", "out"))
    assert result["wer"] == 1.0  # one substitution and one insertion over two words


def test_a_crosstalk_copy_is_a_duplicated_word_and_costs_speaker_accuracy() -> None:
    people = [{"speaker": k, "name": n, "participant_id": f"p{k}", "user_id": f"u{k}"} for k, n in enumerate("AB")]
    truth = {"participants": people, "utterances": [{"speaker": 0, "text": "hello there", "onset": 1.0, "offset": 2.0}]}
    hyp = [
        {"text": "hello", "start": 1.0, "end": 1.4, "speaker": 0},
        {"text": "there", "start": 1.5, "end": 2.0, "speaker": 0},
        {"text": "hello", "start": 1.02, "end": 1.4, "speaker": 1},  # the same word heard on B's microphone
    ]
    result = score(truth, hyp)
    assert result["duplicated_words"] == 0.5 and result["speaker_accuracy"] == round(2 / 3, 4)
    assert result["matched_words"] == 2 and result["ref_words"] == 2
    assert score(truth, hyp[:2])["duplicated_words"] == 0.0
