"""Deleting audio objects for consent and retention: every deletion audited, failures collected.

Both callers need the same two promises: an object that is gone has a line in the audit log, and a
failed deletion never stops the others but makes the job report itself incomplete, so it is run again
until nothing is left. Deleting is idempotent: an object already gone is skipped without a new audit
line, so a rerun after a partial failure completes the log instead of duplicating it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from attrs import define, field

from reflector_core.audio_keys import audio_key, waveform_key
from reflector_core.errors import DeletionIncompleteError, StorageError
from reflector_core.model import Recording, RecordingKind, Transcript
from reflector_core.ports import Clock, ObjectStorage, UnitOfWork
from reflector_core.recording_sources import RecordingSources

log = logging.getLogger(__name__)


@define
class Deleter:
    """Deletes objects and remembers what it deleted and what failed, across buckets."""

    unit_of_work: Callable[[], UnitOfWork]
    clock: Clock
    reason: str
    deleted: list[tuple[str, str]] = field(factory=list)
    failures: list[StorageError] = field(factory=list)

    async def delete(self, storage: ObjectStorage, keys: Iterable[str]) -> bool:
        """Delete each key (skipping those already gone); ``True`` when every one is gone now."""
        ok = True
        for key in dict.fromkeys(keys):  # once each, in order
            try:
                if not await storage.exists(key):
                    continue
                await storage.delete(key)
            except StorageError as exc:
                log.warning("%s deletion of s3://%s/%s failed: %s", self.reason, storage.bucket, key, exc)
                self.failures.append(exc)
                ok = False
                continue
            # Audited right after the deletion, in its own transaction: a crash later cannot lose the line.
            async with self.unit_of_work() as uow:
                await uow.deleted_objects.record(storage.bucket, key, self.reason, self.clock.now())
                await uow.commit()
            self.deleted.append((storage.bucket, key))
        return ok

    def raise_if_incomplete(self, what: str) -> None:
        if self.failures:
            raise DeletionIncompleteError(what, self.failures)


async def source_keys(recording: Recording, storage: ObjectStorage) -> list[str]:
    """Every object the platform wrote for the recording: all tracks (video too), and the composed file.

    For Daily raw tracks ``object_key`` is the prefix every track key starts with (``{prefix}-{participant}-…``):
    the bucket is listed under it, so tracks the recording row does not know (a webhook that kept only
    speech tracks, a track uploaded late) are deleted as well. Raises ``StorageError`` if listing fails.
    """
    keys = [t.key for t in recording.tracks]
    if recording.object_key:
        if recording.kind is RecordingKind.RAW_TRACKS:
            prefix = recording.object_key if recording.object_key.endswith("/") else recording.object_key + "-"
            keys += [info.key async for info in storage.list(prefix)]
        keys.append(recording.object_key)
    return keys


def derived_keys(transcript: Transcript) -> list[str]:
    """The mixed MP3 and the waveform, whether or not the transcript row points at them yet.

    An upload may have happened before the location was saved (a crash, or a refusal racing the end
    of processing), so the fixed keys are always tried.
    """
    tid = transcript.id or ""
    keys = [audio_key(tid), waveform_key(tid)]
    if transcript.audio_location:
        keys.append(transcript.audio_location)
    return keys


async def delete_sources(deleter: Deleter, recording: Recording, sources: RecordingSources) -> bool:
    """Delete the recording's source objects; ``True`` when none of ours is left.

    A recording whose bucket or keys are not its platform's (a row stored before sources were checked)
    names objects that were never ours to delete: nothing is deleted, the refusal is logged, and the
    recording counts as clean so it is not selected again.
    """
    problem = sources.problem(recording)
    if problem is not None:
        log.error(
            "%s sources of recording %s not deleted: %s", deleter.reason, recording.platform_recording_id, problem
        )
        return True
    storage = sources.storage_for(recording)
    try:
        keys = await source_keys(recording, storage)
    except StorageError as exc:
        deleter.failures.append(exc)
        # Still delete what the row knows; the rerun lists again.
        keys = [t.key for t in recording.tracks] + ([recording.object_key] if recording.object_key else [])
        await deleter.delete(storage, keys)
        return False
    return await deleter.delete(storage, keys)
