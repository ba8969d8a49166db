"""Dramatiq actors: each one builds nothing and decides nothing; it calls one use case.

The container is built lazily inside the worker's own event loop (database engines and HTTP clients
belong to the loop that created them), once per worker process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import dramatiq

from reflector_app.container import Container
from reflector_app.workers.broker import QUEUE
from reflector_core.errors import InvalidInputError
from reflector_core.model import Platform, TranscriptStatus
from reflector_core.usecases.consent import APPLY_CONSENT_JOB, SWEEP_CONSENT_JOB, apply_consent, sweep_consent_cleanups
from reflector_core.usecases.discovery import drain_recording_notifications, poll_daily_recordings
from reflector_core.usecases.events import HANDLE_EVENT_JOB, handle_event
from reflector_core.usecases.ingest import PROCESS_JOB
from reflector_core.usecases.maintenance import (
    LINK_RECORDINGS_JOB,
    RECONCILE_PRESENCE_JOB,
    deactivate_finished_meetings,
    link_unlinked_recordings,
    reconcile_presence,
    requeue_stuck,
)
from reflector_core.usecases.outbound import (
    ANNOUNCE_TRANSCRIPT_JOB,
    DELIVER_WEBHOOK_JOB,
    RETRY_WEBHOOKS_JOB,
    announce_transcript,
    deliver_webhook,
    retry_due_webhooks,
)
from reflector_core.usecases.process_recording import process_recording
from reflector_core.usecases.recording import START_RECORDING_JOB, start_recording, start_where_present
from reflector_core.usecases.retention import RETENTION_JOB, RetentionPolicy, apply_retention

log = logging.getLogger(__name__)

MINUTE_MS = 60_000


def transient(retries: int, exc: BaseException) -> bool:
    """Retry what may succeed later; bad input never becomes good by retrying."""
    return not isinstance(exc, InvalidInputError) and retries < 5


class Runtime:
    """Builds the worker's container on first use, in the loop that runs the actors."""

    def __init__(self, build: Callable[[], Awaitable[Container]]) -> None:
        self._build = build
        self._container: Container | None = None
        self._lock: asyncio.Lock | None = None

    async def container(self) -> Container:
        if self._container is None:
            self._lock = self._lock or asyncio.Lock()
            async with self._lock:
                if self._container is None:
                    self._container = await self._build()
        return self._container

    async def aclose(self) -> None:
        if self._container is not None:
            await self._container.aclose()
            self._container = None


