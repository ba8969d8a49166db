"""The one wall clock: the ``Clock`` port over ``datetime.now(UTC)``.

Everything that needs the current time takes a ``Clock`` (tests pass a fixed one); what has none
given uses this one, so there is a single definition of "now" in the code base.
"""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


SYSTEM_CLOCK = SystemClock()
