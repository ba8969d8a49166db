"""Retention: the periodic job that deletes what has been kept long enough.

Three clocks, each in days and each optional (``None`` keeps forever):

- raw tracks: every source object of a recording (all tracks, the composed file), counted from the
  recording's start; ``0`` means as soon as processing has ended;
- mixed audio: the MP3 and the waveform, counted from the transcript's creation (its discovery);
- transcripts: the transcript row, with every audio object still left, counted the same way.

Every deletion is audited with reason ``retention``. A failed deletion leaves the item selected (its
marker is only set when everything is gone), so the next run, or the job's retry, tries it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import ClassVar

import attrs
from attrs import field, frozen

from reflector_core.deletion import Deleter, delete_sources, derived_keys
from reflector_core.errors import InvalidInputError
from reflector_core.jobs import Job
from reflector_core.model import Recording
from reflector_core.ports import Clock, ObjectStorage, UnitOfWork
from reflector_core.recording_sources import RecordingSources

log = logging.getLogger(__name__)


@frozen
class ApplyRetention(Job):
    """Periodic: delete what the retention policy says has expired."""

    name: ClassVar[str] = "apply_retention"


RETENTION_REASON = "retention"


def _days(_instance: object, attribute: object, value: int | None) -> None:
    if value is not None and value < 0:
        raise InvalidInputError(f"retention days must be 0 or more, got {value}")


@frozen
class RetentionPolicy:
    raw_tracks_days: int | None = field(default=None, validator=_days)
    audio_days: int | None = field(default=None, validator=_days)
    transcript_days: int | None = field(default=None, validator=_days)


@frozen
class RetentionReport:
    sources: tuple[str, ...] = ()
    """Recordings whose source objects are all gone now."""
    audio: tuple[str, ...] = ()
    """Transcripts whose mixed audio is gone now."""
    transcripts: tuple[str, ...] = ()
    """Transcripts deleted."""
    deleted: tuple[tuple[str, str], ...] = ()
    """(bucket, key) of every object deleted."""


async def apply_retention(
    policy: RetentionPolicy,
    *,
    unit_of_work: Callable[[], UnitOfWork],
    sources: RecordingSources,
    transcript_bucket: ObjectStorage,
    clock: Clock,
    batch: int = 100,
) -> RetentionReport:
    """Delete one batch of each kind that expired. Raises ``DeletionIncompleteError`` when something is left.

    Every item is tried even when another fails; the error comes at the end so the job is retried.
    One batch per run bounds the work of a run; the schedule drains a backlog over several runs.
    """
    now = clock.now()
    deleter = Deleter(unit_of_work, clock, RETENTION_REASON)
    removed: list[str] = []
    audio: list[str] = []
    cleared: list[str] = []
    # Transcripts first, so the audio and source passes below do not spend work on rows about to go.
    if policy.transcript_days is not None:
        removed = await _expire_transcripts(
            now - timedelta(days=policy.transcript_days), deleter, sources, transcript_bucket, batch
        )
    if policy.audio_days is not None:
        audio = await _expire_audio(now - timedelta(days=policy.audio_days), deleter, transcript_bucket, batch)
    if policy.raw_tracks_days is not None:
        cleared = await _expire_sources(now - timedelta(days=policy.raw_tracks_days), deleter, sources, batch)
    log.info(
        "retention: %d object(s) deleted; %d recording(s), %d audio, %d transcript(s) done; %d failure(s)",
        len(deleter.deleted),
        len(cleared),
        len(audio),
        len(removed),
        len(deleter.failures),
    )
    deleter.raise_if_incomplete("retention")
    return RetentionReport(
        sources=tuple(cleared), audio=tuple(audio), transcripts=tuple(removed), deleted=tuple(deleter.deleted)
    )


async def _sources_gone(deleter: Deleter, recording: Recording, sources: RecordingSources) -> bool:
    """Delete the recording's source objects; when all are gone, mark it so retention skips it from now on."""
    if recording.id is None or not await delete_sources(deleter, recording, sources):
        return False
    async with deleter.unit_of_work() as uow:
        await uow.recordings.mark_sources_deleted(recording.id)
        await uow.commit()
    return True


async def _expire_transcripts(
    before: datetime,
    deleter: Deleter,
    sources: RecordingSources,
    transcript_bucket: ObjectStorage,
    batch: int,
) -> list[str]:
    unit_of_work = deleter.unit_of_work
    async with unit_of_work() as uow:
        expired = await uow.transcripts.expired(before, limit=batch)
    removed = []
    for transcript in expired:
        async with unit_of_work() as uow:
            recording = await uow.recordings.get(transcript.recording_id)
        gone = await deleter.delete(transcript_bucket, derived_keys(transcript))
        if recording is not None and recording.id is not None:
            gone = await _sources_gone(deleter, recording, sources) and gone
        if gone and transcript.id is not None:
            async with unit_of_work() as uow:
                await uow.transcripts.delete(transcript.id)
                await uow.commit()
            removed.append(transcript.id)
            log.info("retention: transcript %s deleted", transcript.id)
    return removed


async def _expire_audio(before: datetime, deleter: Deleter, transcript_bucket: ObjectStorage, batch: int) -> list[str]:
    async with deleter.unit_of_work() as uow:
        expired = await uow.transcripts.audio_expired(before, limit=batch)
    audio = []
    for transcript in expired:
        if transcript.id is None or not await deleter.delete(transcript_bucket, derived_keys(transcript)):
            continue
        async with deleter.unit_of_work() as uow:
            current = await uow.transcripts.get(transcript.id)
            if current is not None:
                if current.audio_location is not None:
                    await uow.transcripts.save_result(attrs.evolve(current, audio_location=None))
                await uow.transcripts.set_audio_deleted(transcript.id, True)
            await uow.commit()
        audio.append(transcript.id)
    return audio


async def _expire_sources(before: datetime, deleter: Deleter, sources: RecordingSources, batch: int) -> list[str]:
    async with deleter.unit_of_work() as uow:
        recordings = await uow.recordings.sources_expired(before, limit=batch)
    return [r.id for r in recordings if r.id is not None and await _sources_gone(deleter, r, sources)]
