"""Bad input that used to answer 500 (issue 17, item 4), and the traceback an unexpected error must leave.

Each case names what broke: Python's 4,300-digit limit on ``int(str)`` (a ``ValueError`` nobody caught),
an offset beyond SQLite's 64-bit integers, JSON nested deeper than the decoder's recursion limit.
"""

from __future__ import annotations

import logging

import attrs
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from reflector_core.model import TranscriptStatus
from tests.fakes.signing import daily_headers, whereby_headers

from .conftest import OWNER, World, add_meeting, add_transcript, make_app
from .test_abuse import DAILY_SECRET, DAILY_URL, WHEREBY_SECRET, WHEREBY_URL, now, real_world

HUGE = "9" * 5000
"""Longer than ``sys.get_int_max_str_digits()`` (4,300): ``int(HUGE)`` raises ``ValueError``."""


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.fixture
def world() -> World:
    world = real_world()
    # Room for a 4,301-digit number and 100,000 brackets (the shared worlds allow 4 KiB).
    world.container.settings = attrs.evolve(
        world.container.settings, http=attrs.evolve(world.container.settings.http, max_body_bytes=256 * 1024)
    )
    return world


@pytest.fixture
async def client(world: World) -> AsyncTestClient[Litestar]:
    async with AsyncTestClient(app=make_app(world)) as c:
        c.headers.update(world.auth)
        yield c


def _with_audio(world: World, size: int = 1000) -> str:
    transcript = add_transcript(world, audio_location="tr/audio.mp3")
    world.bucket.objects["tr/audio.mp3"] = bytes(size)
    return transcript.id or ""


@pytest.mark.parametrize(
    ("range_header", "status", "content_range"),
    [
        (f"bytes={HUGE}-", 416, "bytes */1000"),  # starts past the end, however far
        (f"bytes=0-{HUGE}", 206, "bytes 0-999/1000"),  # an end past the end is clamped
        (f"bytes=-{HUGE}", 206, "bytes 0-999/1000"),  # a suffix longer than the file is the whole file
        (f"bytes={HUGE}-{HUGE}", 416, "bytes */1000"),
    ],
)
async def test_a_range_with_a_5000_digit_number_is_answered_by_its_meaning(
    client: AsyncTestClient[Litestar], world: World, range_header: str, status: int, content_range: str
) -> None:
    tid = _with_audio(world)
    r = await client.get(f"/v1/transcripts/{tid}/audio.mp3", headers={"Range": range_header})
    assert (r.status_code, r.headers["content-range"]) == (status, content_range), r.text


@pytest.mark.parametrize("offset", ["9223372036854775808", "9223372036854775807", HUGE, "1000000001"])
async def test_an_offset_beyond_the_database_integers_is_400(client: AsyncTestClient[Litestar], offset: str) -> None:
    r = await client.get("/v1/transcripts", params={"offset": offset})
    assert r.status_code == 400, r.text
    assert "offset" in r.text


async def test_the_largest_offset_allowed_is_an_empty_page(client: AsyncTestClient[Litestar], world: World) -> None:
    add_transcript(world)
    r = await client.get("/v1/transcripts", params={"offset": "1000000000"})
    assert r.status_code == 200, r.text
    assert r.json()["items"] == []


@pytest.mark.parametrize("depth", [1_000, 100_000])
async def test_json_nested_deeply_is_400_on_every_body(
    client: AsyncTestClient[Litestar], world: World, depth: int
) -> None:
    add_meeting(world, "standup", id="mtg-1")
    tid = add_transcript(world).id
    json_headers = {"Content-Type": "application/json"}
    for method, url in [
        ("POST", "/v1/rooms"),
        ("PATCH", "/v1/rooms/standup"),
        ("POST", "/v1/meetings/mtg-1/consent"),
        ("PATCH", f"/v1/transcripts/{tid}/participants/0"),
    ]:
        r = await client.request(method, url, content=nested(depth), headers=json_headers)
        assert r.status_code == 400, (url, r.status_code, r.text[:200])
        assert r.headers["content-type"].startswith("application/json")
        assert "nested" in r.json()["detail"], r.text[:200]
    assert world.queue.jobs == []
    assert list(world.store.rooms) == ["standup", "general"]
    assert world.store.rooms["standup"].owner == OWNER


async def test_a_signed_webhook_with_a_4301_digit_integer_is_acknowledged_and_logged(
    client: AsyncTestClient[Litestar], world: World, caplog: pytest.LogCaptureFixture
) -> None:
    # Signed means it comes from the platform: a 4xx would count toward Daily's three-strikes breaker
    # for a payload no retry will fix, so it is answered 200 "ignored" and logged (docs/api.md).
    big = "1" * 4301
    daily = b'{"version":"1.0.0","type":"meeting.ended","id":"evt-big","event_ts":' + big.encode() + b"}"
    whereby = b'{"id":"w-big","type":"room.client.joined","createdAt":' + big.encode() + b"}"
    with caplog.at_level(logging.WARNING, logger="reflector_app.http.webhooks"):
        r = await client.post(DAILY_URL, content=daily, headers=daily_headers(DAILY_SECRET, now(world), daily))
        assert (r.status_code, r.json()) == (200, {"status": "ignored"})
        r = await client.post(
            WHEREBY_URL, content=whereby, headers=whereby_headers(WHEREBY_SECRET, now(world), whereby)
        )
        assert (r.status_code, r.json()) == (200, {"status": "ignored"})
    assert world.queue.jobs == []
    assert world.store.inbound_events == set()
    assert caplog.text.count("signed but not understood") == 2


async def test_an_unsigned_webhook_with_a_4301_digit_integer_is_401(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    body = b'{"id":' + b"1" * 4301 + b"}"
    for url in (DAILY_URL, WHEREBY_URL):
        assert (await client.post(url, content=body)).status_code == 401
    assert world.queue.jobs == []


async def test_a_path_speaker_with_5000_digits_is_not_a_500(client: AsyncTestClient[Litestar], world: World) -> None:
    tid = add_transcript(world, status=TranscriptStatus.DONE).id
    r = await client.patch(f"/v1/transcripts/{tid}/participants/{HUGE}", json={"name": "Bob"})
    assert r.status_code in (400, 404), r.text


class _BrokenRooms(dict[str, object]):
    def values(self) -> object:  # type: ignore[override]
        raise RuntimeError("the rooms adapter has a bug")


async def test_an_unexpected_error_is_a_json_500_and_its_traceback_is_logged(
    client: AsyncTestClient[Litestar], world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.store.rooms = _BrokenRooms()  # type: ignore[assignment]
    with caplog.at_level(logging.ERROR):
        r = await client.get("/v1/rooms")
    assert r.status_code == 500
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == {"status_code": 500, "detail": "internal error"}
    assert "adapter has a bug" not in r.text, "internal details stay in the log"
    assert [rec for rec in caplog.records if rec.levelno >= logging.ERROR and rec.exc_info], "logged with exc_info"
    assert "Traceback (most recent call last)" in caplog.text
    assert "RuntimeError: the rooms adapter has a bug" in caplog.text
    assert "GET /v1/rooms" in caplog.text
