"""Both storage adapters and the in-memory fake behind one parametrized fixture, S3 on moto's server over real HTTP.

The fake (``tests/fakes/memory.py``) runs the same contract because the use-case tests rely on it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from reflector_adapters.storage.config import MIB, LocalBucketConfig, TransferSettings
from reflector_adapters.storage.local import LocalStorage
from reflector_adapters.storage.s3 import S3Storage
from tests.fakes.memory import MemoryStorage
from tests.moto_server import MotoServer, aio_session, moto_server, s3_bucket  # noqa: F401

# Small enough that the contract exercises multipart uploads and several list pages cheaply.
SMALL_TRANSFERS = TransferSettings(multipart_threshold=5 * MIB, part_size=5 * MIB, max_concurrency=2, list_page_size=2)


@pytest.fixture(params=["s3", "local", "memory"])
async def storage(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[S3Storage | LocalStorage | MemoryStorage]:
    if request.param == "s3":
        server: MotoServer = request.getfixturevalue("moto_server")
        config = server.bucket_config(server.new_bucket(), transfer=SMALL_TRANSFERS)
        async with S3Storage(config, session=request.getfixturevalue("aio_session")) as s3:
            yield s3
    elif request.param == "memory":
        yield MemoryStorage("memory-bucket")
    else:
        async with LocalStorage(LocalBucketConfig(root=tmp_path / "buckets" / "local-bucket")) as local:
            yield local


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A scratch folder for source and destination files, outside any local bucket."""
    path = tmp_path / "work"
    path.mkdir()
    return path
