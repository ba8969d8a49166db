"""What only the local-folder adapter does: its layout on disk, atomic writes, and keys that never escape."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reflector_adapters.storage.config import LocalBucketConfig
from reflector_adapters.storage.keys import validate_key, validate_prefix
from reflector_adapters.storage.local import TMP_DIR, LocalStorage
from reflector_core.errors import InvalidKeyError, StorageError
from tests.contract.storage.helpers import keys, put_bytes

# Pieces that have broken path handling somewhere: traversal, separators, encodings, odd names.
HOSTILE_PIECES = [
    "..",
    ".",
    "",
    "/",
    "\\",
    "\x00",
    "%2e%2e",
    "..%2f",
    "~",
    "C:",
    " ",
    "a",
    "é",
    "\u202e",
    "\n",
    TMP_DIR,
    "....",
    "a.",
    "-",
    "+",
]
hostile_keys = st.one_of(
    st.lists(st.sampled_from(HOSTILE_PIECES), min_size=1, max_size=6).map("".join),
    st.lists(st.sampled_from(HOSTILE_PIECES), min_size=1, max_size=4).map("/".join),
    st.text(max_size=40),
)


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """A base folder holding only the bucket folder, so anything written outside the root shows up."""
    base = tmp_path / "base"
    root = base / "bucket"
    root.mkdir(parents=True)
    return base, root


def _files_under(base: Path) -> set[Path]:
    return {Path(dirpath) / name for dirpath, _, names in os.walk(base) for name in names}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=hostile_keys)
async def test_a_key_is_rejected_or_stays_inside_the_root(layout: tuple[Path, Path], key: str) -> None:
    base, root = layout
    source = base.parent / "source"
    source.write_bytes(b"payload")
    storage = LocalStorage(LocalBucketConfig(root=root))
    before = _files_under(base)
    try:
        await storage.upload(key, source)
    except InvalidKeyError:
        assert _files_under(base) == before, "a rejected key writes nothing"
        return
    try:
        path = (root / key).resolve()
        assert path.is_relative_to(root.resolve())
        assert path.read_bytes() == b"payload"
        assert await storage.read(key) == b"payload"
        assert key in await keys(storage)
        assert _files_under(base) - before == {root / key}
    finally:
        await storage.delete(key)
    assert _files_under(base) == before
    assert list(root.iterdir()) in ([], [root / TMP_DIR]), "delete prunes the folders it emptied"


@given(key=hostile_keys)
def test_validation_agrees_with_the_documented_rules(key: str) -> None:
    segments = key.split("/")
    expected_ok = (
        bool(key)
        and not key.startswith("/")
        and "\\" not in key
        and all(ord(c) >= 0x20 and ord(c) != 0x7F for c in key)
        and all(s not in {"", ".", ".."} for s in segments)
        and len(key.encode("utf-8", "surrogatepass")) <= 1024
    )
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        expected_ok = False
    try:
        validate_key(key)
    except InvalidKeyError:
        assert not expected_ok
    else:
        assert expected_ok


def test_prefix_rules() -> None:
    for ok in ["", "raw/", "raw/cons", "a/b/", "a/..partial", "a/."]:
        assert validate_prefix(ok) == ok
    for bad in ["/", "../", "a/../b", "a//", "\\", "a\x00", "./a"]:
        with pytest.raises(InvalidKeyError):
            validate_prefix(bad)


async def test_layout_is_root_slash_key(layout: tuple[Path, Path]) -> None:
    base, root = layout
    storage = LocalStorage(LocalBucketConfig(root=root))
    assert storage.bucket == "bucket"
    await put_bytes(storage, "domain/room/track.webm", b"webm", base.parent)
    assert (root / "domain" / "room" / "track.webm").read_bytes() == b"webm"
    assert list((root / TMP_DIR).iterdir()) == [], "temporary files are renamed away"
    assert await keys(storage) == ["domain/room/track.webm"], "the temporary folder is not listed"
    assert await keys(storage, f"{TMP_DIR}/") == []


async def test_reserved_temporary_folder_cannot_be_addressed(layout: tuple[Path, Path]) -> None:
    _, root = layout
    storage = LocalStorage(LocalBucketConfig(root=root, name="named"))
    assert storage.bucket == "named"
    with pytest.raises(InvalidKeyError, match="reserved"):
        await storage.read(f"{TMP_DIR}/x.part")


async def test_presigned_url_is_a_file_url_of_the_object(layout: tuple[Path, Path]) -> None:
    base, root = layout
    storage = LocalStorage(LocalBucketConfig(root=root))
    await put_bytes(storage, "a b/c#d.mp3", b"x", base.parent)
    url = await storage.presigned_url("a b/c#d.mp3", expires_in=60)
    assert url == (root / "a b" / "c#d.mp3").as_uri()
    assert "%20" in url and "%23" in url


async def test_object_and_folder_cannot_share_a_name(layout: tuple[Path, Path]) -> None:
    base, root = layout
    storage = LocalStorage(LocalBucketConfig(root=root))
    await put_bytes(storage, "a", b"object a", base.parent)
    with pytest.raises(StorageError, match="prefix of this key is an object"):
        await put_bytes(storage, "a/b", b"x", base.parent)
    await put_bytes(storage, "c/d", b"object c/d", base.parent)
    with pytest.raises(StorageError, match="other objects live below"):
        await put_bytes(storage, "c", b"x", base.parent)
    assert await storage.read("a") == b"object a"
    assert await storage.read("c/d") == b"object c/d"
    assert list((root / TMP_DIR).iterdir()) == [], "a failed write leaves no temporary file"


async def test_overlong_segment_is_an_invalid_key(layout: tuple[Path, Path]) -> None:
    base, root = layout
    storage = LocalStorage(LocalBucketConfig(root=root))
    with pytest.raises(InvalidKeyError, match="too long"):
        await put_bytes(storage, "x" * 300, b"x", base.parent)


async def test_unreadable_root_is_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    storage = LocalStorage(LocalBucketConfig(root=blocker / "bucket"))
    with pytest.raises(StorageError) as info:
        await put_bytes(storage, "k", b"x", tmp_path)
    assert (info.value.bucket, info.value.key, info.value.operation) == ("bucket", "k", "upload")


async def test_opening_the_bucket_sweeps_temporary_files_of_killed_writes(tmp_path: Path) -> None:
    """Issue 17: a process killed mid-upload leaves ``.reflector-tmp/*.part`` (maybe participants' audio)."""
    import fcntl
    import time

    tmp = tmp_path / "bucket" / TMP_DIR
    tmp.mkdir(parents=True)
    old = time.time() - 3600
    dead = tmp / "dead.part"
    dead.write_bytes(b"half an mp3")
    live = tmp / "live.part"
    live.write_bytes(b"being written")
    fresh = tmp / "fresh.part"  # just created: its writer may not hold the lock yet
    fresh.write_bytes(b"")
    for part in (dead, live):
        os.utime(part, (old, old))
    with live.open("rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        async with LocalStorage(LocalBucketConfig(root=tmp_path / "bucket", name="b")) as storage:
            assert sorted(p.name for p in tmp.iterdir()) == ["fresh.part", "live.part"]
            await put_bytes(storage, "k", b"new", tmp_path)  # writes still work (and leave nothing behind)
        assert sorted(p.name for p in tmp.iterdir()) == ["fresh.part", "live.part"]
