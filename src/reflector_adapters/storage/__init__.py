"""Object storage adapters: S3 (aiobotocore) and a local folder, behind ``reflector_core.ports.ObjectStorage``."""

from reflector_adapters.storage.config import LocalBucketConfig, S3BucketConfig, TransferSettings
from reflector_adapters.storage.factory import BucketConfigs, Buckets, build_storage, open_buckets
from reflector_adapters.storage.local import LocalStorage
from reflector_adapters.storage.s3 import S3Storage

__all__ = [
    "BucketConfigs",
    "Buckets",
    "LocalBucketConfig",
    "LocalStorage",
    "S3BucketConfig",
    "S3Storage",
    "TransferSettings",
    "build_storage",
    "open_buckets",
]
