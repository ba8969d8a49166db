"""Local work folders, one per transcript, each held by an exclusive ``flock`` while its job runs.

The operating system drops a process's locks when it dies (SIGKILL, OOM), so a folder whose lock can
be taken belongs to no live job: consent cleanup and the start-up sweep may remove it. Folders and
files are created private (0700): they hold participants' audio.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reflector_core.errors import InvalidKeyError

log = logging.getLogger(__name__)

LOCK = ".lock"


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


class LocalWorkFolders:
    """``WorkFolders`` under ``root`` (``$REFLECTOR_STORAGE_DIR/../work`` by default)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _folder(self, transcript_id: str) -> Path:
        if not transcript_id or "/" in transcript_id or transcript_id in {".", ".."} or "\0" in transcript_id:
            raise InvalidKeyError(transcript_id, "not a transcript id")
        return self.root / transcript_id

    @staticmethod
    def _try_lock(folder: Path) -> int | None:
        """An fd holding the folder's lock, or ``None`` when a live job holds it."""
        try:
            fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        except FileNotFoundError:
            return None if folder.exists() else -1  # -1: nothing there to lock (already gone)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return fd

    @contextmanager
    def job(self, transcript_id: str) -> Iterator[Path]:
        folder = self._folder(transcript_id)
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.mkdir(mode=0o700, exist_ok=True)
        for private in (self.root, folder):  # also when an older version created them world-readable
            private.chmod(0o700)
        fd = self._try_lock(folder)
        if fd is None or fd < 0:
            raise RuntimeError(f"work folder of transcript {transcript_id} is held by another live job")
        try:
            for child in folder.iterdir():  # a dead attempt's leftovers
                if child.is_dir():
                    _remove(child)
                elif child.name != LOCK:
                    child.unlink(missing_ok=True)
            yield folder
        finally:
            _remove(folder)  # the lock file goes with it; the lock itself is released on close
            os.close(fd)

    def discard(self, transcript_id: str) -> bool:
        folder = self._folder(transcript_id)
        if not folder.exists():
            return True
        fd = self._try_lock(folder)
        if fd is None:
            return False
        try:
            _remove(folder)
        finally:
            if fd >= 0:
                os.close(fd)
        return not folder.exists()

    def sweep(self) -> list[str]:
        if not self.root.is_dir():
            return []
        removed = []
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir() and self.discard(folder.name):
                removed.append(folder.name)
            elif folder.is_file():  # nothing but job folders belongs here
                folder.unlink(missing_ok=True)
        if removed:
            log.warning("removed %d work folder(s) of dead jobs: %s", len(removed), ", ".join(removed))
        return removed
