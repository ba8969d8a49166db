"""Transcripts: list and filters, details, exports, speaker names, reprocessing."""

from __future__ import annotations

import json

from litestar import Litestar
from litestar.testing import AsyncTestClient

from reflector_core.model import TrackFailure, TranscriptStatus
from reflector_core.usecases.process_recording import ProcessRecording

from .conftest import World, add_meeting, add_transcript


async def test_list_filters_and_pagination(client: AsyncTestClient[Litestar], world: World) -> None:
    meeting = add_meeting(world, "standup")
    a = add_transcript(world, platform_recording_id="r-a", meeting_id=meeting.id)
    b = add_transcript(world, platform_recording_id="r-b", status=TranscriptStatus.FAILED)
    c = add_transcript(world, platform_recording_id="r-c", status=TranscriptStatus.QUEUED, meeting_id=meeting.id)

    async def ids(**params: object) -> list[str]:
        r = await client.get("/v1/transcripts", params=params)
        assert r.status_code == 200, r.text
        return [item["id"] for item in r.json()["items"]]

    assert sorted(await ids()) == sorted([a.id, b.id, c.id])
    assert await ids(status="failed") == [b.id]
    assert await ids(recording_id="r-c") == [c.id]
    assert sorted(await ids(meeting_id=meeting.id)) == sorted([a.id, c.id])
    assert sorted(await ids(room="standup")) == sorted([a.id, c.id])
    assert await ids(room="other") == []
    page = (await client.get("/v1/transcripts", params={"offset": 1, "limit": 1})).json()
    assert (page["total"], page["offset"], page["limit"], len(page["items"])) == (3, 1, 1, 1)
    assert set(page["items"][0]) >= {"id", "status"}


async def test_list_rejects_bad_parameters(client: AsyncTestClient[Litestar]) -> None:
    for params in ({"status": "nope"}, {"limit": 0}, {"limit": 1000}, {"offset": -1}, {"limit": "x"}):
        assert (await client.get("/v1/transcripts", params=params)).status_code == 400, params


async def test_details(client: AsyncTestClient[Litestar], world: World) -> None:
    t = add_transcript(world, failed_tracks=(TrackFailure("k1", "corrupt"),), audio_location="tr/a/audio.mp3")
    r = await client.get(f"/v1/transcripts/{t.id}")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "done"
    assert body["duration"] == 2.9
    assert body["participants"] == [{"speaker": 0, "participant_id": "p-0", "name": "Ana", "label": "Ana"}]
    assert body["failed_tracks"] == [{"track": "k1", "reason": "corrupt"}]
    assert body["audio_deleted"] is False
    assert body["audio_available"] is True
    assert body["error"] is None
    assert body["language"] is None  # processed before languages were recorded
    assert "words" not in body
    german = add_transcript(world, platform_recording_id="rec-de", language="de")
    assert (await client.get(f"/v1/transcripts/{german.id}")).json()["language"] == "de"
    assert (await client.get("/v1/transcripts/nope")).status_code == 404


async def test_exports_have_their_content_types(client: AsyncTestClient[Litestar], world: World) -> None:
    t = add_transcript(world)
    cases = {
        "vtt": ("text/vtt", "WEBVTT"),
        "srt": ("application/x-subrip", "1\n00:00:00,000 --> "),
        "txt": ("text/plain", "[00:00:00] Ana: Hello there."),
        "json": ("application/json", "{"),
    }
    for fmt, (media, start) in cases.items():
        r = await client.get(f"/v1/transcripts/{t.id}/export.{fmt}")
        assert r.status_code == 200, fmt
        assert r.headers["content-type"].startswith(media), fmt
        assert r.text.startswith(start), (fmt, r.text)
    vtt = (await client.get(f"/v1/transcripts/{t.id}/export.vtt")).text
    assert "<v Ana>Hello there." in vtt
    assert "<v Speaker 1>Hi Ana." in vtt
    data = json.loads((await client.get(f"/v1/transcripts/{t.id}/export.json")).text)
    assert [w["speaker"] for w in data["words"]] == [0, 0, 1, 1]
    assert data["language"] is None and "Language:" not in vtt


