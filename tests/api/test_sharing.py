"""Sharing at the HTTP edge: links that work signed out and stop at once, named readers, owner-only changes."""

from __future__ import annotations

import attrs
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from reflector_core.usecases.accounts import create_user
from tests.web.conftest import HASHER

from .conftest import World, add_key, add_transcript, bearer, make_app


async def _user(world: World, name: str) -> None:
    await create_user(
        name, "a long password", unit_of_work=world.container.unit_of_work, hasher=HASHER, clock=world.clock
    )


async def test_a_link_opens_the_transcript_signed_out_until_revoked(
    world: World, client: AsyncTestClient[Litestar]
) -> None:
    t = add_transcript(world)
    world.bucket.objects["audio/x.mp3"] = b"ID3" + b"\0" * 100
    world.store.transcripts[t.id or ""] = attrs.evolve(t, audio_location="audio/x.mp3")
    r = await client.post(f"/v1/transcripts/{t.id}/share", json={"mode": "link"})
    assert r.status_code == 200, r.text
    url = r.json()["url"]
    assert url.startswith("/s/") and r.json()["mode"] == "link"
    token = url.removeprefix("/s/")
    assert len(token) >= 22  # ≥ 128 bits in base64url (we use 256: 43 characters)
    async with AsyncTestClient(app=make_app(world)) as anonymous:
        page = await anonymous.get(url)
        assert page.status_code == 200
        assert "Hello there." in page.text and "Share ·" not in page.text
        assert page.headers["cache-control"] == "private, no-store"
        assert page.headers["referrer-policy"] == "no-referrer"
        vtt = await anonymous.get(f"{url}/export.vtt")
        assert vtt.status_code == 200 and "Hello there." in vtt.text
        audio = await anonymous.get(f"{url}/audio.mp3", headers={"Range": "bytes=0-2"})
        assert audio.status_code == 206 and audio.content == b"ID3"
        # Nothing else is reachable with the link: the API still wants a key.
        assert (await anonymous.get(f"/v1/transcripts/{t.id}")).status_code == 401
        assert (await client.delete(f"/v1/transcripts/{t.id}/share")).json()["mode"] == "private"
        for path in (url, f"{url}/audio.mp3", f"{url}/export.vtt", f"{url}/waveform"):
            assert (await anonymous.get(path)).status_code == 404, path


async def test_a_new_link_replaces_the_old_one(world: World, client: AsyncTestClient[Litestar]) -> None:
    t = add_transcript(world)
    first = (await client.post(f"/v1/transcripts/{t.id}/share", json={"mode": "link"})).json()["url"]
    second = (await client.post(f"/v1/transcripts/{t.id}/share", json={"mode": "link"})).json()["url"]
    assert first != second
    async with AsyncTestClient(app=make_app(world)) as anonymous:
        assert (await anonymous.get(first)).status_code == 404
        assert (await anonymous.get(second)).status_code == 200
        assert (await anonymous.get("/s/not-a-token")).status_code == 404
    got = (await client.get(f"/v1/transcripts/{t.id}/share")).json()
    assert got["mode"] == "link" and got["url"] is None and got["link_created_at"]


async def test_the_absolute_link_uses_the_public_url(world: World) -> None:
    world.container.settings = attrs.evolve(
        world.container.settings,
        web=attrs.evolve(world.container.settings.web, public_url="https://reflector.example/"),
    )
    t = add_transcript(world)
    async with AsyncTestClient(app=make_app(world)) as client:
        r = await client.post(f"/v1/transcripts/{t.id}/share", json={"mode": "link"}, headers=world.auth)
    assert r.json()["url"].startswith("https://reflector.example/s/")


async def test_a_named_user_reads_but_cannot_change(world: World, client: AsyncTestClient[Litestar]) -> None:
    t = add_transcript(world)
    await _user(world, "bo")
    bo = bearer(add_key(world.store, "bo"))
    assert (await client.get(f"/v1/transcripts/{t.id}", headers=bo)).status_code == 404
    assert (await client.get("/v1/transcripts", headers=bo)).json()["total"] == 0
    r = await client.post(f"/v1/transcripts/{t.id}/share", json={"mode": "user", "username": "bo"})
    assert r.status_code == 200 and r.json()["users"] == ["bo"] and r.json()["mode"] == "users"
    assert (await client.get(f"/v1/transcripts/{t.id}", headers=bo)).status_code == 200
    assert (await client.get(f"/v1/transcripts/{t.id}/export.txt", headers=bo)).status_code == 200
    assert [i["id"] for i in (await client.get("/v1/transcripts", headers=bo)).json()["items"]] == [t.id]
    # Read-only: sharing and naming speakers stay the owner's.
    assert (await client.post(f"/v1/transcripts/{t.id}/share", json={"mode": "link"}, headers=bo)).status_code == 404
    assert (await client.delete(f"/v1/transcripts/{t.id}/share", headers=bo)).status_code == 404
    renamed = await client.patch(f"/v1/transcripts/{t.id}/participants/0", json={"name": "x"}, headers=bo)
    assert renamed.status_code == 404
    gone = await client.delete(f"/v1/transcripts/{t.id}/share/users/bo")
    assert gone.status_code == 200 and gone.json()["users"] == []
    assert (await client.get(f"/v1/transcripts/{t.id}", headers=bo)).status_code == 404
    assert (await client.delete(f"/v1/transcripts/{t.id}/share/users/bo")).status_code == 404


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"mode": "user", "username": "nobody"}, 404),
        ({"mode": "user"}, 422),
        ({"mode": "user", "username": "ana"}, 422),
        ({"mode": "public"}, 400),
        ({"mode": "link", "extra": 1}, 400),
    ],
)
async def test_bad_share_requests(world: World, client: AsyncTestClient[Litestar], body: object, status: int) -> None:
    t = add_transcript(world)
    assert (await client.post(f"/v1/transcripts/{t.id}/share", json=body)).status_code == status


async def test_private_drops_link_and_users(world: World, client: AsyncTestClient[Litestar]) -> None:
    t = add_transcript(world)
    await _user(world, "bo")
    url = (await client.post(f"/v1/transcripts/{t.id}/share", json={"mode": "link"})).json()["url"]
    await client.post(f"/v1/transcripts/{t.id}/share", json={"mode": "user", "username": "bo"})
    assert (await client.get(f"/v1/transcripts/{t.id}/share")).json()["mode"] == "link+users"
    r = await client.post(f"/v1/transcripts/{t.id}/share", json={"mode": "private"})
    assert r.json() == {"mode": "private", "url": None, "link_created_at": None, "users": []}
    async with AsyncTestClient(app=make_app(world)) as anonymous:
        assert (await anonymous.get(url)).status_code == 404


async def test_another_owners_transcript_cannot_be_shared(world: World, client: AsyncTestClient[Litestar]) -> None:
    t = add_transcript(world)
    eve = bearer(add_key(world.store, "eve"))
    for method, path, body in [
        ("POST", f"/v1/transcripts/{t.id}/share", {"mode": "link"}),
        ("GET", f"/v1/transcripts/{t.id}/share", None),
        ("DELETE", f"/v1/transcripts/{t.id}/share", None),
    ]:
        r = await client.request(method, path, json=body, headers=eve)
        assert r.status_code == 404, (method, r.text)
    assert not world.store.share_links
