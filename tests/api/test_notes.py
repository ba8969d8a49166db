"""Meeting notes over HTTP: read, edit, regenerate (keeping edits only when asked), and the JSON export."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from reflector_core.model import ActionItem, MeetingNotes, NotesStatus, Topic, TranscriptNotes, TranscriptStatus
from reflector_core.usecases.notes import WriteNotes

from .conftest import World, add_room, add_transcript

NOTES = MeetingNotes(
    title="Greetings",
    short_summary="Hello there.",
    long_summary="Greetings: Hello there.",
    topics=(Topic("Greetings", "Hello there.", 0.0, 2.9),),
    action_items=(ActionItem("Say hi back", "Ana", 0.5),),
    method="extractive",
)


def with_notes(world: World) -> str:
    t = add_transcript(world)
    tid = t.id or ""
    world.store.notes[tid] = TranscriptNotes(tid, NotesStatus.DONE, NOTES, updated_at=world.clock.now())
    return tid


async def test_notes_read_edit_and_regenerate(client: AsyncTestClient[Litestar], world: World) -> None:
    tid = with_notes(world)
    r = await client.get(f"/v1/transcripts/{tid}/notes")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["status"], body["method"], body["title"], body["edited"]) == ("done", "extractive", "Greetings", False)
    assert body["topics"] == [{"title": "Greetings", "summary": "Hello there.", "start": 0.0, "end": 2.9}]
    assert body["action_items"] == [{"text": "Say hi back", "speaker": "Ana", "start": 0.5}]

    r = await client.patch(
        f"/v1/transcripts/{tid}/notes",
        json={"title": "Hellos", "action_items": [{"text": "Wave", "speaker": None, "start": 1.0}]},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["title"], r.json()["edited"], r.json()["short_summary"]) == ("Hellos", True, "Hello there.")
    assert r.json()["action_items"] == [{"text": "Wave", "speaker": None, "start": 1.0}]

    r = await client.post(f"/v1/transcripts/{tid}/notes", json={"keep_edits": True})
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "pending" and r.json()["title"] == "Hellos"
    r = await client.post(f"/v1/transcripts/{tid}/notes")
    assert r.status_code == 202, r.text
    assert world.queue.jobs == [
        WriteNotes(tid, keep_edits=True),
        WriteNotes(tid, keep_edits=False),
    ]


async def test_a_topics_title_and_summary_are_editable(client: AsyncTestClient[Litestar], world: World) -> None:
    tid = with_notes(world)
    url = f"/v1/transcripts/{tid}/notes"
    r = await client.patch(url, json={"topics": [{"start": 0.0, "title": "Hellos"}]})
    assert r.status_code == 200, r.text
    r = await client.patch(url, json={"topics": [{"start": 0.0, "summary": "They wave."}]})
    assert r.status_code == 200, r.text
    assert r.json()["topics"] == [{"title": "Hellos", "summary": "They wave.", "start": 0.0, "end": 2.9}]
    assert r.json()["edited"] is True and r.json()["title"] == "Greetings"
    export = (await client.get(f"/v1/transcripts/{tid}/export.json")).json()
    assert export["notes"]["topics"][0]["title"] == "Hellos"

    r = await client.patch(url, json={"topics": [{"start": 1.0, "title": "Nowhere"}]})
    assert r.status_code == 422 and "no topic starts at 1.0" in r.text
    for body in ({"topics": [{"title": "No start"}]}, {"topics": [{"start": 0.0, "colour": "red"}]}):
        assert (await client.patch(url, json=body)).status_code == 400, body


async def test_bad_edits_and_unfinished_transcripts(client: AsyncTestClient[Litestar], world: World) -> None:
    tid = with_notes(world)
    for body in ({"title": ""}, {"colour": "red"}, {"action_items": [{"speaker": "x"}]}, {"title": "x" * 301}):
        r = await client.patch(f"/v1/transcripts/{tid}/notes", json=body)
        assert r.status_code == 400, (body, r.text)
    assert (await client.post(f"/v1/transcripts/{tid}/notes", json={"keep": True})).status_code == 400
    queued = add_transcript(world, platform_recording_id="r-q", status=TranscriptStatus.QUEUED)
    assert (await client.get(f"/v1/transcripts/{queued.id}/notes")).status_code == 409
    assert (await client.post(f"/v1/transcripts/{queued.id}/notes")).status_code == 409
    bare = add_transcript(world, platform_recording_id="r-b")
    r = await client.get(f"/v1/transcripts/{bare.id}/notes")
    assert r.status_code == 200 and r.json()["status"] == "pending" and r.json()["title"] is None
    assert (await client.patch(f"/v1/transcripts/{bare.id}/notes", json={"title": "x"})).status_code == 409
    assert (await client.get("/v1/transcripts/nope/notes")).status_code == 404


async def test_another_owners_notes_are_404(client: AsyncTestClient[Litestar], world: World) -> None:
    from .conftest import add_meeting

    add_room(world, "theirs", owner="someone-else")
    t = add_transcript(world, platform_recording_id="r-x", meeting_id=add_meeting(world, "theirs").id)
    world.store.notes[t.id or ""] = TranscriptNotes(t.id or "", NotesStatus.DONE, NOTES, updated_at=world.clock.now())
    for method in ("get", "post", "patch"):
        kwargs = {"json": {"title": "x"}} if method == "patch" else {}
        r = await getattr(client, method)(f"/v1/transcripts/{t.id}/notes", **kwargs)
        assert r.status_code == 404, (method, r.text)
    assert world.queue.jobs == []


async def test_the_json_export_carries_the_notes(client: AsyncTestClient[Litestar], world: World) -> None:
    tid = with_notes(world)
    body = (await client.get(f"/v1/transcripts/{tid}/export.json")).json()
    assert body["notes"]["title"] == "Greetings" and body["notes"]["method"] == "extractive"
    bare = add_transcript(world, platform_recording_id="r-b")
    assert "notes" not in (await client.get(f"/v1/transcripts/{bare.id}/export.json")).json()
