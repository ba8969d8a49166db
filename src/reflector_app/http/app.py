"""The Litestar application: ``create_app(container)``."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from litestar import Litestar
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin

from reflector_app.container import Container
from reflector_app.http import (
    audio,
    deliveries,
    editing,
    health,
    keys,
    live,
    meetings,
    notes,
    participation,
    recording,
    rooms,
    sharing,
    transcripts,
    uploads,
    webhooks,
)
from reflector_app.http.auth import api_key_middleware
from reflector_app.http.errors import exception_handlers
from reflector_app.http.identity import provide_user
from reflector_app.http.live import LiveOptions
from reflector_app.http.openapi import forbid_unknown_fields
from reflector_app.http.requests import BoundedJsonRequest
from reflector_app.http.slow_clients import BodyDeadline
from reflector_app.locks import Locks
from reflector_app.web.options import WebOptions

SCHEMA_PATH = "/schema"
STREAMED_BODIES = ("/v1/uploads",)
"""Bodies too large for one deadline (uploads): each read gets its own instead."""
DESCRIPTION = "Speaker-attributed transcripts of Daily.co and Whereby meetings."

API_MODULES = (
    webhooks,
    rooms,
    meetings,
    recording,
    participation,
    transcripts,
    sharing,
    editing,
    uploads,
    keys,
    notes,
    audio,
    live,
    deliveries,
    health,
)
"""Every API module's ``handlers``: adding a route module is one entry here."""


def create_app(
    container: Container,
    *,
    locks: Locks | None = None,
    live_options: LiveOptions | None = None,
    debug: bool = False,
    web: WebOptions | None = None,
) -> Litestar:
    """The HTTP API over ``container``.

    ``locks`` defaults to the container's (Redis when ``redis_url`` is set, else in-process);
    ``live_options`` tunes the server-sent status stream; ``web`` the pages' password hasher and throttle. OpenAPI is served under ``/schema``.
    Every route except the webhooks, the health probes and the OpenAPI document needs an API key of
    ``container.unit_of_work``'s ``api_keys`` repository (see ``http/auth.py``).
    """
    options = live_options or LiveOptions(
        key_check_seconds=container.settings.http.stream_key_check_seconds, progress=container.progress
    )
    # Imported here: the page modules import http.auth, which would otherwise import this module back.
    from reflector_app.web.parts import web_parts

    pages = web_parts(container.settings, web)
    app = Litestar(
        route_handlers=[*(h for module in API_MODULES for h in module.handlers), *pages.route_handlers],
        dependencies={
            **dependencies(container, locks=locks or container.locks, live=options),
            "user": Provide(provide_user),
            **pages.dependencies,
        },
        # Body deadline outermost; then sessions and CSRF: the API-key middleware falls back to the session's user.
        middleware=[
            DefineMiddleware(
                BodyDeadline, seconds=container.settings.http.request_read_timeout_seconds, streamed=STREAMED_BODIES
            ),
            *pages.middleware,
            api_key_middleware(container.unit_of_work, schema_path=SCHEMA_PATH),
        ],
        template_config=pages.template_config,
        stores=pages.stores,
        exception_handlers=exception_handlers(),
        request_class=BoundedJsonRequest,
        request_max_body_size=container.settings.http.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Reflector",
            version="0.1.0",
            description=DESCRIPTION,
            path=SCHEMA_PATH,
            render_plugins=[SwaggerRenderPlugin()],
        ),
        debug=debug,
    )
    forbid_unknown_fields(app)
    app.state.container = container
    return app


def participant_key(container: Container) -> bytes:
    """The key participant tokens are signed with: derived from ``web_secret`` (its own purpose, so a
    participant token can never pass for a CSRF token or the reverse), else one random key per process."""
    configured = container.settings.web.secret
    if not configured:
        return secrets.token_bytes(32)
    return hmac.new(configured.encode(), b"reflector participant tokens v1", hashlib.sha256).digest()


def _value(value: Any) -> Provide:
    def provide() -> Any:
        return value

    return Provide(provide, sync_to_thread=False, use_cache=True)


def dependencies(container: Container, *, locks: Locks, live: LiveOptions) -> dict[str, Provide]:
    """One dependency per part a handler may name: handlers take exactly what they use, never the container."""
    parts: dict[str, Any] = {
        "unit_of_work": container.unit_of_work,
        "clock": container.clock,
        "queue": container.queue,
        "platforms": container.platforms,
        "languages": container.languages,
        "webhooks": container.webhooks,
        "transcript_bucket": container.transcript_bucket,
        "sources": container.recording_sources,
        "health_checks": container.health_checks,
        "recording_control": container.recording_control,
        "locks": locks,
        "limiter": container.limiter,
        "participant_key": participant_key(container),
        "live": live,
        "public_url": container.settings.web.public_url,
        "settings": container.settings,
    }
    return {name: _value(value) for name, value in parts.items()}
