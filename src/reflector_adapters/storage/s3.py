"""``ObjectStorage`` on one S3 or S3-compatible bucket, with aiobotocore.

Memory stays bounded whatever the object size: downloads stream ``chunk_size`` pieces to a
temporary file, uploads at or above ``multipart_threshold`` go in parts of ``part_size`` with at most
``max_concurrency`` parts in flight (an interrupted upload is aborted so no parts linger and cost money).
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from uuid import uuid4

import aiohttp
from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession
from botocore.exceptions import BotoCoreError, ClientError

from reflector_adapters.aws_client import OwnedClient
from reflector_adapters.storage.config import S3_MAX_PARTS, S3_MAX_PRESIGN_SECONDS, S3BucketConfig
from reflector_adapters.storage.keys import validate_key, validate_prefix
from reflector_core.errors import (
    InvalidInputError,
    InvalidRangeError,
    ObjectNotFoundError,
    ReflectorError,
    StorageError,
)
from reflector_core.ports import ObjectInfo

log = logging.getLogger(__name__)

_NOT_FOUND_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
_TRANSPORT_ERRORS = (BotoCoreError, aiohttp.ClientError, asyncio.TimeoutError, OSError)


def check_range(bucket: str, key: str, start: int, end: int | None) -> None:
    """Reject ranges that no object could satisfy, before any I/O."""
    if start < 0:
        raise InvalidRangeError(bucket, key, start, end, "start is negative")
    if end is not None and end < start:
        raise InvalidRangeError(bucket, key, start, end, "end is before start")


def check_expiry(bucket: str, key: str, expires_in: int) -> None:
    if not 1 <= expires_in <= S3_MAX_PRESIGN_SECONDS:
        raise InvalidInputError(
            f"presigned URL for s3://{bucket}/{key}: expires_in must be 1..{S3_MAX_PRESIGN_SECONDS} s, got {expires_in}"
        )


def _read_part(path: Path, offset: int, length: int) -> bytes:
    with path.open("rb") as f:
        f.seek(offset)
        return f.read(length)


class S3Storage(OwnedClient):
    """One bucket on S3 (or MinIO, Garage, R2… through ``endpoint_url``).

    Open it before use and close it after: ``async with S3Storage(config) as storage: ...``. One
    instance holds one connection pool and may be shared by concurrent tasks.
    """

    service = "s3"

    def __init__(self, config: S3BucketConfig, *, session: AioSession | None = None) -> None:
        super().__init__(session)
        self.config = config
        self.bucket = config.name

    # --- lifecycle (open/close/async with: OwnedClient) ----------------------------------------

    def client_arguments(self) -> dict[str, Any]:
        c = self.config
        return {
            "region_name": c.region,
            "endpoint_url": c.endpoint_url,
            "aws_access_key_id": c.access_key_id,
            "aws_secret_access_key": c.secret_access_key,
            "aws_session_token": c.session_token,
            "config": AioConfig(
                region_name=c.region,
                connect_timeout=c.connect_timeout,
                read_timeout=c.read_timeout,
                retries={"max_attempts": c.max_attempts, "mode": "standard"},
                s3={"addressing_style": c.effective_addressing_style},
                signature_version="s3v4",
                # botocore's default CRC checksums on every upload break several S3-compatible stores
                # (older MinIO, Garage, R2); send them only where S3 requires them.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                max_pool_connections=max(10, 2 * c.transfer.max_concurrency),
            ),
        }

    @property
    def _s3(self) -> Any:
        if self._client is None:
            raise StorageError(self.bucket, "", "use", "storage is not open (use 'async with' or await open())")
        return self._client

    # --- errors ----------------------------------------------------------------------------------

    def _mapped(self, exc: BaseException, operation: str, key: str) -> ReflectorError:
        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in _NOT_FOUND_CODES:
                return ObjectNotFoundError(self.bucket, key, operation)
            if code == "NoSuchBucket":
                return StorageError(self.bucket, key, operation, "no such bucket")
            message = error.get("Message") or ""
            return StorageError(self.bucket, key, operation, f"{code or status} {message}".strip())
        return StorageError(self.bucket, key, operation, f"{type(exc).__name__}: {exc}")

    @contextmanager
    def _errors(self, operation: str, key: str) -> Iterator[None]:
        try:
            yield
        except ReflectorError:
            raise
        except (ClientError, *_TRANSPORT_ERRORS) as exc:
            raise self._mapped(exc, operation, key) from exc

    # --- ObjectStorage ---------------------------------------------------------------------------

    async def download(self, key: str, destination: Path) -> int:
        validate_key(key)
        destination = Path(destination)
        chunk_size = self.config.transfer.chunk_size
        part = destination.with_name(f".{destination.name}.{uuid4().hex}.part")
        try:
            with self._errors("download", key):
                await asyncio.to_thread(destination.parent.mkdir, parents=True, exist_ok=True)
                response = await self._s3.get_object(Bucket=self.bucket, Key=key)
                expected = response.get("ContentLength")
                written = 0
                f = await asyncio.to_thread(part.open, "wb")
                try:
                    async with response["Body"] as body:
                        # Network reads arrive in small pieces; gather them so each thread hop writes a
                        # whole chunk. The buffer never exceeds about two chunks.
                        buffer = bytearray()
                        while piece := await body.read(chunk_size):
                            buffer += piece
                            if len(buffer) >= chunk_size:
                                await asyncio.to_thread(f.write, bytes(buffer))
                                written += len(buffer)
                                buffer.clear()
                        if buffer:
                            await asyncio.to_thread(f.write, bytes(buffer))
                            written += len(buffer)
                finally:
                    await asyncio.to_thread(f.close)
                if expected is not None and written != expected:
                    raise StorageError(self.bucket, key, "download", f"got {written} of {expected} bytes")
                await asyncio.to_thread(os.replace, part, destination)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        return written

    async def upload(self, key: str, source: Path, *, content_type: str | None = None) -> None:
        validate_key(key)
        source = Path(source)
        try:
            size = (await asyncio.to_thread(source.stat)).st_size
        except OSError as exc:
            raise StorageError(self.bucket, key, "upload", f"cannot read source {source}: {exc}") from exc
        extra = {"ContentType": content_type} if content_type else {}
        if size < self.config.transfer.multipart_threshold:
            with self._errors("upload", key):
                data = await asyncio.to_thread(source.read_bytes)
                await self._s3.put_object(Bucket=self.bucket, Key=key, Body=data, **extra)
            return
        await self._upload_multipart(key, source, size, extra)

    async def _upload_multipart(self, key: str, source: Path, size: int, extra: dict[str, str]) -> None:
        transfer = self.config.transfer
        part_size = max(transfer.part_size, math.ceil(size / S3_MAX_PARTS))
        count = math.ceil(size / part_size)
        with self._errors("upload", key):
            creating = asyncio.ensure_future(self._s3.create_multipart_upload(Bucket=self.bucket, Key=key, **extra))
            try:
                created = await asyncio.shield(creating)
            except asyncio.CancelledError:
                # S3 may already hold the upload; learn its id so the cancellation leaves no orphan parts.
                with suppress(ClientError, *_TRANSPORT_ERRORS):
                    await self._abort(key, (await creating)["UploadId"])
                raise
        upload_id: str = created["UploadId"]
        try:
            with self._errors("upload", key):
                etags: dict[int, str] = {}
                numbers = iter(range(1, count + 1))

                async def worker() -> None:
                    # Workers pull part numbers one at a time, so at most max_concurrency parts are in memory.
                    for number in numbers:
                        offset = (number - 1) * part_size
                        length = min(part_size, size - offset)
                        data = await asyncio.to_thread(_read_part, source, offset, length)
                        if len(data) != length:
                            raise StorageError(self.bucket, key, "upload", f"source {source} shrank during upload")
                        reply = await self._s3.upload_part(
                            Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data
                        )
                        etags[number] = reply["ETag"]

                try:
                    async with asyncio.TaskGroup() as group:
                        for _ in range(min(transfer.max_concurrency, count)):
                            group.create_task(worker())
                except BaseExceptionGroup as group_error:
                    raise group_error.exceptions[0] from None
                parts = [{"PartNumber": n, "ETag": etags[n]} for n in sorted(etags)]
                await self._s3.complete_multipart_upload(
                    Bucket=self.bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
                )
        except BaseException:
            # Shielded so that a cancelled upload still removes its parts.
            await asyncio.shield(self._abort(key, upload_id))
            raise

    async def _abort(self, key: str, upload_id: str) -> None:
        try:
            await self._s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except (ClientError, *_TRANSPORT_ERRORS) as exc:
            # The bucket's lifecycle rule for incomplete uploads is the backstop.
            log.warning("could not abort multipart upload %s of s3://%s/%s: %s", upload_id, self.bucket, key, exc)

    async def read(self, key: str, *, start: int = 0, end: int | None = None) -> bytes:
        validate_key(key)
        check_range(self.bucket, key, start, end)
        params: dict[str, str] = {}
        if start or end is not None:
            params["Range"] = f"bytes={start}-{'' if end is None else end}"
        with self._errors("read", key):
            try:
                response = await self._s3.get_object(Bucket=self.bucket, Key=key, **params)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") == "InvalidRange":
                    raise InvalidRangeError(
                        self.bucket, key, start, end, "starts beyond the end of the object"
                    ) from exc
                raise
            async with response["Body"] as body:
                data: bytes = await body.read()
                return data

    async def delete(self, key: str) -> None:
        validate_key(key)
        with self._errors("delete", key):
            await self._s3.delete_object(Bucket=self.bucket, Key=key)

    async def exists(self, key: str) -> bool:
        try:
            await self.stat(key)
        except ObjectNotFoundError:
            return False
        return True

    async def stat(self, key: str) -> ObjectInfo:
        validate_key(key)
        with self._errors("stat", key):
            head = await self._s3.head_object(Bucket=self.bucket, Key=key)
        return ObjectInfo(key=key, size=int(head["ContentLength"]), last_modified=head.get("LastModified"))

    async def presigned_url(self, key: str, *, expires_in: int) -> str:
        validate_key(key)
        check_expiry(self.bucket, key, expires_in)
        with self._errors("presign", key):
            url: str = await self._s3.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=expires_in
            )
        return url

    async def list(self, prefix: str = "") -> AsyncIterator[ObjectInfo]:
        validate_prefix(prefix)
        paginator = self._s3.get_paginator("list_objects_v2")
        pages = paginator.paginate(
            Bucket=self.bucket, Prefix=prefix, PaginationConfig={"PageSize": self.config.transfer.list_page_size}
        )
        with self._errors("list", prefix):
            async for page in pages:
                for item in page.get("Contents", ()):
                    yield ObjectInfo(key=item["Key"], size=int(item["Size"]), last_modified=item.get("LastModified"))
