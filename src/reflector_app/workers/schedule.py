"""The periodic jobs, on APScheduler: it only enqueues; the actors do the work on any worker."""

from __future__ import annotations

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from reflector_app.settings import Settings
from reflector_core.ports import JobQueue
from reflector_core.usecases.consent import SWEEP_CONSENT_JOB
from reflector_core.usecases.maintenance import LINK_RECORDINGS_JOB, RECONCILE_PRESENCE_JOB
from reflector_core.usecases.outbound import RETRY_WEBHOOKS_JOB
from reflector_core.usecases.retention import RETENTION_JOB


def periodic_jobs(settings: Settings) -> dict[str, int]:
    """Job name → interval in seconds, only for what is configured."""
    jobs = {
        "deactivate_finished_meetings": 60,
        "requeue_stuck_transcripts": max(60, settings.stuck_after_minutes * 60 // 2),
        SWEEP_CONSENT_JOB: 600,
        RETRY_WEBHOOKS_JOB: 60,
        LINK_RECORDINGS_JOB: 300,
    }
    retention = (settings.raw_tracks_retention_days, settings.audio_retention_days, settings.transcript_retention_days)
    if any(days is not None for days in retention):
        jobs[RETENTION_JOB] = 3600
    if settings.daily_api_key:
        jobs["poll_daily_recordings"] = settings.daily_poll_seconds
        # Daily has no session history API: presence snapshots are how we learn who was there.
        jobs[RECONCILE_PRESENCE_JOB] = settings.presence_poll_seconds
    if settings.sqs_queue_url:
        # The actor long-polls for sqs_poll_seconds; back to back keeps latency low without a busy loop.
        jobs["poll_recording_notifications"] = max(1, settings.sqs_poll_seconds)
    return jobs


def make_scheduler(settings: Settings, queue: JobQueue) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    for name, seconds in periodic_jobs(settings).items():
        scheduler.add_job(
            queue.enqueue,
            "interval",
            seconds=seconds,
            args=[name],
            id=name,
            max_instances=1,
            coalesce=True,  # after a pause, run once, not once per missed interval
            misfire_grace_time=seconds,
        )
    return scheduler
