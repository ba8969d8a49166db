"""Every job the code can enqueue has an actor: a missing one only shows up as a dead letter at run time."""

from __future__ import annotations

import importlib
import pkgutil

from dramatiq.brokers.stub import StubBroker

import reflector_core.usecases
from reflector_app.settings import load_settings
from reflector_app.workers.actors import Runtime, declare_actors
from reflector_app.workers.schedule import periodic_jobs


def _job_names() -> set[str]:
    names = set()
    for info in pkgutil.iter_modules(reflector_core.usecases.__path__):
        module = importlib.import_module(f"reflector_core.usecases.{info.name}")
        names |= {v for k, v in vars(module).items() if k.endswith("_JOB") and isinstance(v, str)}
    return names


def test_every_enqueued_and_scheduled_job_has_an_actor() -> None:
    async def never() -> object:
        raise AssertionError("not built in this test")

    declared = declare_actors(StubBroker(), Runtime(never))  # type: ignore[arg-type]
    settings = load_settings(
        {
            "REFLECTOR_DAILY_API_KEY": "k",
            "REFLECTOR_DAILY_WEBHOOK_SECRET": "c2VjcmV0",
            "REFLECTOR_DAILY_BUCKET_REGION": "eu-central-1",
            "REFLECTOR_DAILY_BUCKET_ROLE_ARN": "arn:aws:iam::1:role/x",
            "REFLECTOR_SQS_QUEUE_URL": "http://127.0.0.1/q",
            "REFLECTOR_AUDIO_RETENTION_DAYS": "30",
        },
        None,
    )
    wanted = _job_names() | set(periodic_jobs(settings))
    assert len(wanted) >= 10
    assert wanted - set(declared) == set()
