"""The room page and room administration over the in-memory world, as a browser without JavaScript meets them."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import AsyncTestClient

from reflector_core.model import ConsentChoice, ConsentPolicy, Platform, RecordingKind, Room
from tests.api.conftest import OWNER, World

from .conftest import add_user, csrf_of, sign_in


def consent_room(world: World, name: str = "standup", platform: Platform = Platform.DAILY) -> None:
    world.store.rooms[name] = Room(
        name, platform, RecordingKind.RAW_TRACKS, consent_policy=ConsentPolicy.REQUIRED, owner=OWNER, id=f"room-{name}"
    )


def iframe_src(html: str) -> str | None:
    tag = re.search(r'<iframe id="call"[^>]*>', html, re.S)
    assert tag, html
    src = re.search(r'\ssrc="([^"]*)"', tag.group(0))
    return src.group(1) if src else None


async def test_signed_out_visitor_sees_the_dialog_before_the_call(
    browser: AsyncTestClient[Litestar], world: World
) -> None:
    consent_room(world)
    page = await browser.get("/r/standup")
    assert page.status_code == 200
    assert "<dialog" in page.text and 'value="given"' in page.text and 'value="refused"' in page.text
    assert iframe_src(page.text) is None  # the call waits for the answer
    meeting = next(iter(world.store.meetings.values()))
    assert meeting.host_room_url not in page.text and "token" not in (iframe_src(page.text) or "")
    assert "Stop recording" not in page.text
    cookie = next(
        v for k, v in page.headers.multi_items() if k == "set-cookie" and v.startswith("reflector_participant=")
    )
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    # Without JavaScript: the form posts the decision, the page comes back with the call and no question.
    reply = await browser.post(
        "/r/standup/consent",
        data={"_csrf_token": csrf_of(page.text), "meeting_id": meeting.id, "choice": "refused"},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    [decision] = world.store.consents
    assert decision.choice is ConsentChoice.REFUSED and decision.participant.startswith("guest-")
    again = await browser.get("/r/standup")
    assert "<dialog" not in again.text and iframe_src(again.text) == meeting.room_url
    assert "you refused" in again.text
    assert len(world.store.meetings) == 1


async def test_the_owner_joins_with_host_rights_and_decides_under_their_name(
    browser: AsyncTestClient[Litestar], world: World
) -> None:
    consent_room(world)
    await add_user(world)
    assert await sign_in(browser) == 303
    page = await browser.get("/r/standup")
    meeting = next(iter(world.store.meetings.values()))
    await browser.post(
        "/r/standup/consent", data={"_csrf_token": csrf_of(page.text), "meeting_id": meeting.id, "choice": "given"}
    )
    assert [(d.participant, d.choice) for d in world.store.consents] == [(OWNER, ConsentChoice.GIVEN)]
    page = await browser.get("/r/standup")
    src = iframe_src(page.text) or ""
    assert src.startswith(meeting.host_room_url) and "t=token-" in src


async def test_whereby_rooms_embed_with_parameters_and_say_who_starts_the_recording(
    browser: AsyncTestClient[Litestar], world: World
) -> None:
    world.store.rooms["w"] = Room("w", Platform.WHEREBY, RecordingKind.CLOUD, owner=OWNER, id="room-w")
    page = await browser.get("/r/w")
    src = iframe_src(page.text) or ""
    assert "embed" in src and "iframeSource=reflector" in src and "?host" not in src
    assert "Whereby records this room by itself" in page.text


async def test_room_administration_create_edit_meetings_delete(
    browser: AsyncTestClient[Litestar], world: World
) -> None:
    await add_user(world)
    await sign_in(browser)
    listing = await browser.get("/rooms")
    assert listing.status_code == 200
    created = await browser.post(
        "/rooms",
        data={
            "_csrf_token": csrf_of(listing.text),
            "name": "standup",
            "platform": "daily",
            "recording_kind": "raw-tracks",
            "consent_policy": "required",
            "webhook_url": "https://hooks.example/x",
            "webhook_secret": "k",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303 and created.headers["location"] == "/rooms/standup"
    room = world.store.rooms["standup"]
    assert (room.owner, room.webhook_url, room.consent_policy) == (
        OWNER,
        "https://hooks.example/x",
        ConsentPolicy.REQUIRED,
    )
    page = await browser.get("/rooms/standup")
    assert "hooks.example" not in page.text and "/r/standup" in page.text and "Copy link" in page.text
    await browser.post(
        "/rooms/standup",
        data={"_csrf_token": csrf_of(page.text), "consent_policy": "not-required", "clear_webhook_secret": "on"},
    )
    room = world.store.rooms["standup"]
    assert room.consent_policy is ConsentPolicy.NOT_REQUIRED and room.webhook_secret is None
    assert room.webhook_url == "https://hooks.example/x"
    assert room.language == "en"  # the server's default; its model (tiny.en) refuses the others, saying why
    refused = await browser.post("/rooms/standup", data={"_csrf_token": csrf_of(page.text), "language": "de"})
    assert refused.status_code == 422 and "English-only" in refused.text
    assert 'name="language" value="en"' in (await browser.get("/rooms/standup")).text
    bad = await browser.post("/rooms", data={"_csrf_token": csrf_of(page.text), "name": "bad name!"})
    assert bad.status_code == 422 and "invalid room name" in bad.text
    deleted = await browser.post(
        "/rooms/standup/delete", data={"_csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert deleted.status_code == 303 and "standup" not in world.store.rooms


async def test_others_rooms_are_not_found_and_admin_needs_sign_in(
    browser: AsyncTestClient[Litestar], world: World
) -> None:
    world.store.rooms["theirs"] = Room("theirs", Platform.DAILY, owner="mallory", id="room-t")
    assert (await browser.get("/rooms", follow_redirects=False)).status_code == 303
    await add_user(world)
    await sign_in(browser)
    assert (await browser.get("/rooms/theirs")).status_code == 404
    assert "theirs" not in (await browser.get("/rooms")).text
