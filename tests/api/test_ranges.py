"""``Range`` header parsing on its own, with hypothesis: a served range always lies inside the object."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reflector_app.http.ranges import ByteRange, UnsatisfiableRange, parse_range


def test_examples() -> None:
    assert parse_range(None, 10) is None
    assert parse_range("bytes=0-0", 10) == ByteRange(0, 0)
    assert parse_range("bytes=-3", 10) == ByteRange(7, 9)
    assert parse_range("BYTES = 2 - ", 10) == ByteRange(2, 9)
    with pytest.raises(UnsatisfiableRange):
        parse_range("bytes=0-", 0)


@given(
    header=st.one_of(st.text(max_size=30), st.from_regex(r"bytes=\d{0,4}-\d{0,4}", fullmatch=True)),
    size=st.integers(0, 5000),
)
def test_any_header_gives_whole_in_range_or_416(header: str, size: int) -> None:
    try:
        wanted = parse_range(header, size)
    except UnsatisfiableRange:
        return
    if wanted is not None:
        assert 0 <= wanted.start <= wanted.end < size
        assert wanted.length >= 1
