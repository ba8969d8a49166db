"""The composition root: settings in, a ``Container`` of ready adapters out.

This is the only place that knows which adapter implements which port. HTTP, workers and CLI
commands all call ``build_container`` and pass the parts to the use cases.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from reflector_adapters.clock import SYSTEM_CLOCK
from reflector_adapters.daily.client import DailyClient, DailySettings
from reflector_adapters.daily.webhooks import DailyWebhooks
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
from reflector_adapters.whereby.client import WherebyClient, WherebySettings
from reflector_adapters.whereby.webhooks import WherebyWebhooks
from reflector_app.container import Container, HealthCheck
from reflector_app.locks import locks_for
from reflector_app.notes import notes_writers
from reflector_app.ratelimit import rate_limiter_for
from reflector_app.settings import Settings, StorageBackend
from reflector_core.model import Platform
from reflector_core.ports import Clock, JobQueue, ObjectStorage, VideoPlatform, WebhookVerifier
from reflector_core.ports.progress import ProgressBoard

log = logging.getLogger(__name__)


def work_root(settings: Settings) -> Path:
    """Where workers keep one folder per transcript being processed (copies of its tracks)."""
    return Path(settings.storage_dir).parent / "work"


def bucket_config(settings: Settings, which: str) -> LocalBucketConfig | S3BucketConfig:
    b = settings.bucket(which)
    if settings.storage_backend is StorageBackend.LOCAL:
        return LocalBucketConfig(root=settings.storage_dir / b.name, name=b.name)
    return S3BucketConfig(
        name=b.name,
        region=b.region,
        access_key_id=b.access_key_id,
        secret_access_key=b.secret_access_key,
        endpoint_url=b.endpoint_url,
    )


def webhook_verifiers(settings: Settings, clock: Clock) -> dict[Platform, WebhookVerifier]:
    tolerance = timedelta(seconds=settings.webhook_tolerance_seconds)
    verifiers: dict[Platform, WebhookVerifier] = {}
    if settings.daily_webhook_secret:
        daily = DailyWebhooks(
            settings.daily_webhook_secret, bucket=settings.daily_bucket, tolerance=tolerance, clock=clock
        )
        verifiers[Platform.DAILY] = daily
    if settings.whereby_webhook_secret:
        whereby = WherebyWebhooks(
            settings.whereby_webhook_secret,
            bucket=settings.whereby_bucket,
            prefix=settings.whereby_recordings_prefix,
            tolerance=tolerance,
            clock=clock,
        )
        verifiers[Platform.WHEREBY] = whereby
    return verifiers


def daily_client(settings: Settings, clock: Clock) -> DailyClient | None:
    if not (settings.daily_api_key and settings.daily_bucket_region and settings.daily_bucket_role_arn):
        return None
    return DailyClient(
        DailySettings(
            api_key=settings.daily_api_key,
            recordings_bucket=settings.daily_bucket,
            bucket_region=settings.daily_bucket_region,
            assume_role_arn=settings.daily_bucket_role_arn,
            base_url=settings.daily_api_url,
        ),
        clock=clock,
    )


def whereby_client(settings: Settings, clock: Clock) -> WherebyClient | None:
    if not (
        settings.whereby_api_key and settings.whereby_upload_access_key_id and settings.whereby_upload_secret_access_key
    ):
        return None
    return WherebyClient(
        WherebySettings(
            api_key=settings.whereby_api_key,
            recordings_bucket=settings.whereby_bucket,
            upload_access_key_id=settings.whereby_upload_access_key_id,
            upload_secret_access_key=settings.whereby_upload_secret_access_key,
            recordings_prefix=settings.whereby_recordings_prefix,
            base_url=settings.whereby_api_url,
        ),
        clock=clock,
    )


def sqs_notifications(settings: Settings) -> SqsRecordingNotifications | None:
    if not settings.sqs_queue_url:
        return None
    return SqsRecordingNotifications(
        SqsQueueConfig(
            queue_url=settings.sqs_queue_url,
            region=settings.sqs_region,
            access_key_id=settings.sqs_access_key_id,
            secret_access_key=settings.sqs_secret_access_key,
            endpoint_url=settings.sqs_endpoint_url,
            visibility_timeout=settings.sqs_visibility_timeout,
        )
    )


Closers = list[Callable[[], Awaitable[None]]]


async def open_buckets(settings: Settings, closers: Closers) -> dict[str, ObjectStorage]:
    buckets: dict[str, ObjectStorage] = {}
    for which in ("transcript", "daily", "whereby"):
        storage = build_storage(bucket_config(settings, which))
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


async def build_container(
    settings: Settings, *, queue: JobQueue, clock: Clock | None = None, with_pipeline: bool = False
) -> Container:
    """Open every adapter the settings ask for; ``Container.aclose`` closes them again."""
    clock = clock or SYSTEM_CLOCK
    engine = create_engine(settings.database_url)
    closers: Closers = [engine.dispose]
    await ensure_migrated(engine)
    buckets = await open_buckets(settings, closers)
    daily, whereby = daily_client(settings, clock), whereby_client(settings, clock)
    platforms: dict[Platform, VideoPlatform] = {}
    for platform, client in ((Platform.DAILY, daily), (Platform.WHEREBY, whereby)):
        if client is not None:
            closers.append(client.aclose)
            platforms[platform] = client
    notifications = sqs_notifications(settings)
    if notifications is not None:
        await notifications.open()
        closers.append(notifications.close)
    sender = HttpWebhookSender(allow_private=settings.allow_private_webhook_targets)
    closers.append(sender.aclose)
    # One Redis client per process for the readiness check, the API's locks and its rate limits.
    redis = (
        Redis.from_url(settings.redis_url, socket_connect_timeout=3, socket_timeout=3) if settings.redis_url else None
    )
    if redis is not None:
        closers.append(redis.aclose)
    progress: ProgressBoard = SHARED_PROGRESS
    if settings.redis_url:
        progress = RedisProgressBoard(settings.redis_url)
        closers.append(progress.aclose)
    pipeline = None
    if with_pipeline:
        from reflector_app.pipeline import build_pipeline  # loads the Whisper model: workers only

        pipeline = build_pipeline(settings)
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
        health_checks=health_checks(engine, buckets[settings.transcript_bucket], redis),
        locks=locks_for(redis),
        limiter=rate_limiter_for(redis),
        closers=closers,
    )
