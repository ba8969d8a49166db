"""Per-bucket settings: which bucket, where, with which credentials, and how large transfers are split."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from attrs import field, frozen, validators

from reflector_core.errors import ConfigurationError

MIB = 1024 * 1024
S3_MIN_PART_SIZE = 5 * MIB
"""S3 rejects multipart parts below 5 MiB (all but the last)."""
S3_MAX_PARTS = 10_000
S3_MAX_PRESIGN_SECONDS = 7 * 24 * 3600
"""SigV4 presigned URLs live at most seven days."""


@frozen
class TransferSettings:
    """How uploads and downloads are cut up; memory use is bounded by these, never by object size."""

    multipart_threshold: int = field(default=16 * MIB, validator=validators.ge(1))
    """Files of this size or larger are uploaded in parts; smaller ones in one request (read into memory)."""
    part_size: int = field(default=8 * MIB, validator=validators.ge(S3_MIN_PART_SIZE))
    """Size of each multipart part; grown automatically when a file would need more than 10,000 parts."""
    max_concurrency: int = field(default=4, validator=validators.ge(1))
    """Parts in flight at once: peak upload memory is about ``part_size × max_concurrency``."""
    chunk_size: int = field(default=1 * MIB, validator=validators.ge(1))
    """Bytes read from the network per step of a streaming download."""
    list_page_size: int = field(default=1000, validator=[validators.ge(1), validators.le(1000)])
    """Keys per ``ListObjectsV2`` page."""


@frozen
class S3BucketConfig:
    """One S3 (or S3-compatible) bucket.

    Without ``access_key_id``/``secret_access_key`` the default AWS credential chain is used
    (environment, shared config, instance or task role). ``endpoint_url`` points at any
    S3-compatible store (MinIO, Garage, Cloudflare R2); such stores usually want path-style
    addressing, which is therefore the default whenever an endpoint is set.
    """

    name: str = field(validator=validators.min_len(1))
    region: str | None = None
    access_key_id: str | None = field(default=None, repr=False)
    secret_access_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)
    endpoint_url: str | None = None
    addressing_style: Literal["auto", "path", "virtual"] | None = None
    """``None``: ``path`` when ``endpoint_url`` is set, otherwise botocore's ``auto``."""
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_attempts: int = 3
    transfer: TransferSettings = TransferSettings()

    def __attrs_post_init__(self) -> None:
        if (self.access_key_id is None) != (self.secret_access_key is None):
            raise ConfigurationError(
                f"bucket {self.name}: set both access_key_id and secret_access_key, or neither "
                "(to use the default credential chain)"
            )
        if "/" in self.name:
            raise ConfigurationError(f"bucket {self.name}: a bucket name cannot contain '/'; use key prefixes")

    @property
    def effective_addressing_style(self) -> Literal["auto", "path", "virtual"]:
        if self.addressing_style is not None:
            return self.addressing_style
        return "path" if self.endpoint_url else "auto"


@frozen
class LocalBucketConfig:
    """A bucket that is a folder: object ``a/b.webm`` is the file ``{root}/a/b.webm``."""

    root: Path = field(converter=Path)
    name: str | None = None
    """The bucket name reported in errors and ``bucket``; the folder's name when unset."""

    @property
    def bucket_name(self) -> str:
        return self.name or self.root.name


BucketConfig = S3BucketConfig | LocalBucketConfig
