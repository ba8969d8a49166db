"""The HTTP app over in-memory fakes: every port is a fake from ``tests.fakes.memory``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from reflector_app.container import Container
from reflector_app.http import create_app
from reflector_app.http.live import LiveOptions
from reflector_app.locks import LocalLocks
from reflector_app.settings import HttpSettings, Settings
from reflector_core import apikeys
from reflector_core.model import (
    Meeting,
    Participant,
    Platform,
    Recording,
    RecordingKind,
    Room,
    Transcript,
    TranscriptStatus,
    Word,
)
from tests.fakes.memory import (
    FixedClock,
    MemoryStorage,
    MemoryStore,
    MemoryUnitOfWork,
    MemoryVideoPlatform,
    MemoryWebhookVerifier,
    RecordingQueue,
)

MAX_BODY = 4096
SECRET = "s3cret"
SIGNED = {MemoryWebhookVerifier.HEADER: SECRET}
OWNER = "ana"
"""The owner of ``World.key``, the key every test client sends unless it says otherwise."""


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def add_key(store: MemoryStore, owner: str) -> str:
    """A new active key of ``owner`` in the store (hashed, as the repository keeps it); returns the plaintext."""
    key = apikeys.generate()
    store.api_keys[key.key_id] = (key.key_hash, owner, datetime(2026, 3, 1, tzinfo=UTC), False)
    return key.plaintext


@attrs.define
class World:
    store: MemoryStore
    queue: RecordingQueue
    clock: FixedClock
    bucket: MemoryStorage
    daily: MemoryVideoPlatform
    whereby: MemoryVideoPlatform
    container: Container
    key: str
    """An API key of ``OWNER``."""

    @property
    def auth(self) -> dict[str, str]:
        return bearer(self.key)

    def uow(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.store)


def make_world(*, daily_delay: float = 0.0) -> World:
    store = MemoryStore()
    settings = Settings(http=HttpSettings(max_body_bytes=MAX_BODY))
    bucket = MemoryStorage(settings.storage.transcripts.name)
    daily = MemoryVideoPlatform(Platform.DAILY, delay=daily_delay)
    whereby = MemoryVideoPlatform(Platform.WHEREBY)
    queue = RecordingQueue()
    clock = FixedClock()
    container = Container(
        settings=settings,
        clock=clock,
        unit_of_work=lambda: MemoryUnitOfWork(store),
        queue=queue,
        buckets={bucket.bucket: bucket},
        platforms={Platform.DAILY: daily, Platform.WHEREBY: whereby},
        webhooks={
            Platform.DAILY: MemoryWebhookVerifier(Platform.DAILY, SECRET),
            Platform.WHEREBY: MemoryWebhookVerifier(Platform.WHEREBY, SECRET),
        },
    )
    return World(store, queue, clock, bucket, daily, whereby, container, add_key(store, OWNER))


def make_app(world: World) -> Litestar:
    return create_app(world.container, locks=LocalLocks(wait=5), live_options=LiveOptions(poll_seconds=0.01))


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.fixture
async def client(world: World) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=make_app(world)) as c:
        c.headers.update(world.auth)
        yield c


def add_room(world: World, name: str, owner: str | None = OWNER) -> Room:
    room = Room(name=name, platform=Platform.DAILY, owner=owner, id=world.store.new_id("room-"))
    world.store.rooms[name] = room
    return room


def add_meeting(world: World, room_name: str = "standup", **fields: Any) -> Meeting:
    """A meeting of the room, which is created (owned by ``OWNER``) when it does not exist yet."""
    if room_name not in world.store.rooms:
        add_room(world, room_name)
    now = world.clock.now()
    meeting = Meeting(
        platform=fields.pop("platform", Platform.DAILY),
        platform_meeting_id=fields.pop("platform_meeting_id", f"pm-{len(world.store.meetings) + 1}"),
        platform_room_name=fields.pop("platform_room_name", f"{room_name}-20260312140000"),
        room_url="https://daily.example/r",
        host_room_url="https://daily.example/r?host",
        start=fields.pop("start", now),
        end=fields.pop("end", now + timedelta(hours=1)),
        room_name=room_name,
        id=fields.pop("id", world.store.new_id("mtg-")),
        **fields,
    )
    world.store.meetings[meeting.id or ""] = meeting
    return meeting


WORDS = (
    Word(" Hello", 0.0, 0.5, speaker=0),
    Word(" there.", 0.5, 1.0, speaker=0),
    Word(" Hi", 2.0, 2.4, speaker=1),
    Word(" Ana.", 2.4, 2.9, speaker=1),
)


def add_transcript(
    world: World,
    *,
    platform_recording_id: str = "rec-1",
    meeting_id: str | None = None,
    status: TranscriptStatus = TranscriptStatus.DONE,
    linked: bool = True,
    **fields: Any,
) -> Transcript:
    """A transcript in a meeting of ``meeting_id``, else of a new meeting in room ``general`` (owned by
    ``OWNER``); ``linked=False`` leaves its recording linked to no meeting, so it belongs to nobody."""
    if meeting_id is None and linked:
        meeting_id = add_meeting(world, "general").id
    rec_id = world.store.new_id("rec-")
    world.store.recordings[rec_id] = Recording(
        platform=Platform.DAILY,
        platform_recording_id=platform_recording_id,
        bucket="reflector-daily",
        kind=RecordingKind.RAW_TRACKS,
        meeting_id=meeting_id,
        id=rec_id,
    )
    done = status is TranscriptStatus.DONE
    transcript = Transcript(
        recording_id=rec_id,
        status=status,
        words=fields.pop("words", WORDS if done else ()),
        participants=fields.pop("participants", (Participant(0, "p-0", "Ana"),) if done else ()),
        duration=fields.pop("duration", 2.9 if done else None),
        id=fields.pop("id", world.store.new_id("tr-")),
        created_at=datetime(2026, 3, 12, 15, 0, tzinfo=UTC),
        **fields,
    )
    world.store.transcripts[transcript.id or ""] = transcript
    return transcript