async def test_exports_carry_the_language_transcribed(client: AsyncTestClient[Litestar], world: World) -> None:
    t = add_transcript(world, language="fr")
    vtt = (await client.get(f"/v1/transcripts/{t.id}/export.vtt")).text
    assert vtt.startswith("WEBVTT\nLanguage: fr\n\n")
    assert json.loads((await client.get(f"/v1/transcripts/{t.id}/export.json")).text)["language"] == "fr"


async def test_exports_errors(client: AsyncTestClient[Litestar], world: World) -> None:
    assert (await client.get("/v1/transcripts/nope/export.vtt")).status_code == 404
    t = add_transcript(world, status=TranscriptStatus.PROCESSING)
    r = await client.get(f"/v1/transcripts/{t.id}/export.srt")
    assert r.status_code == 409
    assert "processing" in r.json()["detail"]
    assert (await client.get(f"/v1/transcripts/{t.id}/export.doc")).status_code == 404


async def test_rename_speaker(client: AsyncTestClient[Litestar], world: World) -> None:
    t = add_transcript(world)
    r = await client.patch(f"/v1/transcripts/{t.id}/participants/1", json={"name": "  Bob  "})
    assert r.status_code == 200
    assert [(p["speaker"], p["label"]) for p in r.json()["participants"]] == [(0, "Ana"), (1, "Bob")]
    assert "<v Bob>Hi Ana." in (await client.get(f"/v1/transcripts/{t.id}/export.vtt")).text
    r = await client.patch(f"/v1/transcripts/{t.id}/participants/0", json={"name": None})
    assert r.json()["participants"][0]["label"] == "Speaker 0"
    assert r.json()["participants"][0]["participant_id"] == "p-0"


async def test_rename_errors(client: AsyncTestClient[Litestar], world: World) -> None:
    t = add_transcript(world)
    url = f"/v1/transcripts/{t.id}/participants"
    assert (await client.patch("/v1/transcripts/nope/participants/0", json={"name": "x"})).status_code == 404
    assert (await client.patch(f"{url}/7", json={"name": "x"})).status_code == 404
    assert (await client.patch(f"{url}/x", json={"name": "x"})).status_code in (400, 404)
    assert (await client.patch(f"{url}/0", json={"name": "   "})).status_code == 422
    assert (await client.patch(f"{url}/0", json={"name": 5})).status_code == 400
    assert (await client.patch(f"{url}/0", json={})).status_code == 400
    queued = add_transcript(world, status=TranscriptStatus.QUEUED, words=(), participants=())
    assert (await client.patch(f"/v1/transcripts/{queued.id}/participants/0", json={"name": "x"})).status_code == 409


async def test_reprocess_a_failed_transcript(client: AsyncTestClient[Litestar], world: World) -> None:
    t = add_transcript(world, status=TranscriptStatus.FAILED, error="boom")
    r = await client.post(f"/v1/transcripts/{t.id}/reprocess")
    assert r.status_code == 202
    assert r.json()["status"] == "queued"
    assert world.store.transcripts[t.id or ""].status is TranscriptStatus.QUEUED
    assert world.queue.jobs == [ProcessRecording(transcript_id=t.id or "")]


async def test_reprocess_other_states_is_409(client: AsyncTestClient[Litestar], world: World) -> None:
    assert (await client.post("/v1/transcripts/nope/reprocess")).status_code == 404
    for status in (TranscriptStatus.DONE, TranscriptStatus.QUEUED, TranscriptStatus.PROCESSING):
        t = add_transcript(world, status=status)
        r = await client.post(f"/v1/transcripts/{t.id}/reprocess")
        assert r.status_code == 409
        assert "only a failed transcript" in r.json()["detail"]
    assert world.queue.jobs == []
