"""The reader page lists the notes' topics and action items, each a link that seeks the player."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from reflector_core.model import ActionItem, MeetingNotes, NotesEdits, NotesStatus, Topic, TopicEdit, TranscriptNotes
from tests.api.conftest import World, add_transcript
from tests.web.conftest import add_user, sign_in


async def test_topics_and_action_items_seek_the_player(browser: AsyncTestClient[Litestar], world: World) -> None:
    t = add_transcript(world, audio_location="tr/a/audio.mp3")
    tid = t.id or ""
    world.store.notes[tid] = TranscriptNotes(
        tid,
        NotesStatus.DONE,
        MeetingNotes(
            title="Greetings",
            short_summary="Hello.",
            long_summary="Hello.",
            topics=(Topic("Hellos <b>", "They greet.", 0.0, 1.0), Topic("Names", "Ana is named.", 2.0, 2.9)),
            action_items=(ActionItem("Say hi back", "Ana", 2.0),),
            method="llm:qwen2.5",
        ),
        updated_at=world.clock.now(),
    )
    await add_user(world)
    await sign_in(browser)
    page = (await browser.get(f"/transcripts/{tid}")).text
    assert 'id="topics"' in page and "by qwen2.5" in page
    assert 'href="?t=2.00#turn-1" data-start="2.00"' in page  # the second topic opens at the second turn
    assert "Hellos &lt;b&gt;" in page  # escaped
    assert "<strong>Ana</strong>: Say hi back" in page

    bare = add_transcript(world, platform_recording_id="r-2")
    assert 'id="topics"' not in (await browser.get(f"/transcripts/{bare.id}")).text


async def test_the_reader_shows_the_users_topic_edits(browser: AsyncTestClient[Litestar], world: World) -> None:
    t = add_transcript(world)
    tid = t.id or ""
    generated = MeetingNotes(
        title="Greetings",
        short_summary="Hello.",
        long_summary="Hello.",
        topics=(Topic("Hellos", "They greet.", 0.0, 1.0), Topic("Names", "Ana is named.", 2.0, 2.9)),
    )
    edits = NotesEdits(topics=(TopicEdit(2.0, title="Who is who", summary="Everyone says their name."),))
    world.store.notes[tid] = TranscriptNotes(tid, NotesStatus.DONE, generated, edits, updated_at=world.clock.now())
    await add_user(world)
    await sign_in(browser)
    page = (await browser.get(f"/transcripts/{tid}")).text
    assert 'title="Everyone says their name."><span class="ts">00:02</span> Who is who</a>' in page
    assert "</span> Names</a>" not in page and "</span> Hellos</a>" in page  # only the topic named is edited
