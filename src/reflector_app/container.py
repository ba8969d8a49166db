"""The container: every adapter the application needs, built once by ``bootstrap``.

It is the composition root's output, not a service locator: ``http/app.py`` provides each part as its
own Litestar dependency (a handler names exactly what it uses: ``unit_of_work``, ``queue``…) and the
job registry (``workers/jobs.py``) binds each job's handler to the parts it needs once per worker.
Tests build one from in-memory fakes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path

from attrs import define, field

from reflector_adapters.progress import SHARED as SHARED_PROGRESS
from reflector_adapters.work_folders import LocalWorkFolders
from reflector_app.locks import LocalLocks, Locks
from reflector_app.ratelimit import LocalRateLimiter, RateLimiter
from reflector_app.settings import Settings
from reflector_core.languages import Languages
from reflector_core.model import Platform
from reflector_core.ports import (
    Clock,
    JobQueue,
    NotesWriter,
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
    WorkFolders,
)
from reflector_core.ports.progress import ProgressBoard
from reflector_core.recording_sources import RecordingSources

HealthCheck = Callable[[], Awaitable[None]]
"""Raises when the dependency it checks is unreachable."""

UnitOfWorkFactory = Callable[[], UnitOfWork]
"""A fresh, unopened unit of work per call: one per request or job."""
Platforms = Mapping[Platform, VideoPlatform]
Verifiers = Mapping[Platform, WebhookVerifier]
HealthChecks = Mapping[str, HealthCheck]


@define(kw_only=True)
class Container:
    settings: Settings
    clock: Clock
    unit_of_work: UnitOfWorkFactory
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
    notes_writers: Sequence[NotesWriter] = ()
    """Tried in order for meeting notes: the LLM when configured, then the offline extractive writer."""
    health_checks: HealthChecks = field(factory=dict)
    """Named readiness checks for ``GET /ready`` (database, queue, storage)."""
    locks: Locks = field(factory=LocalLocks)
    """Named locks for the API (Redis-backed when Redis is configured, sharing the health check's client)."""
    limiter: RateLimiter = field(factory=LocalRateLimiter)
    """Rate limits of the public participant routes (Redis-backed like ``locks``, same client)."""
    progress: ProgressBoard = field(factory=lambda: SHARED_PROGRESS)
    """Stage and fraction of transcripts being processed (Redis in production)."""
    closers: list[Callable[[], Awaitable[None]]] = field(factory=list)

    @property
    def transcript_bucket(self) -> ObjectStorage:
        return self.buckets[self.settings.storage.transcripts.name]

    @property
    def languages(self) -> Languages:
        """The transcription languages rooms may choose: the model's (English only for ``….en``), and the default."""
        return Languages.for_model(self.settings.whisper.model, self.settings.whisper.default_language)

    @property
    def work_folders(self) -> WorkFolders:
        """This machine's per-transcript work folders (copies of tracks while a job runs)."""
        return LocalWorkFolders(self.workdir)

    @property
    def recording_sources(self) -> RecordingSources:
        """The only buckets recordings are read from: Daily's and Whereby's, and for uploads (only) the
        transcript bucket's ``uploads/``."""
        s = self.settings
        named = {Platform.DAILY: s.daily.bucket.name, Platform.WHEREBY: s.whereby.bucket.name}
        return RecordingSources(
            buckets={p: self.buckets[name] for p, name in named.items() if name in self.buckets},
            transcript_bucket=s.storage.transcripts.name,
            whereby_prefix=s.whereby.recordings_prefix,
            uploads=self.transcript_bucket,
            daily_domain=s.daily.subdomain,
        )

    def bucket(self, name: str) -> ObjectStorage:
        try:
            return self.buckets[name]
        except KeyError:
            raise LookupError(f"bucket {name!r} is not configured") from None

    async def aclose(self) -> None:
        for close in reversed(self.closers):
            await close()
