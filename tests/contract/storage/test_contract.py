"""The ``ObjectStorage`` contract, run against the S3 adapter (moto over HTTP), the local-folder adapter and the fake."""

from __future__ import annotations

import hashlib
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from reflector_adapters.storage.local import LocalStorage
from reflector_adapters.storage.s3 import S3Storage
from reflector_core.errors import (
    InvalidInputError,
    InvalidKeyError,
    InvalidRangeError,
    ObjectNotFoundError,
    StorageError,
)
from tests.contract.storage.helpers import keys, put_bytes, write_pattern
from tests.fakes.memory import MemoryStorage

Storage = S3Storage | LocalStorage | MemoryStorage

WHEREBY_KEY = "raw/Clinic A+B (Berlin)/consult-3f9a1c2e-8b7d-4e6f-a5c4-1d2e3f4a5b6c-2026-03-12T15:10:02Z.mp4"
HOSTILE_KEYS = [
    "",
    "../escape",
    "a/../../escape",
    "a/..",
    "..",
    ".",
    "./a",
    "/etc/passwd",
    "a//b",
    "a/",
    "a\\..\\b",
    "a\x00b",
    "a\nb",
    "x" * 1025,
]


async def test_upload_then_download_round_trips(storage: Storage, work: Path) -> None:
    await put_bytes(storage, "rec/track.webm", b"hello world", work)
    destination = work / "nested" / "out.webm"
    size = await storage.download("rec/track.webm", destination)
    assert size == 11
    assert destination.read_bytes() == b"hello world"
    assert sorted(p.name for p in destination.parent.iterdir()) == ["out.webm"], "no partial file is left behind"


async def test_download_replaces_an_existing_file(storage: Storage, work: Path) -> None:
    await put_bytes(storage, "k", b"new", work)
    destination = work / "out"
    destination.write_bytes(b"old content that is longer")
    assert await storage.download("k", destination) == 3
    assert destination.read_bytes() == b"new"


async def test_upload_overwrites(storage: Storage, work: Path) -> None:
    await put_bytes(storage, "k", b"first", work)
    await put_bytes(storage, "k", b"second", work)
    assert await storage.read("k") == b"second"


async def test_empty_object(storage: Storage, work: Path) -> None:
    await put_bytes(storage, "empty", b"", work)
    assert await storage.read("empty") == b""
    assert await storage.download("empty", work / "e") == 0
    assert (await storage.stat("empty")).size == 0
    with pytest.raises(InvalidRangeError):
        await storage.read("empty", start=0, end=10)


async def test_key_with_spaces_plus_and_colons(storage: Storage, work: Path) -> None:
    await put_bytes(storage, WHEREBY_KEY, b"mp4", work)
    assert await storage.exists(WHEREBY_KEY)
    assert await keys(storage, "raw/Clinic A+B") == [WHEREBY_KEY]
    assert await storage.read(WHEREBY_KEY) == b"mp4"


async def test_multipart_sized_upload_round_trips(storage: Storage, work: Path) -> None:
    source = work / "big"
    write_pattern(source, 12 * 1024 * 1024 + 123)
    await storage.upload("big/object", source, content_type="video/mp4")
    destination = work / "big.out"
    assert await storage.download("big/object", destination) == source.stat().st_size
    assert hashlib.sha256(destination.read_bytes()).digest() == hashlib.sha256(source.read_bytes()).digest()


async def test_missing_object_errors_carry_bucket_and_key(storage: Storage, work: Path) -> None:
    destination = work / "never"
    with pytest.raises(ObjectNotFoundError) as info:
        await storage.download("no/such/key", destination)
    assert (info.value.bucket, info.value.key) == (storage.bucket, "no/such/key")
    assert not destination.exists()
    assert list(work.iterdir()) == [], "a failed download leaves nothing"
    with pytest.raises(ObjectNotFoundError):
        await storage.read("no/such/key")
    with pytest.raises(ObjectNotFoundError):
        await storage.stat("no/such/key")
    assert not await storage.exists("no/such/key")


async def test_a_prefix_is_not_an_object(storage: Storage, work: Path) -> None:
    await put_bytes(storage, "folder/object", b"x", work)
    assert not await storage.exists("folder")
    with pytest.raises(ObjectNotFoundError):
        await storage.read("folder")
    await storage.delete("folder")
    assert await storage.exists("folder/object")


