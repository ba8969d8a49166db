"""The API-key page (and ``/v1/keys``) and the upload page's server side."""

from __future__ import annotations

import re
from pathlib import Path

import attrs
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.api.conftest import World, add_key, bearer

from .conftest import add_user, csrf_of, make_web_app, sign_in

AUDIO = Path(__file__).parents[1] / "fixtures" / "audio"


async def test_a_user_creates_sees_once_and_revokes_their_keys(
    browser: AsyncTestClient[Litestar], world: World
) -> None:
    await add_user(world)
    await sign_in(browser)
    theirs = add_key(world.store, "bob")
    page = await browser.get("/keys")
    assert page.status_code == 200
    made = await browser.post("/keys", data={"_csrf_token": csrf_of(page.text)})
    assert made.status_code == 201
    key = re.search(r'id="new-key"[^>]*value="(rk_[^"]+)"', made.text)
    assert key
    # The key works, as its owner.
    assert (await browser.get("/v1/transcripts", headers=bearer(key.group(1)))).status_code == 200
    listed = await browser.get("/keys")
    key_id = key.group(1).split("_")[1]
    assert key_id in listed.text and key.group(1) not in listed.text  # never shown again
    assert theirs.split("_")[1] not in listed.text  # only one's own keys
    gone = await browser.post(
        f"/keys/{key_id}/revoke", data={"_csrf_token": csrf_of(listed.text)}, follow_redirects=False
    )
    assert gone.status_code == 303
    assert (await browser.get("/v1/transcripts", headers=bearer(key.group(1)))).status_code == 401
    # Another owner's key cannot be revoked from here: 404, and it still works.
    other = await browser.post(f"/keys/{theirs.split('_')[1]}/revoke", data={"_csrf_token": csrf_of(listed.text)})
    assert other.status_code == 404
    assert (await browser.get("/v1/transcripts", headers=bearer(theirs))).status_code == 200


async def test_the_keys_api(world: World) -> None:
    async with AsyncTestClient(app=make_web_app(world)) as c:
        made = await c.post("/v1/keys", headers=world.auth)
        assert made.status_code == 201 and made.json()["key"].startswith("rk_")
        listed = (await c.get("/v1/keys", headers=world.auth)).json()
        assert {k["id"] for k in listed} == {made.json()["id"], world.key.split("_")[1]}
        assert all(set(k) == {"id", "created_at", "revoked"} for k in listed)
        assert (await c.delete(f"/v1/keys/{made.json()['id']}", headers=world.auth)).status_code == 204
        assert (await c.delete(f"/v1/keys/{made.json()['id']}", headers=world.auth)).status_code == 404
        eve = add_key(world.store, "eve")
        assert (await c.delete(f"/v1/keys/{eve.split('_')[1]}", headers=world.auth)).status_code == 404
        assert (await c.get("/v1/keys", headers=bearer(made.json()["key"]))).status_code == 401


async def test_the_upload_page_and_its_csrf(browser: AsyncTestClient[Litestar], world: World, tmp_path: Path) -> None:
    s = world.container.settings
    world.container.settings = attrs.evolve(
        s,
        storage=attrs.evolve(s.storage, dir=tmp_path / "storage"),
        http=attrs.evolve(s.http, upload_max_bytes=3 * 1024**3),
    )
    async with AsyncTestClient(app=make_web_app(world)) as client:
        await add_user(world)
        await sign_in(client)
        page = await client.get("/upload")
        assert page.status_code == 200 and 'id="upload-form"' in page.text and "3 GiB" in page.text
        data = (AUDIO / "tone_aac.mp4").read_bytes()
        # The session alone is not enough: a multipart form must carry the CSRF header (never read from the body).
        forged = await client.post(
            "/v1/uploads", files={"file": ("a.mp4", data)}, data={"_csrf_token": csrf_of(page.text)}
        )
        assert forged.status_code == 403
        assert not world.store.transcripts
        sent = await client.post(
            "/v1/uploads", files={"file": ("a.mp4", data)}, headers={"X-CSRFToken": csrf_of(page.text)}
        )
        assert sent.status_code == 201, sent.text
        reader = await client.get(f"/transcripts/{sent.json()['id']}")
        assert reader.status_code == 200 and "a.mp4" in reader.text and "still being transcribed" in reader.text
        assert "a.mp4" in (await client.get("/")).text
