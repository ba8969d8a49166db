"""Full-text search: ``GET /v1/transcripts?q=`` (key or session) and the library's search, same use case."""

from __future__ import annotations

import attrs
from litestar import Litestar
from litestar.testing import AsyncTestClient

from reflector_core.model import Word
from reflector_core.search import segments
from tests.api.conftest import World, add_key, add_meeting, add_room, add_transcript, bearer

from .conftest import add_user, sign_in

WORDS = (
    Word(" We", 0.0, 0.3, speaker=0),
    Word(" ship", 0.3, 0.6, speaker=0),
    Word(" on", 0.6, 0.8, speaker=0),
    Word(" <b>Friday</b>.", 0.8, 1.2, speaker=0),
    Word(" Friday", 4.0, 4.4, speaker=1),
    Word(" works.", 4.4, 4.8, speaker=1),
)


def _indexed(world: World, **kw: object) -> str:
    t = add_transcript(world, words=WORDS, **kw)  # type: ignore[arg-type]
    world.store.segments[t.id or ""] = segments(t.words)
    return t.id or ""


async def test_api_search_returns_snippets_with_start(browser: AsyncTestClient[Litestar], world: World) -> None:
    tid = _indexed(world)
    add_room(world, "theirs", owner="bob")
    other = add_transcript(world, words=WORDS, meeting_id=add_meeting(world, "theirs").id, platform_recording_id="r2")
    world.store.segments[other.id or ""] = segments(other.words)
    reply = await browser.get("/v1/transcripts", params={"q": "friday"}, headers=world.auth)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert [i["id"] for i in body["items"]] == [tid]
    assert body["items"][0]["snippets"] == [
        {"text": "We ship on <b>Friday</b>.", "start": 0.0},
        {"text": "Friday works.", "start": 4.0},
    ]
    assert "snippets" not in (await browser.get("/v1/transcripts", headers=world.auth)).json()["items"][0]
    assert (await browser.get("/v1/transcripts", params={"q": "ship friday"}, headers=world.auth)).json()["total"] == 1
    assert (await browser.get("/v1/transcripts", params={"q": "saturday"}, headers=world.auth)).json()["items"] == []
    assert (await browser.get("/v1/transcripts", params={"q": "  ..."}, headers=world.auth)).status_code == 422
    bob = add_key(world.store, "bob")
    theirs = (await browser.get("/v1/transcripts", params={"q": "friday"}, headers=bearer(bob))).json()
    assert [i["id"] for i in theirs["items"]] == [other.id]


async def test_library_search_highlights_as_text_and_links_to_the_time(
    browser: AsyncTestClient[Litestar], world: World
) -> None:
    await add_user(world)
    tid = _indexed(world)
    assert await sign_in(browser) == 303
    page = (await browser.get("/", params={"q": "Friday"})).text
    assert f'href="/transcripts/{tid}?t=4.00"' in page
    assert "We ship on &lt;b&gt;<mark>Friday</mark>&lt;/b&gt;." in page
    assert "<b>" not in page
    # The session works for the JSON route too.
    assert (await browser.get("/v1/transcripts", params={"q": "friday"})).json()["total"] == 1


async def test_an_edit_reindexes(world: World) -> None:
    from tests.fakes.memory import MemoryTranscripts

    tid = _indexed(world)
    t = world.store.transcripts[tid]
    await MemoryTranscripts(world.store).save_result(attrs.evolve(t, words=(Word(" Monday", 0.0, 0.5),)))
    assert [s.text for s in world.store.segments[tid]] == ["Monday"]
