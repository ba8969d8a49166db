"""What the OpenAPI document says each route answers besides its success: one place for the error body,
what each status means, and the success bodies Litestar cannot infer (raw JSON objects, audio, text).

Handlers pass ``responses=documented(...)``; ``tests/api/test_openapi.py`` (schemathesis) checks that
every answer the app gives is one the document names, with that media type and body schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import msgspec
from litestar import Litestar
from litestar.openapi.datastructures import ResponseSpec


class ErrorBody(msgspec.Struct, kw_only=True):
    """Every error answer: ``{"status_code": 404, "detail": "transcript not found: tr-9"}``."""

    status_code: int
    detail: str
    extra: dict[str, Any] | list[Any] | None = None
    """Only on 400: one entry per field that failed the schema check."""


WHEN: Mapping[int, str] = {
    400: "The request does not match the schema (bad JSON, wrong type, unknown field, parameter out of bounds)",
    401: "No API key, or a malformed, unknown or revoked one (webhooks: the signature does not verify)",
    404: "No such resource, or one of another owner",
    408: "The request body did not arrive in time; the connection is closed",
    409: "A uniqueness rule or the transcript's status forbids it",
    413: "The body is larger than REFLECTOR_MAX_BODY_BYTES",
    416: "The Range is malformed or outside the audio (Content-Range: bytes */size)",
    422: "Well-formed but breaks a domain rule",
    429: "Too many requests from this address or token (Retry-After says when to try again)",
    502: "The video platform failed",
    503: "A dependency (platform, storage, queue, lock) is unavailable",
}

AUTH = (401,)
"""Every route behind an API key."""
BODY = (400, 408, 413)
"""Every route that reads a request body."""


def documented(*codes: int, ok: Mapping[int, ResponseSpec] | None = None) -> dict[int, ResponseSpec]:
    """The error answers ``codes`` (with the shared error body), plus success answers ``ok`` replacing the
    ones Litestar infers from the return annotation."""
    specs = {code: ResponseSpec(ErrorBody, description=WHEN[code], generate_examples=False) for code in sorted(codes)}
    return {**specs, **(ok or {})}


def body(status: int, container: Any, media_type: str, description: str) -> dict[int, ResponseSpec]:
    """A success answer whose body Litestar cannot see: raw bytes that are a JSON object, audio or text."""
    return {status: ResponseSpec(container, description=description, media_type=media_type, generate_examples=False)}


def forbid_unknown_fields(app: Litestar) -> None:
    """Say ``additionalProperties: false`` for the bodies that refuse unknown fields (Litestar's generated
    schema leaves them open, so a client reading the document would expect extras to pass)."""
    components = app.openapi_schema.components.schemas or {}
    for struct in _structs(msgspec.Struct):
        schema = components.get(struct.__name__)
        if struct.__struct_config__.forbid_unknown_fields and schema is not None:
            schema.additional_properties = False


def _structs(root: type[msgspec.Struct]) -> Iterable[type[msgspec.Struct]]:
    for sub in root.__subclasses__():
        yield sub
        yield from _structs(sub)
