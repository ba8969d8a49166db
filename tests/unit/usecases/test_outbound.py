from __future__ import annotations

import json
from datetime import timedelta

import attrs
import pytest

from reflector_core.errors import UnsafeWebhookTargetError, WebhookDeliveryError
from reflector_core.model import (
    DeliveryState,
    Meeting,
    Participant,
    Platform,
    Recording,
    RecordingKind,
    Room,
    TranscriptStatus,
    Word,
)
from reflector_core.signing import EVENT_ID_HEADER, SIGNATURE_HEADER, verify
from reflector_core.usecases.outbound import (
    BackoffPolicy,
    DeliverWebhook,
    DeliveryOutcome,
    announce_transcript,
    deliver_webhook,
    retry_due_webhooks,
)
from tests.fakes.memory import FixedClock, MemoryStore, MemoryUnitOfWork, MemoryWebhookSender, RecordingQueue
from tests.unit.usecases.test_process_recording import T0

URL = "https://hooks.example.com/reflector"
SECRET = "room-secret"


class World:
    def __init__(self) -> None:
        self.store = MemoryStore()
        self.clock = FixedClock(T0 + timedelta(hours=2))
        self.queue = RecordingQueue()

    def uow(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.store)

    async def setup(self, status: TranscriptStatus = TranscriptStatus.DONE, url: str | None = URL) -> str:
        uow = self.uow()
        await uow.rooms.add(Room("intake", Platform.DAILY, webhook_url=url, webhook_secret=SECRET))
        m = await uow.meetings.add(
            Meeting(Platform.DAILY, "m", "intake-1", "u", "u", T0, T0 + timedelta(hours=1), room_name="intake")
        )
        rec, _ = await uow.recordings.upsert(
            Recording(Platform.DAILY, "r1", "daily", RecordingKind.RAW_TRACKS, meeting_id=m.id)
        )
        t, _ = await uow.transcripts.ensure(rec.id or "")
        self.tid = t.id or ""
        for s in (TranscriptStatus.QUEUED, TranscriptStatus.PROCESSING, status):
            await uow.transcripts.transition(self.tid, s, error="boom" if s is TranscriptStatus.FAILED else None)
            if s is status:
                break
        self.store.transcripts[self.tid] = attrs.evolve(
            self.store.transcripts[self.tid],
            words=(Word("Hello", 1.0, 1.4, 0), Word("there.", 1.5, 1.9, 0)) if status is TranscriptStatus.DONE else (),
            participants=(Participant(0, "p-1", "Lena"),),
            duration=12.0,
        )
        return self.tid

    async def announce(self) -> str:
        delivery = await announce_transcript(self.tid, unit_of_work=self.uow, queue=self.queue, clock=self.clock)
        assert delivery is not None
        return delivery.event_id

    async def deliver(self, event_id: str, sender: MemoryWebhookSender, **kw: object) -> DeliveryOutcome:
        return await deliver_webhook(event_id, unit_of_work=self.uow, sender=sender, clock=self.clock, **kw)  # type: ignore[arg-type]


def test_backoff_doubles_from_a_minute_to_an_hour_for_about_a_day() -> None:
    waits = BackoffPolicy().schedule()
    assert waits[:7] == [60, 120, 240, 480, 960, 1920, 3600]
    assert set(waits[6:]) == {3600} and len(waits) == 29  # 30 attempts
    assert 23 * 3600 < sum(waits) < 25 * 3600
    assert BackoffPolicy().delay_after(30) is None


async def test_a_finished_transcript_is_announced_once_with_a_stable_event() -> None:
    w = World()
    await w.setup()
    event_id = await w.announce()
    assert await w.announce() == event_id  # a retried job stores no second delivery
    assert w.queue.jobs == [DeliverWebhook(event_id)]
    body = json.loads(w.store.outbound_deliveries[event_id].body)
    assert body["event"] == "transcript.completed" and body["event_id"] == event_id
    assert body["room"] == {"id": w.store.rooms["intake"].id, "name": "intake"}
    assert "<v Lena>Hello there." in body["transcript"]["webvtt"]
    assert body["transcript"]["participants"][0]["name"] == "Lena"


async def test_a_failure_is_announced_with_its_error() -> None:
    w = World()
    await w.setup(TranscriptStatus.FAILED)
    body = json.loads(w.store.outbound_deliveries[await w.announce()].body)
    assert body["event"] == "transcript.failed" and body["transcript"]["error"] == "boom"
    assert body["transcript"]["webvtt"] is None


@pytest.mark.parametrize(("status", "url"), [(TranscriptStatus.PROCESSING, URL), (TranscriptStatus.DONE, None)])
async def test_nothing_is_announced_in_progress_or_without_a_url(status: TranscriptStatus, url: str | None) -> None:
    w = World()
    await w.setup(status, url)
    assert await announce_transcript(w.tid, unit_of_work=w.uow, queue=w.queue, clock=w.clock) is None
    assert w.queue.jobs == [] and w.store.outbound_deliveries == {}


