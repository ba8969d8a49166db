"""The reader's share controls: a link shown once that works signed out, named readers read-only."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import AsyncTestClient

from reflector_core.search import segments
from tests.api.conftest import World, add_transcript

from .conftest import add_user, csrf_of, make_web_app, sign_in


async def _share(browser: AsyncTestClient[Litestar], tid: str, **form: str) -> object:
    page = await browser.get(f"/transcripts/{tid}")
    return await browser.post(
        f"/transcripts/{tid}/share", data={**form, "_csrf_token": csrf_of(page.text)}, follow_redirects=False
    )


async def test_owner_makes_a_link_reads_it_once_and_revokes_it(
    browser: AsyncTestClient[Litestar], world: World
) -> None:
    tid = add_transcript(world).id or ""
    await add_user(world)
    await sign_in(browser)
    page = await browser.get(f"/transcripts/{tid}")
    assert 'Share · <span id="share-mode">private</span>' in page.text
    made = await _share(browser, tid, mode="link")
    assert made.status_code == 200  # type: ignore[attr-defined]
    link = re.search(r'id="share-url"[^>]*value="([^"]+)"', made.text)  # type: ignore[attr-defined]
    assert link and "/s/" in link.group(1)
    path = "/s/" + link.group(1).split("/s/")[1]
    again = await browser.get(f"/transcripts/{tid}")
    assert 'id="share-url"' not in again.text and "A link is active since" in again.text
    async with AsyncTestClient(app=make_web_app(world)) as anonymous:
        shared = await anonymous.get(path)
        assert shared.status_code == 200 and "Hello there." in shared.text
        assert "Shared with you by link" in shared.text and "share-link" not in shared.text
        assert f'src="{path}/audio.mp3"' in shared.text or "audio of this meeting" in shared.text
        back = await _share(browser, tid, mode="revoke")
        assert back.status_code == 303  # type: ignore[attr-defined]
        assert (await anonymous.get(path)).status_code == 404


async def test_a_user_it_is_shared_with_finds_it_and_only_reads(world: World) -> None:
    t = add_transcript(world)
    world.store.segments[t.id or ""] = segments(t.words)
    await add_user(world)
    await add_user(world, "bo")
    async with AsyncTestClient(app=make_web_app(world)) as ana, AsyncTestClient(app=make_web_app(world)) as bo:
        await sign_in(ana)
        await sign_in(bo, "bo")
        assert (await bo.get(f"/transcripts/{t.id}")).status_code == 404
        assert (await _share(ana, t.id or "", mode="user", username="bo")).status_code == 303  # type: ignore[attr-defined]
        assert "bo <form" in (await ana.get(f"/transcripts/{t.id}")).text
        library = await bo.get("/")
        assert f"/transcripts/{t.id}" in library.text
        assert f"/transcripts/{t.id}" in (await bo.get("/?q=hello")).text
        reader = await bo.get(f"/transcripts/{t.id}")
        assert reader.status_code == 200 and "Shared with you by ana" in reader.text and 'id="share"' not in reader.text
        # Read-only: the share form answers a reader as for a transcript they cannot see.
        page = await bo.get(f"/transcripts/{t.id}")
        denied = await bo.post(f"/transcripts/{t.id}/share", data={"mode": "link", "_csrf_token": csrf_of(page.text)})
        assert denied.status_code == 404
        await _share(ana, t.id or "", mode="unshare", username="bo")
        assert (await bo.get(f"/transcripts/{t.id}")).status_code == 404


async def test_sharing_with_an_unknown_user_says_so(browser: AsyncTestClient[Litestar], world: World) -> None:
    tid = add_transcript(world).id or ""
    await add_user(world)
    await sign_in(browser)
    reply = await _share(browser, tid, mode="user", username="nobody")
    assert reply.status_code == 422  # type: ignore[attr-defined]
    assert "user not found: nobody" in reply.text  # type: ignore[attr-defined]
    myself = await _share(browser, tid, mode="user", username="ana")
    assert "reads their own transcript already" in myself.text  # type: ignore[attr-defined]
    # Another owner's transcript stays a plain 404.
    assert (await _share(browser, "tr-missing", mode="user", username="nobody")).status_code == 404  # type: ignore[attr-defined]
