"""``POST /v1/uploads``: a probed file becomes a queued transcript; a bad one leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from reflector_app.settings import Settings
from reflector_core.model import Platform, RecordingKind, TranscriptStatus
from reflector_core.usecases.process_recording import ProcessRecording

from .conftest import World, add_key, bearer, make_app

AUDIO = Path(__file__).parents[1] / "fixtures" / "audio"


def _nothing_made(world: World) -> None:
    assert not world.bucket.objects
    assert not world.store.recordings
    assert not world.store.transcripts
    assert not world.queue.jobs


def with_storage(world: World, tmp_path: Path) -> Settings:
    s = world.container.settings
    return attrs.evolve(s, storage=attrs.evolve(s.storage, dir=tmp_path / "storage"))


async def test_an_upload_becomes_a_queued_transcript_of_its_uploader(
    world: World, client: AsyncTestClient[Litestar], tmp_path: Path
) -> None:
    world.container.settings = with_storage(world, tmp_path)
    data = (AUDIO / "tone_aac.mp4").read_bytes()
    async with AsyncTestClient(app=make_app(world)) as c:
        r = await c.post(
            "/v1/uploads",
            files={"file": ("standup.m4a", data, "audio/mp4")},
            data={"title": "Weekly sync", "language": "EN", "speakers": "3"},
            headers=world.auth,
        )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "queued" and body["id"]
    [recording] = world.store.recordings.values()
    assert recording.platform is Platform.UPLOAD and recording.kind is RecordingKind.CLOUD
    assert recording.owner == "ana" and recording.platform_room_name == "Weekly sync"
    assert recording.object_key and recording.object_key.startswith("uploads/")
    assert recording.bucket == world.bucket.bucket
    assert world.bucket.objects[recording.object_key] == data  # the bytes as sent
    assert world.queue.jobs == [ProcessRecording(body["id"], language="en", speakers=3)]
    assert world.store.transcripts[body["id"]].status is TranscriptStatus.QUEUED
    # The language asked for stays on the transcript: a re-enqueued job (only the id) still uses it.
    assert world.store.transcripts[body["id"]].language == "en"
    # The uploader's, like their rooms' transcripts; nobody else's.
    listed = await client.get("/v1/transcripts")
    assert [i["id"] for i in listed.json()["items"]] == [body["id"]]
    assert (await client.get(f"/v1/transcripts/{body['id']}")).status_code == 200
    eve = bearer(add_key(world.store, "eve"))
    assert (await client.get(f"/v1/transcripts/{body['id']}", headers=eve)).status_code == 404
    assert (await client.get("/v1/transcripts", headers=eve)).json()["total"] == 0
    # The spool folder is gone.
    assert not any((tmp_path / "work" / "uploads").iterdir())
    # The worker may read it (and only under uploads/ of the transcript bucket).
    assert world.container.recording_sources.storage_for(recording) is world.bucket


@pytest.mark.parametrize(
    ("name", "fields", "detail"),
    [
        ("not_audio.webm", {}, "not an audio or video file"),
        ("video_only.mkv", {}, "not an audio or video file"),
        ("empty.webm", {}, "no file"),
        ("tone_aac.mp4", {"speakers": "0"}, "speakers must be 1 to 20"),
        ("tone_aac.mp4", {"speakers": "two"}, "speakers must be a whole number"),
        ("tone_aac.mp4", {"language": "english"}, "unknown language"),
        ("tone_aac.mp4", {"language": "de"}, "English-only"),
        ("tone_aac.mp4", {"title": "x" * 201}, "title must be at most"),
        ("tone_aac.mp4", {"colour": "red"}, "unexpected form field"),
    ],
)
async def test_a_bad_upload_is_refused_and_leaves_nothing(
    world: World, tmp_path: Path, name: str, fields: dict[str, str], detail: str
) -> None:
    world.container.settings = with_storage(world, tmp_path)
    async with AsyncTestClient(app=make_app(world)) as c:
        # The extension says mp3: the content decides.
        r = await c.post(
            "/v1/uploads", files={"file": ("meeting.mp3", (AUDIO / name).read_bytes())}, data=fields, headers=world.auth
        )
    assert r.status_code == 422, r.text
    assert detail in r.json()["detail"]
    assert str(tmp_path) not in r.text and "Errno" not in r.text  # the cause, not our paths
    assert not r.json()["detail"].endswith(": the file")  # no leftover of the path it replaced
    _nothing_made(world)
    assert not any((tmp_path / "work" / "uploads").iterdir())


async def test_a_file_over_the_limit_is_413(world: World, tmp_path: Path) -> None:
    world.container.settings = attrs.evolve(
        with_storage(world, tmp_path), http=attrs.evolve(world.container.settings.http, upload_max_bytes=10_000)
    )
    async with AsyncTestClient(app=make_app(world)) as c:
        r = await c.post(
            "/v1/uploads", files={"file": ("a.mp4", (AUDIO / "tone_aac.mp4").read_bytes())}, headers=world.auth
        )
    assert r.status_code == 413, r.text
    assert "10000 bytes" in r.json()["detail"]
    _nothing_made(world)


async def test_not_multipart_and_no_key(world: World, tmp_path: Path) -> None:
    world.container.settings = with_storage(world, tmp_path)
    async with AsyncTestClient(app=make_app(world)) as c:
        assert (await c.post("/v1/uploads", json={"file": "x"}, headers=world.auth)).status_code == 422
        assert (await c.post("/v1/uploads", files={"file": ("a.mp4", b"x")})).status_code == 401
    _nothing_made(world)


async def test_when_the_database_refuses_the_object_goes_again(world: World, tmp_path: Path) -> None:
    world.container.settings = with_storage(world, tmp_path)

    class Broken(Exception):
        pass

    real = world.container.unit_of_work

    def failing() -> object:
        uow = real()

        async def upsert(*_: object) -> None:
            raise Broken

        uow.recordings.upsert = upsert  # type: ignore[method-assign]
        return uow

    world.container.unit_of_work = failing  # type: ignore[assignment]
    async with AsyncTestClient(app=make_app(world), raise_server_exceptions=False) as c:
        r = await c.post(
            "/v1/uploads", files={"file": ("a.mp4", (AUDIO / "tone_aac.mp4").read_bytes())}, headers=world.auth
        )
    assert r.status_code == 500
    _nothing_made(world)


async def test_more_parts_than_fields_is_422(world: World, tmp_path: Path) -> None:
    world.container.settings = with_storage(world, tmp_path)
    fields = {"title": "t", "language": "en", "speakers": ["1", "2"]}
    async with AsyncTestClient(app=make_app(world)) as c:
        r = await c.post("/v1/uploads", files={"file": ("a.mp4", b"x" * 10)}, data=fields, headers=world.auth)
    assert r.status_code == 422, r.text
    _nothing_made(world)
