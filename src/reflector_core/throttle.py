"""Login throttling: too many failed sign-ins for one username, or from one client address, lock it briefly.

Pure bookkeeping over instants the caller passes in; the application keeps one instance per process.
The per-client limit is looser than the per-user one because many people can share one address (an
office, a reverse proxy): it stops one client trying many names without locking out a whole office.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

from attrs import define, field

from reflector_core.errors import ThrottledError


@define
class LoginThrottle:
    per_user: int = 5
    """Failures allowed for one username inside ``window`` before it is refused."""
    per_client: int = 30
    """Failures allowed from one client address inside ``window``."""
    window: timedelta = timedelta(minutes=5)
    _failures: dict[str, deque[datetime]] = field(factory=dict, init=False)

    def _keys(self, username: str, client: str) -> tuple[tuple[str, int], ...]:
        return ((f"user:{username.strip().casefold()}", self.per_user), (f"client:{client}", self.per_client))

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times

    def check(self, username: str, client: str, now: datetime) -> None:
        """``ThrottledError`` (with the seconds until a retry may succeed) when either key is locked."""
        for key, limit in self._keys(username, client):
            times = self._recent(key, now)
            if len(times) >= limit:
                retry = (times[0] + self.window - now).total_seconds()
                raise ThrottledError(key, max(1, int(retry + 0.999)))

    def failed(self, username: str, client: str, now: datetime) -> None:
        for key, limit in self._keys(username, client):
            times = self._recent(key, now)
            times.append(now)
            # Bound memory per key: only the newest ``limit`` instants decide anything.
            while len(times) > limit:
                times.popleft()
            self._failures[key] = times

    def succeeded(self, username: str) -> None:
        self._failures.pop(f"user:{username.strip().casefold()}", None)
