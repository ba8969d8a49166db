"""Outbound webhooks: tell a room's ``webhook_url`` that a transcript is done (or failed).

Three steps, each a job:

1. ``announce_transcript`` builds the event once, stores it as a ``WebhookDelivery`` (fixed body and
   event id, so every retry sends identical bytes and receivers can dedupe) and enqueues delivery.
2. ``deliver_webhook`` makes one signed attempt and records it: 2xx delivers; 4xx (except 408 and
   429) and 3xx are final; a refused target is final; 5xx, 408, 429, timeouts and connection errors
   are retried with exponential backoff (60 s doubling to a 1 h cap, 30 attempts, about a day).
3. ``retry_due_webhooks`` (periodic) enqueues the deliveries whose next attempt is due. The schedule
   lives in the database, not in the queue, so a restart loses no retry.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from attrs import field, frozen

from reflector_core.errors import NotFoundError, UnsafeWebhookTargetError, WebhookDeliveryError
from reflector_core.exports import text, webvtt
from reflector_core.exports.notes import notes_dict
from reflector_core.jobs import Job
from reflector_core.model import (
    DeliveryAttempt,
    DeliveryState,
    Room,
    Transcript,
    TranscriptNotes,
    TranscriptStatus,
    WebhookDelivery,
)
from reflector_core.ports import Clock, JobQueue, UnitOfWork, WebhookSender
from reflector_core.signing import ATTEMPT_HEADER, EVENT_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER, sign
from reflector_core.turns import merge_turns

log = logging.getLogger(__name__)


@frozen
class AnnounceTranscript(Job):
    """Store the outbound webhook about a transcript whose processing ended (done or failed)."""

    name: ClassVar[str] = "announce_transcript"
    transcript_id: str


@frozen
class DeliverWebhook(Job):
    """Send one stored outbound webhook delivery."""

    name: ClassVar[str] = "deliver_webhook"
    event_id: str


@frozen
class RetryWebhooks(Job):
    """Periodic: enqueue the deliveries whose retry time has come."""

    name: ClassVar[str] = "retry_webhooks"


TRANSCRIPT_COMPLETED = "transcript.completed"
TRANSCRIPT_FAILED = "transcript.failed"
USER_AGENT = "Reflector-Webhook/1.0"
RETRYABLE_4XX = frozenset({408, 429})
"""A timeout and "too many requests" are the receiver asking us to come back; every other 4xx is final."""

CLAIM_LEASE = timedelta(minutes=10)
"""How long a delivery handed to the queue is not handed again (a lost job is re-sent after it)."""


def _positive(_instance: object, attribute: Any, value: float) -> None:
    if value <= 0:
        raise ValueError(f"{attribute.name} must be positive, got {value!r}")


@frozen
class BackoffPolicy:
    first_delay: float = field(default=60.0, validator=_positive)
    max_delay: float = field(default=3600.0, validator=_positive)
    max_attempts: int = field(default=30, validator=_positive)

    def delay_after(self, attempt: int) -> float | None:
        """Seconds to wait after failed attempt ``attempt`` (1-based); ``None`` when it was the last."""
        if attempt >= self.max_attempts:
            return None
        # min() before the power would overflow: 2**1000 floats fail, so cap the exponent too.
        return min(self.max_delay, self.first_delay * 2.0 ** min(attempt - 1, 64))

    def schedule(self) -> list[float]:
        """Every wait, in order: ``max_attempts - 1`` of them."""
        return [d for n in range(1, self.max_attempts) if (d := self.delay_after(n)) is not None]


@frozen
class DeliveryOutcome:
    event_id: str
    state: DeliveryState
    attempt: int | None = None
    status_code: int | None = None
    error: str | None = None
    retry_at: datetime | None = None
    detail: str = ""


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def event_id_for(transcript: Transcript, event: str) -> str:
    """Deterministic, so announcing the same outcome twice (a job retried) stores one delivery.

    ``updated_at`` changes when a failed transcript is processed again, so a second outcome of the same
    kind is a new event.
    """
    stamp = _iso(transcript.updated_at) if transcript.updated_at else ""
    digest = hashlib.sha256(f"{transcript.id}|{event}|{stamp}".encode()).hexdigest()
    return f"evt_{digest[:32]}"


def build_event(
    transcript: Transcript,
    room: Room,
    *,
    event_id: str,
    meeting_id: str | None,
    created_at: datetime,
    notes: TranscriptNotes | None = None,
) -> str:
    """The event body: compact JSON, keys in a fixed order (what is signed is exactly what is sent)."""
    done = transcript.status is TranscriptStatus.DONE
    turns = merge_turns(transcript.words) if done else []
    payload = {
        "event": TRANSCRIPT_COMPLETED if done else TRANSCRIPT_FAILED,
        "event_id": event_id,
        "created_at": _iso(created_at),
        "transcript": {
            "id": transcript.id,
            "status": transcript.status.value,
            "recording_id": transcript.recording_id,
            "meeting_id": meeting_id,
            "duration": transcript.duration,
            "language": transcript.language,
            "audio_available": transcript.audio_location is not None and not transcript.audio_deleted,
            "participants": [
                {"speaker": p.speaker, "name": p.label, "participant_id": p.participant_id, "user_id": p.user_id}
                for p in transcript.participants
            ],
            "webvtt": webvtt.render(turns, transcript.participants, language=transcript.language) if done else None,
            "text": text.render(turns, transcript.participants) if done else None,
            "error": transcript.error,
            "failed_tracks": [{"track": f.track, "reason": f.reason} for f in transcript.failed_tracks],
            "notes": notes_dict(notes) if done else None,
        },
        "room": {"id": room.id, "name": room.name},
    }
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


async def announce_transcript(
    transcript_id: str, *, unit_of_work: Callable[[], UnitOfWork], queue: JobQueue, clock: Clock
) -> WebhookDelivery | None:
    """Store the event for a finished transcript and enqueue its delivery; ``None`` when there is nothing to send.

    Nothing is sent for a transcript still in progress, or when its room has no ``webhook_url``.
    """
    now = clock.now()
    async with unit_of_work() as uow:
        transcript = await uow.transcripts.get(transcript_id)
        if transcript is None:
            raise NotFoundError("transcript", transcript_id)
        if transcript.status not in (TranscriptStatus.DONE, TranscriptStatus.FAILED):
            return None
        recording = await uow.recordings.get(transcript.recording_id)
        meeting = await uow.meetings.get(recording.meeting_id) if recording and recording.meeting_id else None
        room = await uow.rooms.get(meeting.room_name) if meeting and meeting.room_name else None
        if room is None or not room.webhook_url:
            return None
        notes = await uow.notes.get(transcript_id)
        event = TRANSCRIPT_COMPLETED if transcript.status is TranscriptStatus.DONE else TRANSCRIPT_FAILED
        event_id = event_id_for(transcript, event)
        delivery = WebhookDelivery(
            event_id=event_id,
            event=event,
            transcript_id=transcript_id,
            room_name=room.name,
            url=room.webhook_url,
            body=build_event(
                transcript,
                room,
                event_id=event_id,
                meeting_id=meeting.id if meeting else None,
                created_at=now,
                notes=notes,
            ),
            created_at=now,
            # Not "now": the job enqueued below sends it; the sweep only steps in if that job was lost.
            next_attempt_at=now + CLAIM_LEASE,
        )
        created = await uow.outbound_deliveries.add(delivery)
        await uow.commit()
    if created:
        await queue.enqueue(DeliverWebhook(event_id))
        log.info("transcript %s: %s queued for %s as %s", transcript_id, event, room.name, event_id)
    return delivery


def _headers(delivery: WebhookDelivery, attempt: int, secret: str | None, now: datetime) -> dict[str, str]:
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: delivery.event,
        EVENT_ID_HEADER: delivery.event_id,
        ATTEMPT_HEADER: str(attempt),
    }
    if secret:
        # A fresh timestamp per attempt: the receiver's replay window applies to each retry.
        headers[SIGNATURE_HEADER] = sign(secret, int(now.timestamp()), delivery.body.encode())
    return headers


def _decide(
    status: int | None, error: str | None, final: bool, attempt: int, policy: BackoffPolicy, now: datetime
) -> tuple[DeliveryState, datetime | None]:
    if status is not None and 200 <= status < 300:
        return DeliveryState.DELIVERED, None
    retryable = not final and (status is None or status >= 500 or status in RETRYABLE_4XX)
    delay = policy.delay_after(attempt) if retryable else None
    if delay is None:
        return DeliveryState.FAILED, None
    return DeliveryState.PENDING, now + timedelta(seconds=delay)


async def deliver_webhook(
    event_id: str,
    *,
    unit_of_work: Callable[[], UnitOfWork],
    sender: WebhookSender,
    clock: Clock,
    policy: BackoffPolicy = BackoffPolicy(),
) -> DeliveryOutcome:
    """One attempt, recorded in the delivery's history. Never raises for a failed POST: the outcome says."""
    async with unit_of_work() as uow:
        delivery = await uow.outbound_deliveries.get(event_id)
        if delivery is None:
            raise NotFoundError("webhook delivery", event_id)
        room = await uow.rooms.get(delivery.room_name)
    if delivery.state is not DeliveryState.PENDING:
        return DeliveryOutcome(event_id, delivery.state, detail=f"already {delivery.state.value}")
    attempt = len(delivery.attempts) + 1
    now = clock.now()
    status: int | None = None
    error: str | None = None
    final = False
    if room is None or room.webhook_url != delivery.url:
        # The owner removed or changed the webhook since the event was built: do not send it anywhere.
        error, final = "the room no longer sends webhooks to this URL", True
    else:
        try:
            status = await sender.post(
                delivery.url, delivery.body.encode(), _headers(delivery, attempt, room.webhook_secret, now)
            )
        except UnsafeWebhookTargetError as exc:
            error, final = str(exc), True
        except WebhookDeliveryError as exc:
            error = str(exc)
        if status is not None and 300 <= status < 400:
            # Redirects are never followed (they could point inside our network); retrying gets the same one.
            final = True
    state, retry_at = _decide(status, error, final, attempt, policy, now)
    record = DeliveryAttempt(number=attempt, at=now, status_code=status, error=error)
    async with unit_of_work() as uow:
        recorded = await uow.outbound_deliveries.record_attempt(event_id, record, state=state, next_attempt_at=retry_at)
        await uow.commit()
    if not recorded:
        return DeliveryOutcome(event_id, state, attempt, status, error, detail="another worker recorded this attempt")
    log.log(
        logging.INFO if state is DeliveryState.DELIVERED else logging.WARNING,
        "webhook %s attempt %d: %s → %s",
        event_id,
        attempt,
        status if status is not None else error,
        state.value,
    )
    return DeliveryOutcome(event_id, state, attempt, status, error, retry_at)


async def retry_due_webhooks(
    *, unit_of_work: Callable[[], UnitOfWork], queue: JobQueue, clock: Clock, limit: int = 100
) -> list[str]:
    """Enqueue every delivery whose next attempt is due (claimed for ``CLAIM_LEASE`` so it goes once)."""
    now = clock.now()
    async with unit_of_work() as uow:
        due = await uow.outbound_deliveries.claim_due(now, now + CLAIM_LEASE, limit=limit)
        await uow.commit()
    for event_id in due:
        await queue.enqueue(DeliverWebhook(event_id))
    return due
