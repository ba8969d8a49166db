from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reflector_core.errors import StatusTransitionError, WordError
from reflector_core.model import (
    ConsentChoice,
    ConsentDecision,
    Participant,
    Transcript,
    TranscriptStatus,
    Word,
    allowed_sources,
    can_transition,
)

S = TranscriptStatus


def test_happy_path_moves_forward() -> None:
    t = Transcript(recording_id="r")
    for status in (S.QUEUED, S.PROCESSING, S.DONE):
        t = t.moved_to(status)
    assert t.status is S.DONE


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (S.DONE, S.PROCESSING),
        (S.DONE, S.QUEUED),
        (S.PROCESSING, S.QUEUED),
        (S.QUEUED, S.DISCOVERED),
        (S.FAILED, S.DONE),
    ],
)
def test_backwards_moves_are_refused(current: TranscriptStatus, wanted: TranscriptStatus) -> None:
    with pytest.raises(StatusTransitionError) as info:
        Transcript(recording_id="r", status=current, id="t1").moved_to(wanted)
    assert "t1" in str(info.value)


def test_failed_may_be_requeued() -> None:
    assert Transcript(recording_id="r", status=S.FAILED).moved_to(S.QUEUED).status is S.QUEUED


@given(st.sampled_from(list(S)), st.sampled_from(list(S)))
def test_allowed_sources_agrees_with_can_transition(a: TranscriptStatus, b: TranscriptStatus) -> None:
    assert (a in allowed_sources(b)) == can_transition(a, b)


@pytest.mark.parametrize(("text", "start", "end"), [("", 0, 1), ("  ", 0, 1), ("a", -1, 1), ("a", 2, 1)])
def test_impossible_words(text: str, start: float, end: float) -> None:
    with pytest.raises(WordError):
        Word(text, start, end)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        ConsentDecision("m", "p", ConsentChoice.REFUSED, datetime(2026, 1, 1))


def test_participant_label_falls_back_to_speaker_number() -> None:
    assert Participant(speaker=2).label == "Speaker 2"
    assert Participant(speaker=2, name="Ana").label == "Ana"
