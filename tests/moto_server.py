"""A real S3/SQS emulator for tests: moto's server in a child process, spoken to over HTTP on 127.0.0.1.

Import the fixtures into a ``conftest.py``::

    from tests.moto_server import aio_session, moto_server, s3_bucket, sqs_queue  # noqa: F401

``moto_server`` (session) starts one server on a free port and stops it at the end; ``s3_bucket`` and
``sqs_queue`` (function) each create a fresh, uniquely named bucket or queue on it; ``aio_session``
(session) is an aiobotocore session to hand to the adapters, which makes creating clients cheap. Credentials are
fixed fake values passed explicitly, so no AWS_* environment variable or ~/.aws file is read or needed.
The server runs in its own process so that memory measured in the test process is the client's alone.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from functools import cache
from typing import Any
from uuid import uuid4

import boto3
import httpx
import pytest
from aiobotocore.session import AioSession, get_session
from attrs import frozen

from reflector_adapters.notifications.config import SqsQueueConfig
from reflector_adapters.storage.config import S3BucketConfig, TransferSettings

ACCESS_KEY_ID = "testing"
SECRET_ACCESS_KEY = "testing"
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@frozen
class MotoServer:
    endpoint_url: str
    region: str = REGION
    access_key_id: str = ACCESS_KEY_ID
    secret_access_key: str = SECRET_ACCESS_KEY

    def boto3_client(self, service: str) -> Any:
        """A plain synchronous boto3 client, to arrange and inspect independently of the adapters."""
        return _boto3_client(service, self.endpoint_url, self.region, self.access_key_id, self.secret_access_key)

    def bucket_config(self, name: str, *, transfer: TransferSettings | None = None) -> S3BucketConfig:
        return S3BucketConfig(
            name=name,
            region=self.region,
            access_key_id=self.access_key_id,
            secret_access_key=self.secret_access_key,
            endpoint_url=self.endpoint_url,
            transfer=transfer or TransferSettings(),
        )

    def new_bucket(self, prefix: str = "test") -> str:
        name = f"{prefix}-{uuid4().hex[:12]}"
        self.boto3_client("s3").create_bucket(Bucket=name)
        return name

    def queue_config(self, queue_url: str, *, visibility_timeout: int = 30) -> SqsQueueConfig:
        return SqsQueueConfig(
            queue_url=queue_url,
            region=self.region,
            access_key_id=self.access_key_id,
            secret_access_key=self.secret_access_key,
            endpoint_url=self.endpoint_url,
            visibility_timeout=visibility_timeout,
        )

    def new_queue(self, prefix: str = "test", *, dead_letter_after: int | None = None) -> tuple[str, str | None]:
        """A fresh queue's URL and, with ``dead_letter_after`` receives, its dead-letter queue's URL."""
        sqs = self.boto3_client("sqs")
        name = f"{prefix}-{uuid4().hex[:12]}"
        attributes: dict[str, str] = {}
        dlq_url: str | None = None
        if dead_letter_after is not None:
            dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
            dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            attributes["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(dead_letter_after)}
            )
        url: str = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        return url, dlq_url


@cache
def _boto3_client(service: str, endpoint_url: str, region: str, key_id: str, secret: str) -> Any:
    # Building a client parses the service model (a few hundred ms); one per server is enough.
    return boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
    )


def _start(port: int, log: Any) -> subprocess.Popen[bytes]:
    # The request log goes to a file: a pipe nobody reads would fill up and stall the server.
    return subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _wait_ready(process: subprocess.Popen[bytes], url: str, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            if httpx.get(f"{url}/moto-api/data.json", timeout=1.0).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    return False


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    last_error = b""
    # The free port can be taken between probing and binding; a few attempts cover that race.
    for _ in range(3):
        with tempfile.TemporaryFile() as log:
            port = _free_port()
            process = _start(port, log)
            url = f"http://127.0.0.1:{port}"
            try:
                if _wait_ready(process, url):
                    yield MotoServer(endpoint_url=url)
                    return
            finally:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            log.seek(0)
            last_error = log.read()
    pytest.fail(f"moto server did not start: {last_error.decode(errors='replace')[-2000:]}")


@pytest.fixture(scope="session")
def aio_session() -> AioSession:
    """One aiobotocore session for the whole run: each new session re-reads the service models."""
    return get_session()


@pytest.fixture
def s3_bucket(moto_server: MotoServer) -> S3BucketConfig:
    """A fresh, empty bucket on the moto server, as the adapter's config."""
    return moto_server.bucket_config(moto_server.new_bucket())


@pytest.fixture
def sqs_queue(moto_server: MotoServer) -> SqsQueueConfig:
    """A fresh queue on the moto server (visibility timeout 30 s), as the adapter's config."""
    url, _ = moto_server.new_queue()
    return moto_server.queue_config(url)