async def test_delete_is_idempotent(storage: Storage, work: Path) -> None:
    await put_bytes(storage, "a/b/c", b"x", work)
    await put_bytes(storage, "a/keep", b"y", work)
    await storage.delete("a/b/c")
    await storage.delete("a/b/c")
    assert not await storage.exists("a/b/c")
    assert await keys(storage) == ["a/keep"]
    await storage.delete("never/existed")


async def test_stat(storage: Storage, work: Path) -> None:
    await put_bytes(storage, "s", b"12345", work)
    info = await storage.stat("s")
    assert (info.key, info.size) == ("s", 5)
    assert isinstance(info.last_modified, datetime)
    assert info.last_modified.tzinfo is not None


async def test_list_by_prefix_is_sorted_and_complete(storage: Storage, work: Path) -> None:
    # Five keys with a page size of 2 (S3) force three ListObjectsV2 pages.
    names = ["raw/b.mp4", "raw/a.mp4", "raw/sub/c.mp4", "rawer/d.mp4", "other/e.mp4", "raw/ä.mp4"]
    for name in names:
        await put_bytes(storage, name, name.encode(), work)
    assert await keys(storage, "raw/") == ["raw/a.mp4", "raw/b.mp4", "raw/sub/c.mp4", "raw/ä.mp4"]
    assert await keys(storage, "raw") == ["raw/a.mp4", "raw/b.mp4", "raw/sub/c.mp4", "raw/ä.mp4", "rawer/d.mp4"]
    assert await keys(storage, "raw/sub/c") == ["raw/sub/c.mp4"]
    assert await keys(storage) == sorted(names, key=lambda k: k.encode())
    assert await keys(storage, "nothing/") == []
    sizes = {info.key: info.size async for info in storage.list("other/")}
    assert sizes == {"other/e.mp4": len(b"other/e.mp4")}


async def test_list_rejects_hostile_prefixes(storage: Storage) -> None:
    for prefix in ["../", "/abs", "a//", "a\\b", "a\x00"]:
        with pytest.raises(InvalidKeyError):
            await keys(storage, prefix)


async def test_read_byte_ranges(storage: Storage, work: Path) -> None:
    data = bytes(range(100))
    await put_bytes(storage, "r", data, work)
    assert await storage.read("r") == data
    assert await storage.read("r", start=10) == data[10:]
    assert await storage.read("r", start=10, end=19) == data[10:20]
    assert await storage.read("r", start=0, end=0) == data[:1]
    assert await storage.read("r", start=99, end=99) == data[99:]
    assert await storage.read("r", start=90, end=1000) == data[90:], "an end past the object is clamped"
    for start, end in [(100, None), (100, 200), (-1, 5), (5, 4)]:
        with pytest.raises(InvalidRangeError) as info:
            await storage.read("r", start=start, end=end)
        assert info.value.key == "r"


async def test_presigned_url_serves_the_object(storage: Storage, work: Path) -> None:
    await put_bytes(storage, "share/clip one.mp3", b"audio bytes", work)
    url = await storage.presigned_url("share/clip one.mp3", expires_in=300)
    if isinstance(storage, S3Storage):
        assert "X-Amz-Expires=300" in url
        async with httpx.AsyncClient() as client:
            reply = await client.get(url)
        assert reply.status_code == 200
        assert reply.content == b"audio bytes"
    elif isinstance(storage, MemoryStorage):
        assert url.startswith("memory://") and "expires_in=300" in url
    else:
        assert url.startswith("file://")
        path = Path(urllib.request.url2pathname(urllib.parse.urlparse(url).path))
        assert path.read_bytes() == b"audio bytes"
    for bad in [0, -5, 8 * 24 * 3600]:
        with pytest.raises(InvalidInputError):
            await storage.presigned_url("share/clip one.mp3", expires_in=bad)


@pytest.mark.parametrize("key", HOSTILE_KEYS, ids=repr)
async def test_hostile_keys_are_rejected_everywhere(storage: Storage, work: Path, key: str) -> None:
    source = work / "src"
    source.write_bytes(b"x")
    calls = [
        storage.upload(key, source),
        storage.download(key, work / "dst"),
        storage.read(key),
        storage.delete(key),
        storage.exists(key),
        storage.stat(key),
        storage.presigned_url(key, expires_in=60),
    ]
    for call in calls:
        with pytest.raises(InvalidKeyError):
            await call
    assert await keys(storage) == []
    assert not (work / "dst").exists()


async def test_upload_of_a_missing_source_fails_cleanly(storage: Storage, work: Path) -> None:
    with pytest.raises(StorageError) as info:
        await storage.upload("k", work / "does-not-exist")
    assert info.value.key == "k"
    assert await keys(storage) == []
