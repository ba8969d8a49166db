"""``ProgressBoard`` adapters: in process (embedded: the worker runs in the API's process) and Redis.

Progress is best effort: a lost report only delays the figure a person sees, so failures are logged
and swallowed, writes are throttled to one a second per transcript (plus every stage change), and
entries expire after an hour.
"""

from __future__ import annotations

import logging
import threading
import time

from redis import Redis
from redis.asyncio import Redis as AsyncRedis

from reflector_core.ports.progress import StageProgress

log = logging.getLogger(__name__)
TTL_SECONDS = 3600
MIN_INTERVAL = 1.0


class MemoryProgressBoard:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, tuple[StageProgress, float]] = {}

    def report(self, transcript_id: str, stage: str, fraction: float | None) -> None:
        with self._lock:
            self._items[transcript_id] = (StageProgress(stage, fraction), time.monotonic())

    async def current(self, transcript_id: str) -> StageProgress | None:
        with self._lock:
            found = self._items.get(transcript_id)
        if found is None or time.monotonic() - found[1] > TTL_SECONDS:
            return None
        return found[0]


SHARED = MemoryProgressBoard()
"""One per process, so the embedded worker and the API see the same board."""


class RedisProgressBoard:
    def __init__(self, url: str) -> None:
        self._sync = Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        self._async = AsyncRedis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        self._last: dict[str, tuple[str, float]] = {}

    @staticmethod
    def _key(transcript_id: str) -> str:
        return f"reflector:progress:{transcript_id}"

    def report(self, transcript_id: str, stage: str, fraction: float | None) -> None:
        now = time.monotonic()
        last = self._last.get(transcript_id)
        if last is not None and last[0] == stage and now - last[1] < MIN_INTERVAL:
            return
        self._last[transcript_id] = (stage, now)
        value = f"{stage}|{'' if fraction is None else round(fraction, 4)}"
        try:
            self._sync.set(self._key(transcript_id), value, ex=TTL_SECONDS)
        except Exception as exc:  # best effort: never fail a transcription over a progress figure
            log.warning("progress of %s not stored: %s", transcript_id, exc)

    async def current(self, transcript_id: str) -> StageProgress | None:
        try:
            raw = await self._async.get(self._key(transcript_id))
        except Exception as exc:
            log.warning("progress of %s not read: %s", transcript_id, exc)
            return None
        if raw is None:
            return None
        text = raw.decode() if isinstance(raw, bytes) else str(raw)
        stage, _, fraction = text.partition("|")
        return StageProgress(stage, float(fraction) if fraction else None)

    async def aclose(self) -> None:
        self._sync.close()
        await self._async.aclose()
