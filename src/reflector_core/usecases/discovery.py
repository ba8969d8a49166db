"""Finding recordings nobody told us about: Daily polling and Whereby's S3 events on SQS.

Webhooks get lost (and Daily disables a webhook after three failed deliveries), so polling is not a
fallback but a second, independent path; both end in ``ingest_recording``, which makes them safe to
overlap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import ClassVar

from attrs import frozen

from reflector_core.errors import ForeignSourceError, RecordingFilenameError
from reflector_core.jobs import Job
from reflector_core.model import Platform, Recording, RecordingKind
from reflector_core.naming import parse_whereby_recording_key, speech_tracks
from reflector_core.ports import Clock, JobQueue, RecordingNotifications, RecordingSource, UnitOfWork
from reflector_core.recording_sources import RecordingSources
from reflector_core.usecases.ingest import IngestOutcome, ingest_recording

log = logging.getLogger(__name__)


@frozen
class PollDailyRecordings(Job):
    """Periodic: walk Daily's recordings list for what webhooks missed."""

    name: ClassVar[str] = "poll_daily_recordings"


@frozen
class PollRecordingNotifications(Job):
    """Periodic: drain the S3 notifications queue (SQS)."""

    name: ClassVar[str] = "poll_recording_notifications"


DAILY_CURSOR = "daily-recordings"
MEDIA_EXTENSIONS = (".mp4", ".mkv", ".webm", ".m4a", ".mp3", ".wav", ".ogg")


@frozen
class PollReport:
    seen: int
    ingested: tuple[IngestOutcome, ...]
    skipped: tuple[tuple[str, str], ...]
    """(recording id, why) for recordings left for a later poll or never to be processed."""


def _ready(recording: Recording) -> str | None:
    """Why a listed recording is not ready to ingest, or ``None`` when it is."""
    if recording.status not in (None, "finished"):
        return f"status {recording.status}"
    if recording.kind is RecordingKind.RAW_TRACKS and not speech_tracks(recording.tracks):
        return "no speech audio track (everyone muted, or only video)"
    if recording.kind is RecordingKind.CLOUD and not recording.object_key:
        return "cloud recording without an object key"
    return None


async def poll_daily_recordings(
    source: RecordingSource,
    *,
    sources: RecordingSources,
    unit_of_work: Callable[[], UnitOfWork],
    queue: JobQueue,
    clock: Clock,
    lookback: timedelta = timedelta(days=2),
) -> PollReport:
    """Walk Daily's recordings newest first and ingest every finished one we may have missed.

    The walk stops at recordings older than (last poll's newest start − ``lookback``), so a worker that
    was down for a day still finds everything, and in-progress recordings seen now are picked up by a
    later poll because the lookback re-reads them.
    """
    async with unit_of_work() as uow:
        _, last_time = await uow.poll_cursors.get(DAILY_CURSOR)
    horizon = (last_time or clock.now()) - lookback
    newest = last_time
    seen = 0
    ingested: list[IngestOutcome] = []
    skipped: list[tuple[str, str]] = []
    async for recording in source.recordings_newest_first():
        seen += 1
        if recording.started_at is not None and recording.started_at < horizon:
            break
        reason = _ready(recording)
        if reason is not None:
            skipped.append((recording.platform_recording_id, reason))
            continue
        try:
            ingested.append(await ingest_recording(recording, sources=sources, unit_of_work=unit_of_work, queue=queue))
        except ForeignSourceError as exc:
            log.warning("%s", exc)
            skipped.append((recording.platform_recording_id, exc.reason))
            continue
        if recording.started_at is not None and (newest is None or recording.started_at > newest):
            newest = recording.started_at
    if newest is not None and newest != last_time:
        async with unit_of_work() as uow:
            await uow.poll_cursors.set(DAILY_CURSOR, None, newest)
            await uow.commit()
    return PollReport(seen=seen, ingested=tuple(ingested), skipped=tuple(skipped))


def whereby_recording(bucket: str, key: str) -> Recording | None:
    """The recording an object in the Whereby bucket announces, or ``None`` if it is not media."""
    if not key.lower().endswith(MEDIA_EXTENSIONS):
        return None
    try:
        name = parse_whereby_recording_key(key)
    except RecordingFilenameError as exc:
        # Still a recording in our bucket: transcribe it, unlinked, rather than lose it.
        log.warning("%s; ingesting without a meeting", exc)
        return Recording(
            platform=Platform.WHEREBY,
            platform_recording_id=key,
            bucket=bucket,
            kind=RecordingKind.CLOUD,
            object_key=key,
        )
    return Recording(
        platform=Platform.WHEREBY,
        platform_recording_id=key,
        bucket=bucket,
        kind=RecordingKind.CLOUD,
        object_key=key,
        started_at=name.recorded_at,
        platform_room_name=name.platform_room_name,
    )


@frozen
class DrainReport:
    received: int
    ingested: tuple[IngestOutcome, ...]
    acknowledged: int
    left_for_retry: tuple[tuple[str, str], ...]


async def drain_recording_notifications(
    notifications: RecordingNotifications,
    *,
    sources: RecordingSources,
    unit_of_work: Callable[[], UnitOfWork],
    queue: JobQueue,
    buckets: Sequence[str] = (),
    wait_seconds: int = 20,
) -> DrainReport:
    """Receive one batch of S3 notifications and ingest what they announce.

    A message is acknowledged only after every recording in it is durably recorded; a body that cannot
    be parsed is never acknowledged, so the queue redelivers it and finally moves it to the dead-letter
    queue.
    """
    batch = await notifications.receive(max_messages=10, wait_seconds=wait_seconds)
    ingested: list[IngestOutcome] = []
    left: list[tuple[str, str]] = []
    acked = 0
    for message in batch:
        if message.error is not None:
            log.error(
                "notification %s is malformed, leaving it for the dead-letter queue: %s",
                message.message_id,
                message.error,
            )
            left.append((message.message_id, message.error))
            continue
        try:
            for obj in message.objects:
                if buckets and obj.bucket not in buckets:
                    log.warning("notification %s names unexpected bucket %s; ignored", message.message_id, obj.bucket)
                    continue
                recording = whereby_recording(obj.bucket, obj.key)
                if recording is None:
                    continue
                try:
                    outcome = await ingest_recording(recording, sources=sources, unit_of_work=unit_of_work, queue=queue)
                except ForeignSourceError as exc:  # acknowledged: redelivery would change nothing
                    log.warning("notification %s: %s", message.message_id, exc)
                    continue
                ingested.append(outcome)
        except Exception as exc:  # leave the message for redelivery; ingestion is idempotent
            log.exception("notification %s not processed", message.message_id)
            left.append((message.message_id, str(exc)))
            continue
        await notifications.acknowledge(message)
        acked += 1
    return DrainReport(received=len(batch), ingested=tuple(ingested), acknowledged=acked, left_for_retry=tuple(left))
