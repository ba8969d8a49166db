"""The reader's edit panel: forms for title, rename, merge, reassign and delete, CSRF, escaping."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from reflector_core.audio_keys import audio_key, waveform_key
from reflector_core.model import Participant
from tests.api.conftest import World, add_transcript

from .conftest import add_user, csrf_of, make_web_app, sign_in

EVIL = "<img src=x onerror=alert(1)>"


async def _post(browser: AsyncTestClient[Litestar], tid: str, path: str, **form: str) -> object:
    page = await browser.get(f"/transcripts/{tid}")
    return await browser.post(
        f"/transcripts/{tid}/{path}", data={**form, "_csrf_token": csrf_of(page.text)}, follow_redirects=False
    )


async def test_edit_panel_renames_merges_reassigns_and_retitles(
    browser: AsyncTestClient[Litestar], world: World
) -> None:
    t = add_transcript(world, participants=(Participant(0, "p-0", "Ana"), Participant(1, "p-1", "Bo")))
    tid = t.id or ""
    await add_user(world)
    await sign_in(browser)
    page = await browser.get(f"/transcripts/{tid}")
    assert 'id="edit"' in page.text and 'action="/transcripts/' + tid + '/reassign"' in page.text
    assert 'href="?turn=1#edit">reassign</a>' in page.text
    prefilled = await browser.get(f"/transcripts/{tid}?turn=1")
    assert 'name="start" size="8" required placeholder="1:15" value="2.00"' in prefilled.text
    assert '<option value="1" selected>Bo</option>' in prefilled.text

    assert (await _post(browser, tid, "speakers", action="rename", speaker="1", name=EVIL)).status_code == 303  # type: ignore[attr-defined]
    assert (await _post(browser, tid, "title", title=f"Sync {EVIL}")).status_code == 303  # type: ignore[attr-defined]
    page = await browser.get(f"/transcripts/{tid}")
    assert EVIL not in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert '<h1 id="title">Sync &lt;img' in page.text
    vtt = (await browser.get(f"/v1/transcripts/{tid}/export.vtt")).text
    assert "<v &lt;img src=x onerror=alert(1)&gt;>Hi Ana." in vtt  # WebVTT escapes its own markup

    reply = await _post(browser, tid, "reassign", start="0:00.5", end="1", to="1", speaker="0")
    assert reply.status_code == 303 and reply.headers["location"].endswith("?t=0.50")  # type: ignore[attr-defined]
    assert [w.speaker for w in world.store.transcripts[tid].words] == [0, 1, 1, 1]
    assert (await _post(browser, tid, "speakers", action="merge", speaker="1", into="0")).status_code == 303  # type: ignore[attr-defined]
    assert {w.speaker for w in world.store.transcripts[tid].words} == {0}
    page = await browser.get(f"/transcripts/{tid}")
    log = page.text.split('id="edit-log"')[1]
    assert (
        log.index("merged speaker 1 into Ana")
        < log.index("gave the words of Ana at 0.5–1.0 s")
        < log.index("set the title")
    )
    assert EVIL not in log


async def test_bad_edits_get_an_html_error_and_others_get_404(world: World) -> None:
    t = add_transcript(world)
    tid = t.id or ""
    await add_user(world)
    await add_user(world, "bo")
    async with AsyncTestClient(app=make_web_app(world)) as ana, AsyncTestClient(app=make_web_app(world)) as bo:
        await sign_in(ana)
        await sign_in(bo, "bo")
        bad = await _post(ana, tid, "reassign", start="soon", end="1", to="1")
        assert bad.status_code == 422 and "not a time" in bad.text  # type: ignore[attr-defined]
        assert (await _post(ana, tid, "speakers", action="merge", speaker="1", into="1")).status_code == 422  # type: ignore[attr-defined]
        assert (await _post(ana, tid, "delete")).status_code == 422  # type: ignore[attr-defined]  # not confirmed
        page = await bo.get("/")
        for action, form in (
            ("title", {"title": "x"}),
            ("speakers", {"action": "rename", "speaker": "0", "name": "x"}),
            ("reassign", {"start": "0", "end": "1", "to": "1"}),
            ("delete", {"confirm": "yes"}),
        ):
            denied = await bo.post(
                f"/transcripts/{tid}/{action}", data={**form, "_csrf_token": csrf_of(page.text)}, follow_redirects=False
            )
            assert denied.status_code == 404, action
        assert world.store.edits == [] and tid in world.store.transcripts


async def test_every_edit_form_and_fetch_needs_the_csrf_token(browser: AsyncTestClient[Litestar], world: World) -> None:
    tid = add_transcript(world).id or ""
    await add_user(world)
    await sign_in(browser)
    for action, form in (
        ("title", {"title": "x"}),
        ("speakers", {"action": "merge", "speaker": "1", "into": "0"}),
        ("reassign", {"start": "0", "end": "1", "to": "1"}),
        ("delete", {"confirm": "yes"}),
    ):
        assert (await browser.post(f"/transcripts/{tid}/{action}", data=form)).status_code == 403, action
    # The JSON routes with the session cookie (a page script's fetch) need the header too.
    for method, url, body in (
        ("PATCH", f"/v1/transcripts/{tid}", {"title": "x"}),
        ("POST", f"/v1/transcripts/{tid}/merge", {"speaker": 1, "into": 0}),
        ("POST", f"/v1/transcripts/{tid}/reassign", {"start": 0, "end": 1, "to": 1}),
        ("DELETE", f"/v1/transcripts/{tid}", None),
    ):
        assert (await browser.request(method, url, json=body)).status_code == 403, url
    assert world.store.edits == [] and tid in world.store.transcripts
    page = await browser.get(f"/transcripts/{tid}")
    ok = await browser.patch(f"/v1/transcripts/{tid}", json={"title": "x"}, headers={"X-CSRFToken": csrf_of(page.text)})
    assert ok.status_code == 200


async def test_delete_from_the_page(browser: AsyncTestClient[Litestar], world: World) -> None:
    tid = "tr-del"
    add_transcript(world, id=tid, audio_location=audio_key(tid))
    world.bucket.objects.update({audio_key(tid): b"ID3", waveform_key(tid): b"{}"})
    await add_user(world)
    await sign_in(browser)
    reply = await _post(browser, tid, "delete", confirm="yes")
    assert reply.status_code == 303 and reply.headers["location"] == "/?deleted=1"  # type: ignore[attr-defined]
    assert world.bucket.objects == {} and tid not in world.store.transcripts
    assert (await browser.get(f"/transcripts/{tid}")).status_code == 404
    assert (await browser.get(f"/v1/transcripts/{tid}/audio.mp3")).status_code == 404
    assert f"/transcripts/{tid}" not in (await browser.get("/")).text
