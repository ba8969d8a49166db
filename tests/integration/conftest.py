"""Deployments for the end-to-end tests: ``embedded`` always, ``production`` with the machine's services."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.fakes.daily_api import FakeDaily
from tests.fakes.whereby_api import FakeWhereby
from tests.integration.harness import Service, base_env, local_upload, platform_env
from tests.moto_server import MotoServer, moto_server  # noqa: F401 - the session fixture
from tests.services import PgServer, require_port

# Separate Redis databases let several checkouts run the suite on one machine at once.
REDIS_DB = int(os.environ.get("REFLECTOR_TEST_REDIS_DB", "13"))


@pytest.fixture
def fake_daily() -> Iterator[FakeDaily]:
    fake = FakeDaily().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_whereby() -> Iterator[FakeWhereby]:
    fake = FakeWhereby().start()
    yield fake
    fake.stop()


def _authorize(service: Service) -> None:
    """Create an API key for the tests' client when the service has API keys."""
    listing = service.run("--help").stdout
    if "apikey" not in listing:
        return
    made = service.run("apikey", "create", "--owner", "integration-tests")
    assert made.returncode == 0, made.stderr
    key = next(w for w in made.stdout.split() if w.startswith("rk_"))
    service.headers["Authorization"] = f"Bearer {key}"


def _migrate(service: Service) -> None:
    done = service.run("db", "upgrade")
    assert done.returncode == 0, done.stderr + done.stdout


def _sqs_env(moto: MotoServer, queue_url: str) -> dict[str, str]:
    return {
        "REFLECTOR_SQS_QUEUE_URL": queue_url,
        "REFLECTOR_SQS_VISIBILITY_TIMEOUT": "30",
        "REFLECTOR_SQS_REGION": moto.region,
        "REFLECTOR_SQS_ACCESS_KEY_ID": moto.access_key_id,
        "REFLECTOR_SQS_SECRET_ACCESS_KEY": moto.secret_access_key,
        "REFLECTOR_SQS_ENDPOINT_URL": moto.endpoint_url,
    }


@pytest.fixture
def embedded(
    tmp_path: Path,
    fake_daily: FakeDaily,
    fake_whereby: FakeWhereby,
    moto_server: MotoServer,  # noqa: F811
) -> Iterator[Service]:
    env = base_env(tmp_path) | platform_env(fake_daily.url, fake_whereby.url)
    env["REFLECTOR_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'reflector.db'}"
    # Embedded storage and queue, but Whereby's S3 events still arrive through SQS (moto's server).
    queue_url, _ = moto_server.new_queue("whereby-events")
    env |= _sqs_env(moto_server, queue_url)
    service = Service("embedded", env, tmp_path, local_upload(tmp_path / "storage"))
    service.sqs = moto_server.boto3_client("sqs")
    service.queue_url = queue_url
    _migrate(service)
    _authorize(service)
    service.start("serve", "serve")
    try:
        service.wait_healthy()
        yield service
    finally:
        service.stop()


@pytest.fixture
def production(
    tmp_path: Path, fake_daily: FakeDaily, fake_whereby: FakeWhereby, request: pytest.FixtureRequest
) -> Iterator[Service]:
    require_port("PostgreSQL", "127.0.0.1", 5432)
    require_port("Redis", "127.0.0.1", 6379)
    moto: MotoServer = request.getfixturevalue("moto_server")
    pg = PgServer.from_env()
    database = asyncio.run(pg.create_database())
    r = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    r.flushdb()
    buckets = {which: moto.new_bucket(which) for which in ("transcripts", "daily", "whereby")}
    queue_url, _ = moto.new_queue("whereby-events")
    env = base_env(tmp_path) | platform_env(fake_daily.url, fake_whereby.url)
    env |= {
        "REFLECTOR_DATABASE_URL": pg.url(database),
        "REFLECTOR_REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "REFLECTOR_WORKER_HEARTBEAT_SECONDS": "3",
        "REFLECTOR_STORAGE_BACKEND": "s3",
        "REFLECTOR_TRANSCRIPT_BUCKET": buckets["transcripts"],
        "REFLECTOR_DAILY_BUCKET": buckets["daily"],
        "REFLECTOR_WHEREBY_BUCKET": buckets["whereby"],
    }
    env |= _sqs_env(moto, queue_url)
    for prefix in ("TRANSCRIPT_BUCKET", "DAILY_BUCKET", "WHEREBY_BUCKET"):
        env |= {
            f"REFLECTOR_{prefix}_REGION": moto.region,
            f"REFLECTOR_{prefix}_ACCESS_KEY_ID": moto.access_key_id,
            f"REFLECTOR_{prefix}_SECRET_ACCESS_KEY": moto.secret_access_key,
            f"REFLECTOR_{prefix}_ENDPOINT_URL": moto.endpoint_url,
        }
    s3 = moto.boto3_client("s3")

    def upload(bucket: str, key: str, file: Path) -> None:
        s3.upload_file(str(file), bucket, key)

    service = Service("production", env, tmp_path, upload)
    service.buckets = buckets
    service.s3 = s3
    service.sqs = moto.boto3_client("sqs")
    service.queue_url = queue_url
    _migrate(service)
    _authorize(service)
    service.start("serve", "serve")
    service.start("worker-1", "worker", "--threads", "2")
    service.start("scheduler", "scheduler")
    try:
        service.wait_healthy()
        yield service
    finally:
        service.stop()
        r.flushdb()
        asyncio.run(pg.drop_database(database))


@pytest.fixture(params=["embedded", pytest.param("production", marks=pytest.mark.services)])
def service(request: pytest.FixtureRequest) -> Service:
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


def daily_bucket(service: Service) -> str:
    return service.buckets["daily"]


def whereby_bucket(service: Service) -> str:
    return service.buckets["whereby"]
