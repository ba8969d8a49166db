"""The container: every adapter the application needs, built once by ``bootstrap`` and passed down.

HTTP handlers, actors and commands receive this object (never globals) and hand its parts to the use
cases. Tests build one from in-memory fakes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

from attrs import define, field

from reflector_app.settings import Settings
from reflector_core.model import Platform
from reflector_core.ports import (
    Clock,
    JobQueue,
    ObjectStorage,
    ParticipantDirectory,
    Pipeline,
    RecordingControl,
    RecordingNotifications,
    RecordingSource,
    UnitOfWork,
    VideoPlatform,
    WebhookSender,
    WebhookVerifier,
)

HealthCheck = Callable[[], Awaitable[None]]
"""Raises when the dependency it checks is unreachable."""


@define(kw_only=True)
class Container:
    settings: Settings
    clock: Clock
    unit_of_work: Callable[[], UnitOfWork]
    queue: JobQueue
    buckets: Mapping[str, ObjectStorage]
    """Every bucket we read or write, by bucket name (transcript, Daily, Whereby)."""
    platforms: Mapping[Platform, VideoPlatform] = field(factory=dict)
    webhooks: Mapping[Platform, WebhookVerifier] = field(factory=dict)
    recording_source: RecordingSource | None = None
    """Daily's recordings list, for polling (absent when Daily is not configured)."""
    participant_directory: ParticipantDirectory | None = None
    recording_control: RecordingControl | None = None
    """Starts and stops Daily recordings (absent when Daily is not configured)."""
    notifications: RecordingNotifications | None = None
    """Whereby's S3 events on SQS (absent when no queue is configured)."""
    pipeline: Pipeline | None = None
    """The CPU stage; loaded lazily by workers (it holds the Whisper model)."""
    workdir: Path = Path("./var/work")
    webhook_sender: WebhookSender | None = None
    """Outbound webhooks to rooms' URLs (SSRF-guarded)."""
    health_checks: Mapping[str, HealthCheck] = field(factory=dict)
    """Named readiness checks for ``GET /ready`` (database, queue, storage)."""
    closers: list[Callable[[], Awaitable[None]]] = field(factory=list)

    @property
    def transcript_bucket(self) -> ObjectStorage:
        return self.buckets[self.settings.transcript_bucket]

    def bucket(self, name: str) -> ObjectStorage:
        try:
            return self.buckets[name]
        except KeyError:
            raise LookupError(f"bucket {name!r} is not configured") from None

    async def aclose(self) -> None:
        for close in reversed(self.closers):
            await close()
