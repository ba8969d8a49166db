"""Retry timing and URL building shared by the platform clients."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reflector_adapters.platform_api import RetryPolicy, parse_retry_after, segment

NOW = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=3.0, jitter=0.0)
    assert [policy.backoff(n, lambda: 0.0) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


@given(st.integers(1, 60), st.floats(0, 1))
def test_jitter_stays_within_its_fraction(retry: int, rand: float) -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=30.0, jitter=0.2)
    plain = min(30.0, 0.5 * 2.0 ** (retry - 1))
    assert 0.8 * plain - 1e-9 <= policy.backoff(retry, lambda: rand) <= 1.2 * plain + 1e-9


def test_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError, match="base_delay"):
        RetryPolicy(base_delay=-1)
    with pytest.raises(ValueError, match="jitter"):
        RetryPolicy(jitter=2)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("2", 2.0),
        (" 0.5 ", 0.5),
        ("-3", 0.0),
        ("Thu, 12 Mar 2026 14:00:30 GMT", 30.0),
        ("Thu, 12 Mar 2026 13:59:00 GMT", 0.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("nan", None),
        ("inf", None),
    ],
)
def test_retry_after(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, NOW) == seconds


@given(st.text())
def test_retry_after_never_raises(header: str) -> None:
    result = parse_retry_after(header, NOW)
    assert result is None or result >= 0


@pytest.mark.parametrize(
    ("value", "escaped"),
    [("intake-20260312140000", "intake-20260312140000"), ("a/b", "a%2Fb"), ("x?y#z", "x%3Fy%23z"), ("é", "%C3%A9")],
)
def test_segment_escapes_everything_that_changes_the_path(value: str, escaped: str) -> None:
    assert segment(value) == escaped


@pytest.mark.parametrize("value", ["", ".", ".."])
def test_segment_refuses_path_navigation(value: str) -> None:
    with pytest.raises(ValueError, match="segment"):
        segment(value)
