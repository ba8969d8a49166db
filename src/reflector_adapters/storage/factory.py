"""Building storages from their configs: one bucket each, and the application's three buckets together.

The transcript bucket is ours (read, write, delete). The Whereby and Daily buckets are written by
the platforms; we read and delete there. Each has its own config and so its own credentials: no
master keys with per-bucket overrides.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from aiobotocore.session import AioSession, get_session
from attrs import frozen

from reflector_adapters.storage.config import BucketConfig, LocalBucketConfig, S3BucketConfig
from reflector_adapters.storage.local import LocalStorage
from reflector_adapters.storage.s3 import S3Storage


def build_storage(config: BucketConfig, *, session: AioSession | None = None) -> S3Storage | LocalStorage:
    """An unopened storage for ``config``; open it with ``async with``."""
    if isinstance(config, S3BucketConfig):
        return S3Storage(config, session=session)
    if isinstance(config, LocalBucketConfig):
        return LocalStorage(config)
    raise TypeError(f"not a bucket config: {config!r}")


@frozen
class BucketConfigs:
    transcripts: BucketConfig
    whereby: BucketConfig | None = None
    daily: BucketConfig | None = None


@frozen
class Buckets:
    transcripts: S3Storage | LocalStorage
    whereby: S3Storage | LocalStorage | None
    daily: S3Storage | LocalStorage | None


@asynccontextmanager
async def open_buckets(configs: BucketConfigs) -> AsyncIterator[Buckets]:
    """Open every configured bucket (sharing one botocore session) and close them all on exit."""
    session = get_session()
    async with AsyncExitStack() as stack:

        async def opened(config: BucketConfig) -> S3Storage | LocalStorage:
            storage = build_storage(config, session=session)
            await storage.open()
            stack.push_async_callback(storage.close)
            return storage

        yield Buckets(
            transcripts=await opened(configs.transcripts),
            whereby=await opened(configs.whereby) if configs.whereby is not None else None,
            daily=await opened(configs.daily) if configs.daily is not None else None,
        )
