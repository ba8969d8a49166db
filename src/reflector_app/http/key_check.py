"""Re-checking a long-lived connection's API key: a stream outlives the request that authenticated it.

The middleware checks the key once, when the request arrives; a server-sent stream then lives for up to
three hours. ``KeyCheck`` asks the key repository again at most every ``every`` seconds, so revoking a
key (``reflector apikey revoke``) ends its open streams within that interval.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from reflector_core.errors import AuthenticationError
from reflector_core.ports import UnitOfWork
from reflector_core.usecases.api_keys import authenticate

log = logging.getLogger(__name__)


class KeyCheck:
    def __init__(
        self,
        presented: str | None,
        owner: str,
        unit_of_work: Callable[[], UnitOfWork],
        *,
        every: float,
        started: float,
        session_alive: Callable[[], Awaitable[bool]] | None = None,
    ) -> None:
        """``session_alive``: for a signed-in browser (no key presented), whether its session still exists."""
        self._session_alive = session_alive
        self._presented = presented
        self._owner = owner
        self._unit_of_work = unit_of_work
        self._every = every
        self._next = started + every

    async def still_valid(self, now: float) -> bool:
        """False once the key is revoked (or no longer this owner's); reads the repository only when due."""
        if now < self._next:
            return True
        self._next = now + self._every
        if self._presented is None and self._session_alive is not None:
            alive = await self._session_alive()
            if not alive:
                log.info("session of %s ended: closing its event stream", self._owner)
            return alive
        try:
            owner = await authenticate(self._presented, unit_of_work=self._unit_of_work)
        except AuthenticationError:
            log.info("API key of %s no longer valid: closing its event stream", self._owner)
            return False
        return owner == self._owner
