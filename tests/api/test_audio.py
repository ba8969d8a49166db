"""The mixed audio with HTTP Range support, and the waveform stored next to it."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from reflector_app.http import audio as audio_module

from .conftest import World, add_transcript

KEY = "transcripts/t1/audio.mp3"
DATA = bytes(range(256)) * 4  # 1024 bytes


@pytest.fixture
def url(world: World) -> str:
    world.bucket.objects[KEY] = DATA
    t = add_transcript(world, audio_location=KEY)
    return f"/v1/transcripts/{t.id}/audio.mp3"


async def test_whole_file(client: AsyncTestClient[Litestar], url: str) -> None:
    r = await client.get(url)
    assert r.status_code == 200
    assert r.content == DATA
    assert r.headers["content-type"] == "audio/mpeg"
    assert r.headers["accept-ranges"] == "bytes"
    assert r.headers["content-length"] == str(len(DATA))


async def test_whole_file_streams_in_chunks(
    client: AsyncTestClient[Litestar], url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audio_module, "CHUNK", 100)
    assert (await client.get(url)).content == DATA


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-9", 0, 9),  # first bytes
        ("bytes=1000-", 1000, 1023),  # open-ended
        ("bytes=-24", 1000, 1023),  # suffix
        ("bytes=-5000", 0, 1023),  # suffix longer than the file
        ("bytes=1020-5000", 1020, 1023),  # end clamped to the size
        ("bytes=5-5", 5, 5),
    ],
)
async def test_ranges(client: AsyncTestClient[Litestar], url: str, header: str, start: int, end: int) -> None:
    r = await client.get(url, headers={"Range": header})
    assert r.status_code == 206
    assert r.content == DATA[start : end + 1]
    assert r.headers["content-range"] == f"bytes {start}-{end}/{len(DATA)}"
    assert r.headers["content-length"] == str(end - start + 1)
    assert r.headers["accept-ranges"] == "bytes"


@pytest.mark.parametrize("header", ["bytes=2000-", "bytes=1024-1030", "bytes=9-3", "bytes=-0", "bytes=x-y", "bytes=-"])
async def test_unsatisfiable_ranges_are_416(client: AsyncTestClient[Litestar], url: str, header: str) -> None:
    r = await client.get(url, headers={"Range": header})
    assert r.status_code == 416
    assert r.headers["content-range"] == f"bytes */{len(DATA)}"


@pytest.mark.parametrize("header", ["items=0-5", "bytes=0-1,5-6", "garbage"])
async def test_ranges_we_do_not_serve_get_the_whole_file(
    client: AsyncTestClient[Litestar], url: str, header: str
) -> None:
    r = await client.get(url, headers={"Range": header})
    assert r.status_code == 200
    assert r.content == DATA


async def test_deleted_absent_or_missing_audio_is_404(client: AsyncTestClient[Litestar], world: World) -> None:
    deleted = add_transcript(world, audio_location=KEY, audio_deleted=True)
    never = add_transcript(world)
    lost = add_transcript(world, audio_location="transcripts/lost/audio.mp3")
    for t in (deleted, never, lost):
        assert (await client.get(f"/v1/transcripts/{t.id}/audio.mp3")).status_code == 404
    assert (await client.get("/v1/transcripts/nope/audio.mp3")).status_code == 404


async def test_waveform_is_read_next_to_the_audio(client: AsyncTestClient[Litestar], world: World) -> None:
    world.bucket.objects["transcripts/t1/waveform.json"] = b'{"peaks":[0.1,0.5],"peaks_per_second":10}'
    t = add_transcript(world, audio_location=KEY)
    r = await client.get(f"/v1/transcripts/{t.id}/waveform")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == {"peaks": [0.1, 0.5], "peaks_per_second": 10}


async def test_waveform_404s(client: AsyncTestClient[Litestar], world: World) -> None:
    no_audio = add_transcript(world)
    no_file = add_transcript(world, audio_location="elsewhere/audio.mp3")
    for t in (no_audio, no_file):
        assert (await client.get(f"/v1/transcripts/{t.id}/waveform")).status_code == 404


def test_waveform_key() -> None:
    assert audio_module.waveform_key("a/b/audio.mp3") == "a/b/waveform.json"
    assert audio_module.waveform_key("audio.mp3") == "waveform.json"
