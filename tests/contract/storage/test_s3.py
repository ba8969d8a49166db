"""What only the S3 adapter does: bounded memory on big objects, multipart bookkeeping, S3 errors, config."""

from __future__ import annotations

import asyncio
import hashlib
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest
from aiobotocore.session import AioSession

from reflector_adapters.storage.config import MIB, LocalBucketConfig, S3BucketConfig, TransferSettings
from reflector_adapters.storage.factory import BucketConfigs, open_buckets
from reflector_adapters.storage.local import LocalStorage
from reflector_adapters.storage.s3 import S3Storage
from reflector_core.errors import ConfigurationError, ObjectNotFoundError, StorageError
from tests.contract.storage.helpers import put_bytes, write_pattern
from tests.moto_server import MotoServer

BIG = 50 * MIB


def _sha256(path: Path) -> bytes:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(MIB):
            digest.update(chunk)
    return digest.digest()


@contextmanager
def peak_rss() -> Iterator[dict[str, int]]:
    """Sample this process's resident set size every 5 ms; yields a dict filled with baseline and peak."""
    process = psutil.Process()
    result = {"baseline": process.memory_info().rss, "peak": 0}
    result["peak"] = result["baseline"]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            result["peak"] = max(result["peak"], process.memory_info().rss)
            stop.wait(0.005)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield result
    finally:
        stop.set()
        thread.join()
        result["peak"] = max(result["peak"], process.memory_info().rss)


