"""The job registry: every job message has an actor and a binding; the schedule and the names hold."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from dramatiq import Worker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware.asyncio import AsyncIO

import reflector_core.usecases
from reflector_app.settings import load_settings
from reflector_app.workers.actors import Runtime, actor_for, register_actors
from reflector_app.workers.broker import QUEUE
from reflector_app.workers.jobs import JOBS, JobSpec
from reflector_app.workers.schedule import periodic_jobs
from reflector_core.errors import StorageError, TrackKeyError
from reflector_core.jobs import Job
from reflector_core.usecases.maintenance import ReconcilePresence
from reflector_core.usecases.process_recording import ProcessRecording

# Queued messages carry these names: renaming one strands the messages already in Redis.
WIRE_NAMES = {
    "handle_platform_event", "process_recording", "poll_daily_recordings", "poll_recording_notifications",
    "deactivate_finished_meetings", "requeue_stuck_transcripts", "apply_consent", "sweep_consent_cleanups",
    "apply_retention", "announce_transcript", "deliver_webhook", "retry_webhooks", "reconcile_presence",
    "start_recording", "link_unlinked_recordings", "write_notes", "sweep_stuck_notes",
}  # fmt: skip

EVERYTHING_CONFIGURED = {
    "REFLECTOR_DAILY_API_KEY": "k",
    "REFLECTOR_DAILY_WEBHOOK_SECRET": "c2VjcmV0",
    "REFLECTOR_DAILY_BUCKET_REGION": "eu-central-1",
    "REFLECTOR_DAILY_BUCKET_ROLE_ARN": "arn:aws:iam::1:role/x",
    "REFLECTOR_SQS_QUEUE_URL": "http://127.0.0.1/q",
    "REFLECTOR_AUDIO_RETENTION_DAYS": "30",
}


def _job_types() -> set[type[Job]]:
    """Every ``Job`` message defined in a use-case module."""
    found: set[type[Job]] = set()
    for info in pkgutil.iter_modules(reflector_core.usecases.__path__):
        module = importlib.import_module(f"reflector_core.usecases.{info.name}")
        found |= {v for v in vars(module).values() if isinstance(v, type) and issubclass(v, Job) and v is not Job}
    return found


def test_every_job_message_is_registered_once_with_an_actor() -> None:
    async def never() -> object:
        raise AssertionError("not built in this test")

    registered = [spec.job for spec in JOBS]
    assert len(registered) == len(set(registered))
    assert _job_types() == set(registered)
    declared = register_actors(StubBroker(), Runtime(never))  # type: ignore[arg-type]
    assert set(declared) == {job.name for job in registered} == WIRE_NAMES


def test_the_schedule_comes_from_the_registry_and_follows_the_settings() -> None:
    everything = periodic_jobs(load_settings(EVERYTHING_CONFIGURED, None))
    assert set(everything) == {
        "poll_daily_recordings", "poll_recording_notifications", "deactivate_finished_meetings",
        "requeue_stuck_transcripts", "sweep_consent_cleanups", "apply_retention", "retry_webhooks",
        "reconcile_presence", "link_unlinked_recordings", "sweep_stuck_notes",
    }  # fmt: skip
    job, seconds = everything["reconcile_presence"]
    assert job == ReconcilePresence() and seconds > 0
    bare = periodic_jobs(load_settings({}, None))
    assert set(bare) == {
        "deactivate_finished_meetings", "requeue_stuck_transcripts", "sweep_consent_cleanups", "retry_webhooks",
        "link_unlinked_recordings", "apply_retention",  # raw tracks have a retention by default
        "sweep_stuck_notes",
    }  # fmt: skip


def test_a_periodic_job_cannot_take_arguments() -> None:
    with pytest.raises(TypeError, match="process_recording"):
        JobSpec(ProcessRecording, lambda c: None, every=lambda s: 60)  # type: ignore[arg-type,return-value]


def test_a_message_survives_the_broker_round_trip() -> None:
    job = ProcessRecording("tr-1")
    assert job.arguments() == {"transcript_id": "tr-1", "language": None, "speakers": None}
    assert ProcessRecording(**job.arguments()) == job
    upload = ProcessRecording("tr-2", language="de", speakers=3)
    assert ProcessRecording(**upload.arguments()) == upload
    # A message queued before the upload settings existed still runs.
    assert ProcessRecording(transcript_id="tr-1") == job


def test_each_job_is_retried_up_to_its_own_max_retries() -> None:
    # Dramatiq ignores max_retries when retry_when is set: the policy must count for each job.
    async def never() -> object:
        raise AssertionError("not built in this test")

    declared = register_actors(StubBroker(), Runtime(never))  # type: ignore[arg-type]
    limits = {spec.job.name: spec.max_retries for spec in JOBS}
    assert limits["apply_consent"] == 20 and limits["start_recording"] == 8
    for name, actor in declared.items():
        retry_when = actor.options["retry_when"]
        assert retry_when(limits[name] - 1, StorageError("b", "k", "download", "timed out")), name
        assert not retry_when(limits[name], StorageError("b", "k", "download", "timed out")), name
        assert not retry_when(0, TrackKeyError("k", "not a track")), name


def test_a_failing_job_runs_max_retries_plus_one_times_through_the_broker() -> None:
    attempts: list[str] = []

    async def always_down(job: ProcessRecording) -> None:
        attempts.append(job.transcript_id)
        raise StorageError("b", "k", "download", "timed out")

    async def nothing() -> object:
        return object()

    broker = StubBroker()
    broker.add_middleware(AsyncIO())
    spec = JobSpec(ProcessRecording, lambda c: always_down, max_retries=7)
    actor = actor_for(broker, Runtime(nothing), spec)  # type: ignore[arg-type]
    worker = Worker(broker, worker_timeout=50)
    worker.start()
    try:
        actor.send_with_options(kwargs={"transcript_id": "tr-1"}, min_backoff=1, max_backoff=2)
        broker.join(QUEUE, fail_fast=False)
        worker.join()
    finally:
        worker.stop()
    assert attempts == ["tr-1"] * 8
