"""The periodic jobs, on APScheduler: it only enqueues; the actors do the work on any worker.

Which jobs run and how often comes from the job registry (``JobSpec.every`` in ``workers/jobs.py``).
"""

from __future__ import annotations

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from reflector_app.settings import Settings
from reflector_app.workers.jobs import JOBS
from reflector_core.jobs import Job
from reflector_core.ports import JobQueue


def periodic_jobs(settings: Settings) -> dict[str, tuple[Job, int]]:
    """Job name → (message, interval in seconds), only for what is configured."""
    jobs: dict[str, tuple[Job, int]] = {}
    for spec in JOBS:
        seconds = spec.every(settings) if spec.every is not None else None
        if seconds is not None:
            jobs[spec.job.name] = (spec.job(), seconds)
    return jobs


def make_scheduler(settings: Settings, queue: JobQueue) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    for name, (job, seconds) in periodic_jobs(settings).items():
        scheduler.add_job(
            queue.enqueue,
            "interval",
            seconds=seconds,
            args=[job],
            id=name,
            max_instances=1,
            coalesce=True,  # after a pause, run once, not once per missed interval
            misfire_grace_time=seconds,
        )
    return scheduler
