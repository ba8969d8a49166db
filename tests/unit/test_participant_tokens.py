from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reflector_core.participant_tokens import ParticipantTokenError, issue, new_participant, verify

KEY = b"k" * 32
NOW = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)
END = NOW + timedelta(hours=8)


@given(meeting=st.text(min_size=1, max_size=60), participant=st.text(min_size=1, max_size=60))
def test_round_trip_for_any_ids(meeting: str, participant: str) -> None:
    token = issue(KEY, meeting, participant, END)
    found = verify(KEY, token, meeting, NOW)
    assert (found.meeting_id, found.participant, found.expires_at) == (meeting, participant, END)


def test_refusals() -> None:
    token = issue(KEY, "m-1", "guest-a", END)
    cases = {
        "another key": (b"x" * 32, token, "m-1", NOW),
        "another meeting": (KEY, token, "m-2", NOW),
        "expired": (KEY, token, "m-1", END),
        "truncated": (KEY, token[:-1], "m-1", NOW),
        "empty": (KEY, "", "m-1", NOW),
        "none": (KEY, None, "m-1", NOW),
        "wrong version": (KEY, "pt0" + token[3:], "m-1", NOW),
        "too long": (KEY, token + "a" * 600, "m-1", NOW),
    }
    for why, args in cases.items():
        with pytest.raises(ParticipantTokenError):
            verify(*args)  # type: ignore[arg-type]
        assert why


@given(st.text(max_size=300))
def test_arbitrary_text_is_refused_never_crashes(text: str) -> None:
    with pytest.raises(ParticipantTokenError):
        verify(KEY, text, "m-1", NOW)


def test_new_participants_are_distinct_guests() -> None:
    ids = {new_participant() for _ in range(100)}
    assert len(ids) == 100 and all(i.startswith("guest-") and len(i) >= 6 + 22 for i in ids)