@contextmanager
def traced() -> Iterator[dict[str, int]]:
    result = {"peak": 0}
    tracemalloc.start()
    try:
        yield result
    finally:
        result["peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


async def test_50_mb_streams_with_bounded_memory(
    moto_server: MotoServer, aio_session: AioSession, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    transfer = TransferSettings(multipart_threshold=8 * MIB, part_size=8 * MIB, max_concurrency=2)
    config = moto_server.bucket_config(moto_server.new_bucket(), transfer=transfer)
    source = tmp_path / "big.bin"
    write_pattern(source, BIG)
    async with S3Storage(config, session=aio_session) as storage:
        # Warm up connections, imports and buffers so the measurement sees the transfer alone.
        await put_bytes(storage, "warm", b"w" * 1000, tmp_path)
        await storage.download("warm", tmp_path / "warm.out")

        with traced() as upload_trace:
            await storage.upload("big/object.webm", source)
        parts = moto_server.boto3_client("s3").head_object(Bucket=config.name, Key="big/object.webm")["ETag"]
        assert parts.strip('"').endswith("-7"), "50 MiB in 8 MiB parts is a 7-part multipart upload"

        destination = tmp_path / "big.out"
        with peak_rss() as rss:
            size = await storage.download("big/object.webm", destination)
        with traced() as download_trace:
            await storage.download("big/object.webm", tmp_path / "big2.out")

    assert size == BIG
    assert _sha256(destination) == _sha256(source)
    growth = rss["peak"] - rss["baseline"]
    record_property("download_rss_growth_mib", round(growth / MIB, 1))
    record_property("download_tracemalloc_peak_mib", round(download_trace["peak"] / MIB, 1))
    record_property("upload_tracemalloc_peak_mib", round(upload_trace["peak"] / MIB, 1))
    print(
        f"\n50 MiB: download RSS growth {growth / MIB:.1f} MiB, download traced peak "
        f"{download_trace['peak'] / MIB:.1f} MiB, multipart upload traced peak {upload_trace['peak'] / MIB:.1f} MiB"
    )
    assert download_trace["peak"] < 8 * MIB
    assert growth < 20 * MIB
    # Two 8 MiB parts in flight, plus the request copies botocore makes of each.
    assert upload_trace["peak"] < 40 * MIB


async def test_cancelled_multipart_upload_is_aborted(
    moto_server: MotoServer, aio_session: AioSession, tmp_path: Path
) -> None:
    transfer = TransferSettings(multipart_threshold=5 * MIB, part_size=5 * MIB, max_concurrency=1)
    config = moto_server.bucket_config(moto_server.new_bucket(), transfer=transfer)
    s3 = moto_server.boto3_client("s3")
    source = tmp_path / "big.bin"
    write_pattern(source, 40 * MIB)
    async with S3Storage(config, session=aio_session) as storage:
        task = asyncio.create_task(storage.upload("partial", source))
        for _ in range(500):
            if s3.list_multipart_uploads(Bucket=config.name).get("Uploads"):
                break
            await asyncio.sleep(0.01)
        else:
            pytest.fail("the multipart upload never started")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        for _ in range(200):
            if not s3.list_multipart_uploads(Bucket=config.name).get("Uploads"):
                break
            await asyncio.sleep(0.01)
        assert s3.list_multipart_uploads(Bucket=config.name).get("Uploads") is None
        assert not await storage.exists("partial")


async def test_content_type_is_stored(s3_bucket: S3BucketConfig, moto_server: MotoServer, tmp_path: Path) -> None:
    async with S3Storage(s3_bucket) as storage:
        await put_bytes(storage, "a.mp3", b"id3", tmp_path, content_type="audio/mpeg")
    head = moto_server.boto3_client("s3").head_object(Bucket=s3_bucket.name, Key="a.mp3")
    assert head["ContentType"] == "audio/mpeg"


async def test_missing_bucket_is_a_storage_error(moto_server: MotoServer, tmp_path: Path) -> None:
    async with S3Storage(moto_server.bucket_config("no-such-bucket-here")) as storage:
        with pytest.raises(StorageError) as info:
            await put_bytes(storage, "k", b"x", tmp_path)
        assert info.value.bucket == "no-such-bucket-here"
        assert "no such bucket" in info.value.reason
        with pytest.raises(StorageError) as listing:
            [item async for item in storage.list()]
        assert not isinstance(listing.value, ObjectNotFoundError)


async def test_unreachable_endpoint_is_a_storage_error(tmp_path: Path) -> None:
    config = S3BucketConfig(
        name="b",
        region="us-east-1",
        access_key_id="x",
        secret_access_key="y",
        endpoint_url="http://127.0.0.1:9",
        max_attempts=1,
        connect_timeout=1,
    )
    async with S3Storage(config) as storage:
        with pytest.raises(StorageError) as info:
            await storage.read("k")
        assert (info.value.bucket, info.value.key, info.value.operation) == ("b", "k", "read")


async def test_storage_must_be_opened(s3_bucket: S3BucketConfig) -> None:
    storage = S3Storage(s3_bucket)
    with pytest.raises(StorageError, match="not open"):
        await storage.exists("k")


def test_config_rules() -> None:
    with pytest.raises(ConfigurationError, match="both"):
        S3BucketConfig(name="b", access_key_id="only-the-id")
    with pytest.raises(ConfigurationError, match="prefixes"):
        S3BucketConfig(name="bucket/folder")
    with pytest.raises(ValueError, match="part_size"):
        TransferSettings(part_size=MIB)
    assert S3BucketConfig(name="b").effective_addressing_style == "auto"
    assert S3BucketConfig(name="b", endpoint_url="http://minio:9000").effective_addressing_style == "path"
    assert "secret" not in repr(S3BucketConfig(name="b", access_key_id="id", secret_access_key="secret"))


async def test_open_buckets_builds_each_from_its_own_config(moto_server: MotoServer, tmp_path: Path) -> None:
    whereby = moto_server.new_bucket("whereby")
    configs = BucketConfigs(
        transcripts=LocalBucketConfig(root=tmp_path / "transcripts"),
        whereby=moto_server.bucket_config(whereby),
    )
    async with open_buckets(configs) as buckets:
        assert isinstance(buckets.transcripts, LocalStorage)
        assert isinstance(buckets.whereby, S3Storage)
        assert buckets.daily is None
        await put_bytes(buckets.whereby, "raw/x.mp4", b"mp4", tmp_path)
        await buckets.whereby.download("raw/x.mp4", tmp_path / "x.mp4")
        await buckets.transcripts.upload("t/audio.mp3", tmp_path / "x.mp4")
        assert await buckets.transcripts.read("t/audio.mp3") == b"mp4"
        assert buckets.whereby.bucket == whereby
