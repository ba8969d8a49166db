"""The OpenAPI document tells the truth: schemathesis calls every operation with generated requests
(valid and invalid) and checks each answer against the document: status code documented, media type,
body schema, headers, no 500. Bounded: a fixed number of examples per operation, derandomised."""

from __future__ import annotations

import re
from typing import Any

import attrs
import schemathesis
from hypothesis import HealthCheck, settings
from litestar.testing import AsyncTestClient
from schemathesis.checks import allow_header_conformance

from reflector_app.http.audio import waveform_key
from reflector_app.http.auth import PUBLIC_OPT
from reflector_app.settings import HttpSettings

from .conftest import World, add_meeting, add_transcript, make_app, make_world

EXAMPLES = 25


def _world() -> World:
    world = make_world()
    # The default body limit: the shared worlds' 4 KiB is less than the document's longest fields.
    world.container.settings = attrs.evolve(
        world.container.settings,
        http=attrs.evolve(world.container.settings.http, max_body_bytes=HttpSettings().max_body_bytes),
    )
    add_meeting(world, "standup", id="mtg-1")
    done = add_transcript(world, id="tr-1", audio_location="tr-1/audio.mp3")
    world.bucket.objects[done.audio_location or ""] = b"\xff\xfb" + bytes(4000)
    world.bucket.objects[waveform_key(done.audio_location or "")] = b'{"peaks": [0.0, 0.5, 1.0]}'
    return world


WORLD = _world()
# A schema-valid body may still break a domain rule (a room name with a dot, an ftp:// webhook URL):
# that is a documented 422, not a rejected valid request.
CONFIG = schemathesis.Config.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "401", "404", "409", "422"]}}}
)
schema = schemathesis.openapi.from_asgi("/schema/openapi.json", make_app(WORLD), config=CONFIG)


@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_matches_the_document(case: schemathesis.Case) -> None:
    # Allow on OPTIONS: Litestar builds one OPTIONS handler per path from the first handler registered on
    # it (``Allow: OPTIONS, POST`` on /v1/rooms, which also has GET); OPTIONS is not in the document.
    case.call_and_validate(headers=WORLD.auth, excluded_checks=[allow_header_conformance])


def _document() -> dict[str, Any]:
    return make_app(make_world()).openapi_schema.to_schema()


def _public_paths() -> set[str]:
    """Paths served without an API key (``opt=PUBLIC``), spelled as in the document."""
    app = make_app(make_world())
    return {
        re.sub(r"{(\w+):\w+}", r"{\1}", route.path)
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if handler.opt.get(PUBLIC_OPT)
    }


def test_the_document_names_the_bodies_and_errors_of_each_route() -> None:
    paths = _document()["paths"]
    public = _public_paths()
    assert {"/v1/daily/webhook", "/health"} <= public
    for path, operations in paths.items():
        for method, operation in operations.items():
            if path not in public:
                assert "401" in operation["responses"], (method, path)
            if "{" in path:
                assert "404" in operation["responses"], (method, path)
            if "requestBody" in operation:
                assert {"400", "408", "413"} <= set(operation["responses"]), (method, path)
    transcript = "/v1/transcripts/{transcript_id}"
    for suffix in ("/export.json", "/waveform"):
        assert (
            paths[transcript + suffix]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["type"]
            == "object"
        ), suffix
    audio = paths[transcript + "/audio.mp3"]["get"]["responses"]
    assert list(audio["200"]["content"]) == list(audio["206"]["content"]) == ["audio/mpeg"]
    assert "416" in audio
    assert list(paths[transcript + "/export.vtt"]["get"]["responses"]["200"]["content"]) == ["text/vtt"]
    body = _document()["components"]["schemas"]["RoomCreate"]
    assert body["additionalProperties"] is False


async def test_exports_say_their_charset_once_and_errors_are_json() -> None:
    world = make_world()
    tid = add_transcript(world).id
    async with AsyncTestClient(app=make_app(world)) as client:
        client.headers.update(world.auth)
        for fmt, media_type in [
            ("vtt", "text/vtt; charset=utf-8"),
            ("txt", "text/plain; charset=utf-8"),
            ("srt", "application/x-subrip; charset=utf-8"),
            ("json", "application/json"),
        ]:
            r = await client.get(f"/v1/transcripts/{tid}/export.{fmt}")
            assert (r.status_code, r.headers["content-type"]) == (200, media_type), fmt
            bad = await client.get(f"/v1/transcripts/{'x' * 201}/export.{fmt}")  # over the id's max length
            assert (bad.status_code, bad.headers["content-type"]) == (400, "application/json"), fmt
            assert bad.json()["status_code"] == 400
            missing = await client.get(f"/v1/transcripts/nope/export.{fmt}")
            assert (missing.status_code, missing.headers["content-type"]) == (404, "application/json"), fmt
        assert isinstance((await client.get(f"/v1/transcripts/{tid}/export.json")).json(), dict)
