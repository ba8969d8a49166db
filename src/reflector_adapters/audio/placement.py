"""Where a decoded frame's samples go on the meeting's sample grid (pure; no media library).

Timestamps in real recordings jitter by a millisecond, overlap after retransmissions and sometimes
step backwards. The rule: the grid is written strictly forwards, once. A frame that starts within
``tolerance`` samples of where the previous one ended continues it (jitter is absorbed, and the error
never accumulates because every frame is re-anchored to its own timestamp); a frame that starts later
leaves a hole (silence, or a gap); a frame that starts earlier loses only the samples already written.
"""

from __future__ import annotations

from attrs import frozen


@frozen
class Placement:
    skip: int
    """Leading samples of the frame to drop: their place on the grid is already written (or before 0)."""
    start: int
    """Grid index of the first kept sample."""
    kept: int
    """How many samples of the frame are written."""

    @property
    def end(self) -> int:
        return self.start + self.kept


def place(cursor: int | None, start: int, length: int, tolerance: int) -> Placement:
    """Place ``length`` samples whose timestamp says grid index ``start``, given the grid is written up to ``cursor``.

    ``cursor`` is ``None`` before the first frame. Samples before grid index 0 are dropped.
    """
    if length < 0 or tolerance < 0:
        raise ValueError(f"length and tolerance must be >= 0, got {length}, {tolerance}")
    floor = 0 if cursor is None else cursor
    if cursor is not None and abs(start - cursor) <= tolerance:
        return Placement(skip=0, start=cursor, kept=length)
    if start >= floor:
        return Placement(skip=0, start=start, kept=length)
    skip = min(length, floor - start)
    return Placement(skip=skip, start=floor, kept=length - skip)
