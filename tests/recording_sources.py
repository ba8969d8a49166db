"""Recording sources for use-case tests: the platform buckets as in-memory storages."""

from __future__ import annotations

from reflector_core.model import Platform
from reflector_core.recording_sources import RecordingSources
from tests.fakes.memory import MemoryStorage


def memory_sources(
    daily: MemoryStorage | None = None,
    whereby: MemoryStorage | None = None,
    *,
    whereby_prefix: str = "raw",
    transcript_bucket: str = "transcripts",
) -> RecordingSources:
    """Daily's bucket ``daily`` and Whereby's ``wb`` (prefix ``raw``) unless given."""
    return RecordingSources(
        buckets={
            Platform.DAILY: daily if daily is not None else MemoryStorage("daily"),
            Platform.WHEREBY: whereby if whereby is not None else MemoryStorage("wb"),
        },
        transcript_bucket=transcript_bucket,
        whereby_prefix=whereby_prefix,
    )
