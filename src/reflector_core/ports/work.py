"""The port for a worker's local work folders: one per transcript being processed.

A job's folder holds copies of every source track, the decoded audio and the partial MP3
(``*.part``) while it runs. Those copies are audio like any other: a consent refusal must delete them
and a dead job must not leave them behind. The adapter (``reflector_adapters/work_folders.py``) tells
a live job's folder from a dead one's by a lock the job holds while it runs.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol


class WorkFolders(Protocol):
    def job(self, transcript_id: str) -> AbstractContextManager[Path]:
        """A fresh, empty folder for processing ``transcript_id``, held for the job and removed after it.

        A previous (dead) attempt's leftovers are removed first.
        """
        ...

    def discard(self, transcript_id: str) -> bool:
        """Remove the transcript's folder unless a live job holds it; ``True`` when no folder is left."""
        ...

    def sweep(self) -> list[str]:
        """Remove every folder no live job holds (a killed job's leftovers); returns their transcript ids."""
        ...
