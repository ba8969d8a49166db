"""The job registry: every job message type, the use case that runs it, and how often (periodic ones).

This table is the only place a job is registered: ``workers/actors.py`` builds one Dramatiq actor per
entry and ``workers/schedule.py`` schedules the entries that have ``every``. A binding receives the
worker's container once and returns the handler, which closes over exactly the adapters its use case
needs (dependencies are bound once, not looked up per message).

Adding a job: define its message in its use case's module (a frozen ``Job`` subclass), write its
binding below and add one ``JobSpec`` line to ``JOBS``; see docs/architecture.md.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Generic, TypeVar

import attrs
from attrs import frozen

from reflector_app.container import Container
from reflector_app.settings import Settings
from reflector_core.errors import InvalidInputError, NotFoundError
from reflector_core.jobs import Job
from reflector_core.model import Platform, TranscriptStatus
from reflector_core.usecases.consent import ApplyConsent, SweepConsentCleanups, apply_consent, sweep_consent_cleanups
from reflector_core.usecases.discovery import (
    PollDailyRecordings,
    PollRecordingNotifications,
    drain_recording_notifications,
    poll_daily_recordings,
)
from reflector_core.usecases.events import HandlePlatformEvent, event_handled, handle_event
from reflector_core.usecases.maintenance import (
    DeactivateFinishedMeetings,
    LinkUnlinkedRecordings,
    ReconcilePresence,
    RequeueStuckTranscripts,
    deactivate_finished_meetings,
    link_unlinked_recordings,
    reconcile_presence,
    requeue_stuck,
)
from reflector_core.usecases.notes import WriteNotes, request_notes, write_notes
from reflector_core.usecases.notes_recovery import NotesSweepPolicy, SweepStuckNotes, sweep_stuck_notes
from reflector_core.usecases.outbound import (
    AnnounceTranscript,
    DeliverWebhook,
    RetryWebhooks,
    announce_transcript,
    deliver_webhook,
    retry_due_webhooks,
)
from reflector_core.usecases.process_recording import ProcessRecording, process_recording
from reflector_core.usecases.recording import StartRecording, start_recording, start_where_present
from reflector_core.usecases.retention import ApplyRetention, RetentionPolicy, apply_retention

log = logging.getLogger(__name__)

MINUTE_MS = 60_000
NOTES_TIME_LIMIT_MS = 30 * MINUTE_MS

J = TypeVar("J", bound=Job)
Handler = Callable[[J], Awaitable[None]]
"""Runs one message of a job."""


@frozen
class JobSpec(Generic[J]):
    job: type[J]
    bind: Callable[[Container], Handler[J]]
    time_limit: int = 2 * MINUTE_MS
    """Milliseconds before the worker interrupts the job."""
    max_retries: int = 5
    every: Callable[[Settings], int | None] | None = None
    """Periodic jobs (no arguments): seconds between runs for these settings, ``None`` when not configured."""

    def __attrs_post_init__(self) -> None:
        if self.every is not None and attrs.fields(self.job):
            raise TypeError(f"periodic job {self.job.name} must take no arguments")


def _nothing_to_do(job: Job) -> Awaitable[None]:
    return asyncio.sleep(0)


# --- bindings: container → handler ---------------------------------------------------------------


def _handle_event(c: Container) -> Handler[HandlePlatformEvent]:
    sources = c.recording_sources

    async def run(job: HandlePlatformEvent) -> None:
        platform = Platform(job.platform)
        event = c.webhooks[platform].parse_verified(job.body.encode())
        try:
            said = await handle_event(event, sources=sources, unit_of_work=c.unit_of_work, queue=c.queue)
        except InvalidInputError:
            await event_handled(platform, event, unit_of_work=c.unit_of_work)  # never succeeds: not re-run
            raise
        await event_handled(platform, event, unit_of_work=c.unit_of_work)
        log.info("%s event: %s", job.platform, said)

    return run


def _process(c: Container) -> Handler[ProcessRecording]:
    if c.pipeline is None:
        raise RuntimeError("this worker has no transcription pipeline configured")
    pipeline, delete_raw_after = c.pipeline, c.settings.retention.raw_tracks_days == 0
    notes_enabled = c.settings.notes.enabled

    async def run(job: ProcessRecording) -> None:
        def progress(stage: str, done: float, total: float) -> None:
            log.debug("transcript %s: %s %.0f/%.0f", job.transcript_id, stage, done, total)
            c.progress.report(job.transcript_id, stage, min(1.0, done / total) if total > 0 else None)

        outcome = await process_recording(
            job.transcript_id,
            unit_of_work=c.unit_of_work,
            sources=c.recording_sources,
            transcript_bucket=c.transcript_bucket,
            pipeline=pipeline,
            run_blocking=asyncio.to_thread,
            work=c.work_folders,
            clock=c.clock,
            directory=c.participant_directory,
            source=c.recording_source,
            delete_raw_after=delete_raw_after,
            progress=progress,
            language=job.language,
            speakers=job.speakers,
        )
        log.info("transcript %s: %s (%s)", job.transcript_id, outcome.status, outcome.detail)
        if outcome.status is TranscriptStatus.DONE and notes_enabled:
            # The transcript is done now; the webhook waits for the notes job, which no writer can fail.
            # A pending notes row first: if this job is lost, the stuck-notes sweep finds it.
            await request_notes(
                job.transcript_id,
                owner=None,
                keep_edits=False,
                announce=True,
                unit_of_work=c.unit_of_work,
                queue=c.queue,
                clock=c.clock,
            )
        elif outcome.status in (TranscriptStatus.DONE, TranscriptStatus.FAILED):
            await c.queue.enqueue(AnnounceTranscript(job.transcript_id))

    return run


def _notes(c: Container) -> Handler[WriteNotes]:
    writers = c.notes_writers

    async def run(job: WriteNotes) -> None:
        try:
            stored = await write_notes(
                job.transcript_id,
                unit_of_work=c.unit_of_work,
                writers=writers,
                clock=c.clock,
                keep_edits=job.keep_edits,
            )
        except NotFoundError as exc:
            if exc.kind != "transcript":
                raise
            # Deleted before or while the notes were written: no retry can bring it back, and there is
            # nothing left to announce. Returning drops the message instead of Dramatiq retrying it.
            log.warning("transcript %s: notes dropped, %s", job.transcript_id, exc)
            return
        log.info(
            "transcript %s: notes %s%s", job.transcript_id, stored.status, f" ({stored.error})" if stored.error else ""
        )
        if job.announce:
            await c.queue.enqueue(AnnounceTranscript(job.transcript_id))

    return run


def _sweep_notes(c: Container) -> Handler[SweepStuckNotes]:
    s = c.settings
    policy = NotesSweepPolicy(
        stuck_after=timedelta(seconds=s.notes.stuck_after_seconds),
        # A running job may legitimately take its whole time limit (a slow LLM); a minute of slack.
        running_after=timedelta(seconds=max(s.notes.stuck_after_seconds, NOTES_TIME_LIMIT_MS // 1000 + 60)),
        give_up_after=timedelta(seconds=s.notes.give_up_after_seconds),
    )

    async def run(job: SweepStuckNotes) -> None:
        await sweep_stuck_notes(policy, unit_of_work=c.unit_of_work, queue=c.queue, clock=c.clock)

    return run


def _poll_daily(c: Container) -> Handler[PollDailyRecordings]:
    source, lookback = c.recording_source, timedelta(hours=c.settings.schedule.daily_poll_lookback_hours)
    if source is None:
        return _nothing_to_do

    async def run(job: PollDailyRecordings) -> None:
        report = await poll_daily_recordings(
            source,
            sources=c.recording_sources,
            unit_of_work=c.unit_of_work,
            queue=c.queue,
            clock=c.clock,
            lookback=lookback,
        )
        queued = sum(1 for o in report.ingested if o.enqueued)
        log.info("Daily poll: %d seen, %d newly queued, %d skipped", report.seen, queued, len(report.skipped))

    return run


def _poll_notifications(c: Container) -> Handler[PollRecordingNotifications]:
    notifications = c.notifications
    if notifications is None:
        return _nothing_to_do
    buckets, wait_seconds = [c.settings.whereby.bucket.name], c.settings.schedule.sqs_poll_seconds

    async def run(job: PollRecordingNotifications) -> None:
        report = await drain_recording_notifications(
            notifications,
            sources=c.recording_sources,
            unit_of_work=c.unit_of_work,
            queue=c.queue,
            buckets=buckets,
            wait_seconds=wait_seconds,
        )
        if report.received:
            log.info("SQS: %d received, %d acknowledged", report.received, report.acknowledged)

    return run


def _deactivate(c: Container) -> Handler[DeactivateFinishedMeetings]:
    async def run(job: DeactivateFinishedMeetings) -> None:
        await deactivate_finished_meetings(unit_of_work=c.unit_of_work, clock=c.clock)

    return run


def _requeue(c: Container) -> Handler[RequeueStuckTranscripts]:
    older_than = timedelta(minutes=c.settings.schedule.stuck_after_minutes)

    async def run(job: RequeueStuckTranscripts) -> None:
        await requeue_stuck(unit_of_work=c.unit_of_work, queue=c.queue, clock=c.clock, older_than=older_than)

    return run


def _consent(c: Container) -> Handler[ApplyConsent]:
    async def run(job: ApplyConsent) -> None:
        await apply_consent(
            job.meeting_id,
            unit_of_work=c.unit_of_work,
            sources=c.recording_sources,
            transcript_bucket=c.transcript_bucket,
            clock=c.clock,
            work=c.work_folders,
        )

    return run


def _sweep_consent(c: Container) -> Handler[SweepConsentCleanups]:
    async def run(job: SweepConsentCleanups) -> None:
        await sweep_consent_cleanups(unit_of_work=c.unit_of_work, queue=c.queue)

    return run


def _retention(c: Container) -> Handler[ApplyRetention]:
    s = c.settings
    policy = RetentionPolicy(
        raw_tracks_days=s.retention.raw_tracks_days,
        audio_days=s.retention.audio_days,
        transcript_days=s.retention.transcript_days,
    )

    async def run(job: ApplyRetention) -> None:
        await apply_retention(
            policy,
            unit_of_work=c.unit_of_work,
            sources=c.recording_sources,
            transcript_bucket=c.transcript_bucket,
            clock=c.clock,
        )

    return run


def _announce(c: Container) -> Handler[AnnounceTranscript]:
    async def run(job: AnnounceTranscript) -> None:
        await announce_transcript(job.transcript_id, unit_of_work=c.unit_of_work, queue=c.queue, clock=c.clock)

    return run


def _deliver(c: Container) -> Handler[DeliverWebhook]:
    sender = c.webhook_sender
    if sender is None:
        raise RuntimeError("no webhook sender configured")

    async def run(job: DeliverWebhook) -> None:
        outcome = await deliver_webhook(job.event_id, unit_of_work=c.unit_of_work, sender=sender, clock=c.clock)
        log.info("webhook %s: %s", job.event_id, outcome)

    return run


def _retry_webhooks(c: Container) -> Handler[RetryWebhooks]:
    async def run(job: RetryWebhooks) -> None:
        await retry_due_webhooks(unit_of_work=c.unit_of_work, queue=c.queue, clock=c.clock)

    return run


def _presence(c: Container) -> Handler[ReconcilePresence]:
    daily = c.platforms.get(Platform.DAILY)
    if daily is None:
        return _nothing_to_do

    async def run(job: ReconcilePresence) -> None:
        present = await reconcile_presence(daily, unit_of_work=c.unit_of_work, clock=c.clock)
        # The fallback when join webhooks are lost: anyone present means the recording should run.
        await start_where_present(present, unit_of_work=c.unit_of_work, queue=c.queue, clock=c.clock)

    return run


def _start_recording(c: Container) -> Handler[StartRecording]:
    async def run(job: StartRecording) -> None:
        outcome = await start_recording(
            job.meeting_id, unit_of_work=c.unit_of_work, control=c.recording_control, clock=c.clock
        )
        log.info("meeting %s recording: %s (%s)", job.meeting_id, outcome.state, outcome.detail)

    return run


def _link_recordings(c: Container) -> Handler[LinkUnlinkedRecordings]:
    async def run(job: LinkUnlinkedRecordings) -> None:
        linked = await link_unlinked_recordings(unit_of_work=c.unit_of_work)
        if linked:
            log.info("%d recording(s) linked to their meeting", linked)

    return run


# --- when periodic jobs run ------------------------------------------------------------------------


def _any_retention(s: Settings) -> int | None:
    days = (s.retention.raw_tracks_days, s.retention.audio_days, s.retention.transcript_days)
    return 3600 if any(d is not None for d in days) else None


def _with_daily(seconds: Callable[[Settings], int]) -> Callable[[Settings], int | None]:
    return lambda s: seconds(s) if s.daily.api_key else None


# --- the registry ----------------------------------------------------------------------------------

JOBS: tuple[JobSpec[Any], ...] = (
    JobSpec(HandlePlatformEvent, _handle_event),
    JobSpec(ProcessRecording, _process, time_limit=60 * MINUTE_MS),
    # An LLM may be slow; its own timeouts and retries are bounded well inside this limit.
    JobSpec(WriteNotes, _notes, time_limit=NOTES_TIME_LIMIT_MS),
    JobSpec(SweepStuckNotes, _sweep_notes, every=lambda s: max(60, s.notes.stuck_after_seconds // 2)),
    JobSpec(PollDailyRecordings, _poll_daily, every=_with_daily(lambda s: s.schedule.daily_poll_seconds)),
    # The actor long-polls for sqs_poll_seconds; back to back keeps latency low without a busy loop.
    JobSpec(
        PollRecordingNotifications,
        _poll_notifications,
        every=lambda s: max(1, s.schedule.sqs_poll_seconds) if s.sqs.queue_url else None,
    ),
    JobSpec(DeactivateFinishedMeetings, _deactivate, every=lambda s: 60),
    JobSpec(RequeueStuckTranscripts, _requeue, every=lambda s: max(60, s.schedule.stuck_after_minutes * 60 // 2)),
    JobSpec(ApplyConsent, _consent, max_retries=20),
    JobSpec(SweepConsentCleanups, _sweep_consent, every=lambda s: 600),
    JobSpec(ApplyRetention, _retention, time_limit=30 * MINUTE_MS, every=_any_retention),
    JobSpec(AnnounceTranscript, _announce),
    JobSpec(DeliverWebhook, _deliver),
    JobSpec(RetryWebhooks, _retry_webhooks, every=lambda s: 60),
    # Daily has no session history API: presence snapshots are how we learn who was there.
    JobSpec(ReconcilePresence, _presence, every=_with_daily(lambda s: s.schedule.presence_poll_seconds)),
    JobSpec(StartRecording, _start_recording, max_retries=8),
    JobSpec(LinkUnlinkedRecordings, _link_recordings, every=lambda s: 300),
)