async def test_a_2xx_delivers_a_body_signed_with_the_room_secret() -> None:
    w = World()
    await w.setup()
    event_id = await w.announce()
    sender = MemoryWebhookSender(204)
    outcome = await w.deliver(event_id, sender)
    assert outcome.state is DeliveryState.DELIVERED and outcome.attempt == 1
    (url, body, headers) = sender.posts[0]
    assert url == URL and headers[EVENT_ID_HEADER] == event_id
    assert verify(SECRET, body, headers[SIGNATURE_HEADER], now=w.clock.now().timestamp()) == int(
        w.clock.now().timestamp()
    )
    assert (await w.deliver(event_id, sender)).detail == "already delivered" and len(sender.posts) == 1


@pytest.mark.parametrize("status", [400, 401, 404, 410, 301])
async def test_4xx_and_redirects_are_final(status: int) -> None:
    w = World()
    await w.setup()
    event_id = await w.announce()
    outcome = await w.deliver(event_id, MemoryWebhookSender(status))
    assert outcome.state is DeliveryState.FAILED and outcome.retry_at is None
    d = w.store.outbound_deliveries[event_id]
    assert [(a.number, a.status_code) for a in d.attempts] == [(1, status)]
    assert (
        await retry_due_webhooks(
            unit_of_work=w.uow, queue=RecordingQueue(), clock=FixedClock(w.clock.now() + timedelta(days=2))
        )
        == []
    )


async def test_a_refused_target_is_final() -> None:
    w = World()
    await w.setup()
    outcome = await w.deliver(await w.announce(), MemoryWebhookSender(UnsafeWebhookTargetError(URL, "private")))
    assert outcome.state is DeliveryState.FAILED and "private" in (outcome.error or "")


@pytest.mark.parametrize("answer", [500, 503, 429, 408, WebhookDeliveryError(URL, "timed out")])
async def test_5xx_timeouts_and_rate_limits_are_retried_with_the_same_event(answer: int | Exception) -> None:
    w = World()
    await w.setup()
    event_id = await w.announce()
    sender = MemoryWebhookSender(answer, answer, 200)
    first = await w.deliver(event_id, sender)
    assert first.state is DeliveryState.PENDING and first.retry_at == w.clock.now() + timedelta(seconds=60)
    queue = RecordingQueue()
    # Not due yet, then due: the sweep hands it to the queue once (the claim holds it for a while).
    assert await retry_due_webhooks(unit_of_work=w.uow, queue=queue, clock=w.clock) == []
    w.clock.current += timedelta(seconds=61)
    assert await retry_due_webhooks(unit_of_work=w.uow, queue=queue, clock=w.clock) == [event_id]
    assert await retry_due_webhooks(unit_of_work=w.uow, queue=queue, clock=w.clock) == []
    second = await w.deliver(event_id, sender)
    assert second.attempt == 2 and second.retry_at == w.clock.now() + timedelta(seconds=120)
    w.clock.current += timedelta(seconds=121)
    assert (await w.deliver(event_id, sender)).state is DeliveryState.DELIVERED
    bodies = {body for _, body, _ in sender.posts}
    assert len(bodies) == 1  # identical bytes on every attempt
    assert [h["X-Reflector-Attempt"] for _, _, h in sender.posts] == ["1", "2", "3"]
    assert len({h[SIGNATURE_HEADER] for _, _, h in sender.posts}) == 3  # a fresh timestamp each time
    history = w.store.outbound_deliveries[event_id].attempts
    assert [a.number for a in history] == [1, 2, 3] and history[-1].status_code == 200


async def test_retries_stop_when_the_attempts_run_out() -> None:
    w = World()
    await w.setup()
    event_id = await w.announce()
    policy = BackoffPolicy(max_attempts=3)
    states = [(await w.deliver(event_id, MemoryWebhookSender(502), policy=policy)).state for _ in range(3)]
    assert states == [DeliveryState.PENDING, DeliveryState.PENDING, DeliveryState.FAILED]


async def test_a_webhook_removed_from_the_room_is_not_sent() -> None:
    w = World()
    await w.setup()
    event_id = await w.announce()
    w.store.rooms["intake"] = attrs.evolve(w.store.rooms["intake"], webhook_url="https://elsewhere.example/")
    sender = MemoryWebhookSender()
    outcome = await w.deliver(event_id, sender)
    assert outcome.state is DeliveryState.FAILED and sender.posts == []


async def test_a_lost_enqueue_is_picked_up_by_the_sweep_after_the_lease() -> None:
    w = World()
    await w.setup()
    event_id = await w.announce()
    queue = RecordingQueue()
    assert await retry_due_webhooks(unit_of_work=w.uow, queue=queue, clock=w.clock) == []
    w.clock.current += timedelta(minutes=11)
    assert await retry_due_webhooks(unit_of_work=w.uow, queue=queue, clock=w.clock) == [event_id]
