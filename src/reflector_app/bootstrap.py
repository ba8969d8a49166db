"""The composition root: settings in, a ``Container`` of ready adapters out.

This is the only place that knows which adapter implements which port. HTTP, workers and CLI
commands all call ``build_container`` and pass the parts to the use cases.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import attrs
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from reflector_adapters.clock import SYSTEM_CLOCK
from reflector_adapters.daily.client import DailyClient
from reflector_adapters.db.engine import create_engine
from reflector_adapters.db.migrate import ensure_migrated
from reflector_adapters.db.unit_of_work import unit_of_work_factory
from reflector_adapters.notifications.config import SqsQueueConfig
from reflector_adapters.notifications.sqs import SqsRecordingNotifications
from reflector_adapters.outbound.http_sender import HttpWebhookSender
from reflector_adapters.progress import SHARED as SHARED_PROGRESS
from reflector_adapters.progress import RedisProgressBoard
from reflector_adapters.storage.config import LocalBucketConfig, S3BucketConfig
from reflector_adapters.storage.factory import build_storage
from reflector_adapters.whereby.client import WherebyClient
from reflector_app.container import Container, HealthCheck
from reflector_app.locks import locks_for
from reflector_app.notes import notes_writers
from reflector_app.pipeline_process import ProcessPipeline, configured_pipeline
from reflector_app.ratelimit import rate_limiter_for
from reflector_app.settings import BucketSettings, Settings, SqsSettings, StorageBackend, StorageSettings
from reflector_core.model import Platform
from reflector_core.ports import Clock, JobQueue, ObjectStorage, VideoPlatform, WebhookVerifier
from reflector_core.ports.progress import ProgressBoard

log = logging.getLogger(__name__)


def work_root(settings: Settings) -> Path:
    """Where workers keep one folder per transcript being processed (copies of its tracks)."""
    return Path(settings.storage.dir).parent / "work"


def bucket_config(storage: StorageSettings, bucket: BucketSettings) -> LocalBucketConfig | S3BucketConfig:
    if storage.backend is StorageBackend.LOCAL:
        return LocalBucketConfig(root=storage.dir / bucket.name, name=bucket.name)
    return S3BucketConfig(**attrs.asdict(bucket))  # the same fields, by design


def webhook_verifiers(settings: Settings, clock: Clock) -> dict[Platform, WebhookVerifier]:
    """The webhook receiver of each platform that has a secret."""
    tolerance = timedelta(seconds=settings.http.webhook_tolerance_seconds)
    verifiers: dict[Platform, WebhookVerifier] = {}
    if settings.daily.webhook_secret:
        verifiers[Platform.DAILY] = settings.daily.webhooks(tolerance, clock)
    if settings.whereby.webhook_secret:
        verifiers[Platform.WHEREBY] = settings.whereby.webhooks(tolerance, clock)
    return verifiers


def platform_clients(settings: Settings, clock: Clock) -> tuple[DailyClient | None, WherebyClient | None]:
    """The platform API clients; ``None`` for a platform whose API is not configured."""
    daily, whereby = settings.daily.client_settings(), settings.whereby.client_settings()
    return DailyClient(daily, clock=clock) if daily else None, WherebyClient(whereby, clock=clock) if whereby else None


def sqs_notifications(sqs: SqsSettings) -> SqsRecordingNotifications | None:
    if not sqs.queue_url:
        return None
    return SqsRecordingNotifications(SqsQueueConfig(**attrs.asdict(sqs)))  # the same fields, by design


Closers = list[Callable[[], Awaitable[None]]]


def _closer(pipeline: ProcessPipeline) -> Callable[[], Awaitable[None]]:
    async def close() -> None:
        await asyncio.to_thread(pipeline.close)  # waits for a running call: the lock is the child's

    return close


async def open_buckets(settings: Settings, closers: Closers) -> dict[str, ObjectStorage]:
    buckets: dict[str, ObjectStorage] = {}
    for bucket in (settings.storage.transcripts, settings.daily.bucket, settings.whereby.bucket):
        storage = build_storage(bucket_config(settings.storage, bucket))
        await storage.open()
        closers.append(storage.close)
        buckets[storage.bucket] = storage
    return buckets


def health_checks(engine: AsyncEngine, transcripts: ObjectStorage, redis: Redis | None) -> dict[str, HealthCheck]:
    """Readiness probes for ``GET /ready``: the database, the transcript bucket and (when used) Redis."""

    async def database() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def transcript_storage() -> None:
        await transcripts.exists("health-check")

    checks: dict[str, HealthCheck] = {"database": database, "storage": transcript_storage}
    if redis is not None:

        async def broker() -> None:
            await redis.ping()

        checks["queue"] = broker
    return checks


def _warn_about(settings: Settings) -> None:
    if settings.daily.api_key and not settings.daily.subdomain:
        log.warning("REFLECTOR_DAILY_SUBDOMAIN is unset: the Daily domain of recording keys is not checked")


async def build_container(
    settings: Settings, *, queue: JobQueue, clock: Clock | None = None, with_pipeline: bool = False
) -> Container:
    """Open every adapter the settings ask for; ``Container.aclose`` closes them again."""
    clock = clock or SYSTEM_CLOCK
    _warn_about(settings)
    engine = create_engine(settings.database.url)
    closers: Closers = [engine.dispose]
    await ensure_migrated(engine)
    buckets = await open_buckets(settings, closers)
    daily, whereby = platform_clients(settings, clock)
    platforms: dict[Platform, VideoPlatform] = {}
    for platform, client in ((Platform.DAILY, daily), (Platform.WHEREBY, whereby)):
        if client is not None:
            closers.append(client.aclose)
            platforms[platform] = client
    notifications = sqs_notifications(settings.sqs)
    if notifications is not None:
        await notifications.open()
        closers.append(notifications.close)
    sender = HttpWebhookSender(allow_private=settings.http.allow_private_webhook_targets)
    closers.append(sender.aclose)
    # One Redis client per process for the readiness check, the API's locks and its rate limits.
    redis: Redis | None = None
    progress: ProgressBoard = SHARED_PROGRESS
    if url := settings.queue.redis_url:
        redis, board = Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3), RedisProgressBoard(url)
        closers += [redis.aclose, board.aclose]
        progress = board
    pipeline = None
    if with_pipeline:
        # The CPU stage runs in a niced child process (started on the first job; loads the model there).
        pipeline = ProcessPipeline(
            functools.partial(configured_pipeline, settings), nice=settings.whisper.pipeline_nice
        )
        closers.append(_closer(pipeline))
    return Container(
        settings=settings,
        clock=clock,
        unit_of_work=unit_of_work_factory(engine),
        progress=progress,
        queue=queue,
        buckets=buckets,
        platforms=platforms,
        webhooks=webhook_verifiers(settings, clock),
        recording_source=daily,
        participant_directory=daily,
        recording_control=daily,
        notifications=notifications,
        pipeline=pipeline,
        webhook_sender=sender,
        # Workers write notes; the API only queues them (and need not import scikit-learn).
        notes_writers=notes_writers(settings) if with_pipeline else (),
        workdir=work_root(settings),
        health_checks=health_checks(engine, buckets[settings.storage.transcripts.name], redis),
        locks=locks_for(redis),
        limiter=rate_limiter_for(redis),
        closers=closers,
    )
