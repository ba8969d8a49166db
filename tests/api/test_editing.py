"""Editing and deleting through the JSON API: title, merge, reassign, the edit log, deletion."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from reflector_core.audio_keys import audio_key, waveform_key
from reflector_core.model import Participant, TranscriptStatus

from .conftest import OWNER, World, add_key, add_transcript, bearer


async def test_merge_reassign_title_and_the_edit_log(client: AsyncTestClient[Litestar], world: World) -> None:
    t = add_transcript(world, participants=(Participant(0, "p-0", "Ana"), Participant(1, "p-1", "Bo")))
    base = f"/v1/transcripts/{t.id}"
    r = await client.post(f"{base}/reassign", json={"start": 0.5, "end": 1.0, "to": 1, "speaker": 0})
    assert r.status_code == 200, r.text
    assert "<v Bo>there." in (await client.get(f"{base}/export.vtt")).text
    r = await client.post(f"{base}/merge", json={"speaker": 1, "into": 0})
    assert r.status_code == 200, r.text
    assert [p["label"] for p in r.json()["participants"]] == ["Ana"]
    vtt = (await client.get(f"{base}/export.vtt")).text
    assert "Bo" not in vtt and "<v Ana>Hello there." in vtt
    r = await client.patch(base, json={"title": "Weekly <b>sync</b>"})
    assert r.status_code == 200 and r.json()["title"] == "Weekly <b>sync</b>"
    assert (await client.get(base)).json()["title"] == "Weekly <b>sync</b>"
    listed = (await client.get("/v1/transcripts")).json()["items"]
    assert [i["title"] for i in listed] == ["Weekly <b>sync</b>"]
    log = (await client.get(f"{base}/edits")).json()["edits"]
    assert [(e["kind"], e["by"]) for e in log] == [("reassign", OWNER), ("merge", OWNER), ("title", OWNER)]
    assert (log[0]["start"], log[0]["end"], log[0]["speaker"], log[0]["to_speaker"]) == (0.5, 1.0, 0, 1)
    assert log[0]["at"].startswith("2026-03-12")


async def test_edit_errors(client: AsyncTestClient[Litestar], world: World) -> None:
    t = add_transcript(world)
    base = f"/v1/transcripts/{t.id}"
    assert (await client.post(f"{base}/merge", json={"speaker": 1, "into": 1})).status_code == 422
    assert (await client.post(f"{base}/merge", json={"speaker": 9, "into": 0})).status_code == 404
    assert (await client.post(f"{base}/merge", json={"speaker": -1, "into": 0})).status_code == 400
    assert (await client.post(f"{base}/merge", json={"speaker": 1})).status_code == 400
    assert (await client.post(f"{base}/reassign", json={"start": 2, "end": 1, "to": 0})).status_code == 422
    assert (await client.post(f"{base}/reassign", json={"start": 9, "end": 10, "to": 0})).status_code == 422
    assert (await client.post(f"{base}/reassign", json={"start": 0, "end": 1, "to": 0, "x": 1})).status_code == 400
    assert (await client.patch(base, json={"title": "x" * 201})).status_code == 422
    assert (await client.post("/v1/transcripts/nope/merge", json={"speaker": 1, "into": 0})).status_code == 404
    queued = add_transcript(world, status=TranscriptStatus.QUEUED)
    r = await client.post(f"/v1/transcripts/{queued.id}/merge", json={"speaker": 1, "into": 0})
    assert r.status_code == 409
    other = bearer(add_key(world.store, "mallory"))
    for method, url, body in (
        ("POST", f"{base}/merge", {"speaker": 1, "into": 0}),
        ("POST", f"{base}/reassign", {"start": 0, "end": 1, "to": 1}),
        ("PATCH", base, {"title": "mine"}),
        ("GET", f"{base}/edits", None),
        ("DELETE", base, None),
    ):
        r = await client.request(method, url, json=body, headers=other)
        assert r.status_code == 404, (method, url)
    assert world.store.edits == [] and world.store.transcripts[t.id or ""].title is None


async def test_delete_a_transcript(client: AsyncTestClient[Litestar], world: World) -> None:
    tid = "tr-gone"
    add_transcript(world, id=tid, audio_location=audio_key(tid))
    world.bucket.objects[audio_key(tid)] = b"ID3"
    world.bucket.objects[waveform_key(tid)] = b"{}"
    assert (await client.get(f"/v1/transcripts/{tid}/audio.mp3")).status_code == 200
    busy = add_transcript(world, status=TranscriptStatus.PROCESSING)
    assert (await client.delete(f"/v1/transcripts/{busy.id}")).status_code == 409
    r = await client.delete(f"/v1/transcripts/{tid}")
    assert r.status_code == 204, r.text
    assert world.bucket.objects == {}
    assert {(k, reason) for _, k, reason, _ in world.store.deleted_objects} == {
        (audio_key(tid), "owner"),
        (waveform_key(tid), "owner"),
    }
    for url in ("", "/audio.mp3", "/export.txt", "/edits", "/waveform"):
        assert (await client.get(f"/v1/transcripts/{tid}{url}")).status_code == 404, url
    assert (await client.delete(f"/v1/transcripts/{tid}")).status_code == 404
