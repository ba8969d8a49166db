"""``ObjectStorage`` on a local folder: the embedded default, and the stand-in for S3 in development.

Layout: object ``a/b.webm`` is the file ``{root}/a/b.webm``. Writes go to ``{root}/.reflector-tmp/``
first and are renamed into place, so a reader sees the old object or the new one, never a half-written
file; that first segment is therefore reserved. Keys pass the same rules as on S3 (``keys.py``), so
none can leave the root. Symbolic links inside the root are followed: its contents are trusted.

Differences from S3, by nature of a file system: ``content_type`` is not kept; ``presigned_url``
returns a ``file://`` URL (no signature, no expiry — it is only useful on this machine); a key cannot
be both an object and a folder (``a`` and ``a/b``), which S3 allows; folders left empty by a delete
are removed so that listings and writes behave as if folders did not exist.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import logging
import os
import shutil
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Self, TypeVar
from uuid import uuid4

from reflector_adapters.storage.config import LocalBucketConfig
from reflector_adapters.storage.keys import validate_key, validate_prefix
from reflector_adapters.storage.s3 import check_expiry, check_range
from reflector_core.errors import InvalidKeyError, InvalidRangeError, ObjectNotFoundError, StorageError
from reflector_core.ports import ObjectInfo

log = logging.getLogger(__name__)

TMP_DIR = ".reflector-tmp"
STALE_PART_SECONDS = 5
"""A temporary file untouched this long and held by no writer was left by a killed process."""
_COPY_CHUNK = 1024 * 1024
_NOT_AN_OBJECT = (FileNotFoundError, IsADirectoryError, NotADirectoryError)

R = TypeVar("R")


def _copy_to(src: BinaryIO, dst: Path) -> int:
    with dst.open("wb") as out:
        # Held while writing: the start-up sweep removes only temporary files no live writer holds.
        fcntl.flock(out.fileno(), fcntl.LOCK_EX)
        shutil.copyfileobj(src, out, _COPY_CHUNK)
        out.flush()
        # Without fsync a crash right after the rename could leave an empty file under the final name.
        os.fsync(out.fileno())
        return out.tell()


def _unheld_and_stale(part: Path) -> bool:
    try:
        fd = os.open(part, os.O_RDONLY)
    except OSError:
        return False
    try:
        if time.time() - os.fstat(fd).st_mtime < STALE_PART_SECONDS:
            return False
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # a writer that opens it meanwhile writes to a file about to go, and fails cleanly


class LocalStorage:
    def __init__(self, config: LocalBucketConfig) -> None:
        self.config = config
        self.root = config.root.absolute()
        self.bucket = config.bucket_name

    async def open(self) -> None:
        await asyncio.to_thread(self.root.mkdir, parents=True, exist_ok=True)
        swept = await asyncio.to_thread(self.sweep_temporary_files)
        if swept:
            log.warning("bucket %s: removed %d temporary file(s) of killed writes", self.bucket, swept)

    def sweep_temporary_files(self) -> int:
        """Remove the half-written uploads of killed processes (they may hold participants' audio).

        An upload writes ``.reflector-tmp/<uuid>.part`` and renames it into place, or removes it on any
        error; only a process killed mid-write leaves one. A part is removed when no writer holds its
        lock and it has not been written to for ``STALE_PART_SECONDS`` (a writer that has only just
        created its file has not locked it yet).
        """
        tmp = self.root / TMP_DIR
        if not tmp.is_dir():
            return 0
        swept = 0
        for part in tmp.iterdir():
            if _unheld_and_stale(part):
                part.unlink(missing_ok=True)
                swept += 1
        return swept

    async def close(self) -> None:
        return None

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # --- helpers ---------------------------------------------------------------------------------

    def _path(self, key: str) -> Path:
        segments = validate_key(key).split("/")
        if segments[0] == TMP_DIR:
            raise InvalidKeyError(
                key, f"the first segment {TMP_DIR!r} is reserved for the local bucket's temporary files"
            )
        return self.root.joinpath(*segments)

    async def _run(self, operation: str, key: str, fn: Callable[[], R]) -> R:
        """Run blocking file work off the event loop, mapping OS errors to storage errors with context."""
        try:
            return await asyncio.to_thread(fn)
        except _NOT_AN_OBJECT as exc:
            if operation in {"download", "read", "stat"}:
                raise ObjectNotFoundError(self.bucket, key, operation) from exc
            raise StorageError(self.bucket, key, operation, str(exc)) from exc
        except OSError as exc:
            if exc.errno == errno.ENAMETOOLONG:
                raise InvalidKeyError(key, "a segment is too long for the local file system") from exc
            raise StorageError(self.bucket, key, operation, str(exc)) from exc

    def _tmp_file(self) -> Path:
        tmp = self.root / TMP_DIR
        tmp.mkdir(parents=True, exist_ok=True)
        return tmp / f"{uuid4().hex}.part"

    def _move_into_place(self, part: Path, target: Path, key: str) -> None:
        # A concurrent delete may prune the parent folder between mkdir and rename: try again.
        for _ in range(5):
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except (FileExistsError, NotADirectoryError) as exc:
                raise StorageError(self.bucket, key, "upload", "a prefix of this key is an object (a file)") from exc
            try:
                os.replace(part, target)
                return
            except FileNotFoundError:
                continue
            except (IsADirectoryError, OSError) as exc:
                if target.is_dir():
                    raise StorageError(self.bucket, key, "upload", "other objects live below this key") from exc
                raise
        raise StorageError(self.bucket, key, "upload", "the folder kept disappearing under concurrent deletes")

    def _prune_empty_parents(self, path: Path) -> None:
        parent = path.parent
        while parent != self.root and self.root in parent.parents:
            try:
                parent.rmdir()
            except OSError:
                return
            parent = parent.parent

    # --- ObjectStorage ---------------------------------------------------------------------------

    async def download(self, key: str, destination: Path) -> int:
        path = self._path(key)
        destination = Path(destination)

        def copy() -> int:
            with path.open("rb") as src:
                destination.parent.mkdir(parents=True, exist_ok=True)
                part = destination.with_name(f".{destination.name}.{uuid4().hex}.part")
                try:
                    size = _copy_to(src, part)
                    os.replace(part, destination)
                except BaseException:
                    part.unlink(missing_ok=True)
                    raise
                return size

        return await self._run("download", key, copy)

    async def upload(self, key: str, source: Path, *, content_type: str | None = None) -> None:
        target = self._path(key)
        source = Path(source)
        try:
            src = await asyncio.to_thread(source.open, "rb")
        except OSError as exc:
            raise StorageError(self.bucket, key, "upload", f"cannot read source {source}: {exc}") from exc

        def put() -> None:
            with src:
                part = self._tmp_file()
                try:
                    _copy_to(src, part)
                    self._move_into_place(part, target, key)
                except BaseException:
                    part.unlink(missing_ok=True)
                    raise

        await self._run("upload", key, put)

    async def read(self, key: str, *, start: int = 0, end: int | None = None) -> bytes:
        path = self._path(key)
        check_range(self.bucket, key, start, end)

        def read() -> bytes:
            with path.open("rb") as f:
                size = os.fstat(f.fileno()).st_size
                if (start or end is not None) and start >= size:
                    # Mirrors S3, which answers 416 for a range starting at or past the end (even on 0 bytes).
                    raise InvalidRangeError(self.bucket, key, start, end, "starts beyond the end of the object")
                f.seek(start)
                return f.read() if end is None else f.read(end - start + 1)

        return await self._run("read", key, read)

    async def delete(self, key: str) -> None:
        path = self._path(key)

        def delete() -> None:
            try:
                path.unlink()
            except (FileNotFoundError, NotADirectoryError):
                return
            except IsADirectoryError:
                # A folder is not an object: there is nothing under this key to delete.
                return
            self._prune_empty_parents(path)

        await self._run("delete", key, delete)

    async def exists(self, key: str) -> bool:
        path = self._path(key)
        return await self._run("exists", key, path.is_file)

    async def stat(self, key: str) -> ObjectInfo:
        path = self._path(key)

        def stat() -> ObjectInfo:
            if not path.is_file():
                raise FileNotFoundError(str(path))
            st = path.stat()
            return ObjectInfo(key=key, size=st.st_size, last_modified=datetime.fromtimestamp(st.st_mtime, UTC))

        return await self._run("stat", key, stat)

    async def presigned_url(self, key: str, *, expires_in: int) -> str:
        """A ``file://`` URL of the object's file; ``expires_in`` is checked like S3's but not enforced."""
        path = self._path(key)
        check_expiry(self.bucket, key, expires_in)
        return path.as_uri()

    async def list(self, prefix: str = "") -> AsyncIterator[ObjectInfo]:
        validate_prefix(prefix)
        folder = prefix.rpartition("/")[0]
        base = self.root.joinpath(*folder.split("/")) if folder else self.root

        def scan() -> list[ObjectInfo]:
            found: list[ObjectInfo] = []
            if not base.is_dir() or folder.split("/")[0] == TMP_DIR:
                return found
            for dirpath, dirnames, filenames in os.walk(base):
                here = Path(dirpath)
                if here == self.root and TMP_DIR in dirnames:
                    dirnames.remove(TMP_DIR)
                for name in filenames:
                    path = here / name
                    key = path.relative_to(self.root).as_posix()
                    if not key.startswith(prefix):
                        continue
                    try:
                        validate_key(key)
                        st = path.stat()
                    except (InvalidKeyError, OSError) as exc:
                        log.warning("local bucket %s: skipping %s: %s", self.bucket, path, exc)
                        continue
                    found.append(
                        ObjectInfo(key=key, size=st.st_size, last_modified=datetime.fromtimestamp(st.st_mtime, UTC))
                    )
            # S3 lists keys in UTF-8 byte order; sort the same way so both adapters agree.
            found.sort(key=lambda info: info.key.encode("utf-8"))
            return found

        for info in await self._run("list", prefix, scan):
            yield info