def declare_actors(broker: dramatiq.Broker, runtime: Runtime) -> dict[str, dramatiq.Actor[Any, Any]]:
    def actor(
        name: str, *, time_limit: int = 2 * MINUTE_MS, max_retries: int = 5
    ) -> Callable[[Callable[..., Awaitable[None]]], dramatiq.Actor[Any, Any]]:
        return dramatiq.actor(
            broker=broker,
            actor_name=name,
            queue_name=QUEUE,
            time_limit=time_limit,
            max_retries=max_retries,
            min_backoff=5_000,
            max_backoff=10 * MINUTE_MS,
            retry_when=transient,
        )

    @actor(HANDLE_EVENT_JOB)
    async def handle_platform_event(platform: str, body: str) -> None:
        c = await runtime.container()
        verifier = c.webhooks[Platform(platform)]
        event = verifier.parse_verified(body.encode())
        log.info("%s event: %s", platform, await handle_event(event, unit_of_work=c.unit_of_work, queue=c.queue))

    @actor(PROCESS_JOB, time_limit=60 * MINUTE_MS)
    async def process(transcript_id: str) -> None:
        c = await runtime.container()
        if c.pipeline is None:
            raise RuntimeError("this worker has no transcription pipeline configured")
        pipeline = c.pipeline

        def progress(stage: str, done: float, total: float) -> None:
            log.debug("transcript %s: %s %.0f/%.0f", transcript_id, stage, done, total)

        outcome = await process_recording(
            transcript_id,
            unit_of_work=c.unit_of_work,
            bucket=c.bucket,
            transcript_bucket=c.transcript_bucket,
            pipeline=pipeline,
            run_blocking=asyncio.to_thread,
            workdir=c.workdir,
            clock=c.clock,
            directory=c.participant_directory,
            source=c.recording_source,
            delete_raw_after=c.settings.raw_tracks_retention_days == 0,
            progress=progress,
        )
        log.info("transcript %s: %s (%s)", transcript_id, outcome.status, outcome.detail)
        if outcome.status in (TranscriptStatus.DONE, TranscriptStatus.FAILED):
            await c.queue.enqueue(ANNOUNCE_TRANSCRIPT_JOB, transcript_id=transcript_id)

    @actor("poll_daily_recordings")
    async def poll_daily() -> None:
        c = await runtime.container()
        if c.recording_source is None:
            return
        report = await poll_daily_recordings(
            c.recording_source,
            unit_of_work=c.unit_of_work,
            queue=c.queue,
            clock=c.clock,
            lookback=timedelta(hours=c.settings.daily_poll_lookback_hours),
        )
        queued = sum(1 for o in report.ingested if o.enqueued)
        log.info("Daily poll: %d seen, %d newly queued, %d skipped", report.seen, queued, len(report.skipped))

    @actor("poll_recording_notifications")
    async def poll_notifications() -> None:
        c = await runtime.container()
        if c.notifications is None:
            return
        report = await drain_recording_notifications(
            c.notifications,
            unit_of_work=c.unit_of_work,
            queue=c.queue,
            buckets=[c.settings.whereby_bucket],
            wait_seconds=c.settings.sqs_poll_seconds,
        )
        if report.received:
            log.info("SQS: %d received, %d acknowledged", report.received, report.acknowledged)

    @actor("deactivate_finished_meetings")
    async def deactivate() -> None:
        c = await runtime.container()
        await deactivate_finished_meetings(unit_of_work=c.unit_of_work, clock=c.clock)

    @actor("requeue_stuck_transcripts")
    async def requeue() -> None:
        c = await runtime.container()
        await requeue_stuck(
            unit_of_work=c.unit_of_work,
            queue=c.queue,
            clock=c.clock,
            older_than=timedelta(minutes=c.settings.stuck_after_minutes),
        )

    @actor(APPLY_CONSENT_JOB, max_retries=20)
    async def consent(meeting_id: str) -> None:
        c = await runtime.container()
        await apply_consent(
            meeting_id,
            unit_of_work=c.unit_of_work,
            bucket=c.bucket,
            transcript_bucket=c.transcript_bucket,
            clock=c.clock,
        )

    @actor(SWEEP_CONSENT_JOB)
    async def sweep_consent() -> None:
        c = await runtime.container()
        await sweep_consent_cleanups(unit_of_work=c.unit_of_work, queue=c.queue)

    @actor(RETENTION_JOB, time_limit=30 * MINUTE_MS)
    async def retention() -> None:
        c = await runtime.container()
        s = c.settings
        policy = RetentionPolicy(
            raw_tracks_days=s.raw_tracks_retention_days,
            audio_days=s.audio_retention_days,
            transcript_days=s.transcript_retention_days,
        )
        await apply_retention(
            policy, unit_of_work=c.unit_of_work, bucket=c.bucket, transcript_bucket=c.transcript_bucket, clock=c.clock
        )

    @actor(ANNOUNCE_TRANSCRIPT_JOB)
    async def announce(transcript_id: str) -> None:
        c = await runtime.container()
        await announce_transcript(transcript_id, unit_of_work=c.unit_of_work, queue=c.queue, clock=c.clock)

    @actor(DELIVER_WEBHOOK_JOB)
    async def deliver(event_id: str) -> None:
        c = await runtime.container()
        if c.webhook_sender is None:
            raise RuntimeError("no webhook sender configured")
        outcome = await deliver_webhook(event_id, unit_of_work=c.unit_of_work, sender=c.webhook_sender, clock=c.clock)
        log.info("webhook %s: %s", event_id, outcome)

    @actor(RETRY_WEBHOOKS_JOB)
    async def retry_webhooks() -> None:
        c = await runtime.container()
        await retry_due_webhooks(unit_of_work=c.unit_of_work, queue=c.queue, clock=c.clock)

    @actor(RECONCILE_PRESENCE_JOB)
    async def presence() -> None:
        c = await runtime.container()
        daily = c.platforms.get(Platform.DAILY)
        if daily is not None:
            present = await reconcile_presence(daily, unit_of_work=c.unit_of_work, clock=c.clock)
            # The fallback when join webhooks are lost: anyone present means the recording should run.
            await start_where_present(present, unit_of_work=c.unit_of_work, queue=c.queue, clock=c.clock)

    @actor(START_RECORDING_JOB, max_retries=8)
    async def start_meeting_recording(meeting_id: str) -> None:
        c = await runtime.container()
        outcome = await start_recording(
            meeting_id, unit_of_work=c.unit_of_work, control=c.recording_control, clock=c.clock
        )
        log.info("meeting %s recording: %s (%s)", meeting_id, outcome.state, outcome.detail)

    @actor(LINK_RECORDINGS_JOB)
    async def link_recordings() -> None:
        c = await runtime.container()
        linked = await link_unlinked_recordings(unit_of_work=c.unit_of_work)
        if linked:
            log.info("%d recording(s) linked to their meeting", linked)

    declared = (
        handle_platform_event,
        process,
        poll_daily,
        poll_notifications,
        deactivate,
        requeue,
        consent,
        sweep_consent,
        retention,
        announce,
        deliver,
        retry_webhooks,
        presence,
        start_meeting_recording,
        link_recordings,
    )
    return {a.actor_name: a for a in declared}
