"""The Litestar application: ``create_app(container)``."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable

from litestar import Litestar
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin

from reflector_app.container import Container
from reflector_app.http import (
    audio,
    deliveries,
    health,
    live,
    meetings,
    participation,
    recording,
    rooms,
    transcripts,
    webhooks,
)
from reflector_app.http.auth import api_key_middleware
from reflector_app.http.errors import exception_handlers
from reflector_app.http.identity import provide_user
from reflector_app.http.live import LiveOptions
from reflector_app.http.requests import BoundedJsonRequest
from reflector_app.http.slow_clients import BodyDeadline
from reflector_app.locks import Locks, locks_for
from reflector_app.ratelimit import RateLimiter, rate_limiter_for
from reflector_app.web.options import WebOptions
from reflector_app.web.parts import web_parts

SCHEMA_PATH = "/schema"


def create_app(
    container: Container,
    *,
    locks: Locks | None = None,
    live_options: LiveOptions | None = None,
    debug: bool = False,
    web: WebOptions | None = None,
) -> Litestar:
    """The HTTP API over ``container``.

    ``locks`` defaults to what the settings call for (Redis when ``redis_url`` is set, else in-process);
    ``live_options`` tunes the server-sent status stream; ``web`` the pages' password hasher and throttle. OpenAPI is served under ``/schema``.
    Every route except the webhooks, the health probes and the OpenAPI document needs an API key of
    ``container.unit_of_work``'s ``api_keys`` repository (see ``http/auth.py``).
    """
    on_shutdown: list[Callable[[], Awaitable[None]]] = []
    if locks is None:
        locks, close = locks_for(container.settings)
        if close is not None:
            on_shutdown.append(close)
    chosen_locks = locks
    limiter, close_limiter = rate_limiter_for(container.settings)
    if close_limiter is not None:
        on_shutdown.append(close_limiter)
    key = participant_key(container)
    chosen_live = live_options or LiveOptions(key_check_seconds=container.settings.stream_key_check_seconds)
    pages = web_parts(container.settings, web)

    def provide_container() -> Container:
        return container

    def provide_locks() -> Locks:
        return chosen_locks

    def provide_live() -> LiveOptions:
        return chosen_live

    def provide_limiter() -> RateLimiter:
        return limiter

    def provide_key() -> bytes:
        return key

    app = Litestar(
        route_handlers=[
            *webhooks.handlers,
            *rooms.handlers,
            *meetings.handlers,
            *recording.handlers,
            *participation.handlers,
            *transcripts.handlers,
            *audio.handlers,
            *live.handlers,
            *deliveries.handlers,
            *health.handlers,
            *pages.route_handlers,
        ],
        dependencies={
            "container": Provide(provide_container, sync_to_thread=False),
            "locks": Provide(provide_locks, sync_to_thread=False),
            "live": Provide(provide_live, sync_to_thread=False),
            "limiter": Provide(provide_limiter, sync_to_thread=False),
            "participant_key": Provide(provide_key, sync_to_thread=False),
            "user": Provide(provide_user),
            **pages.dependencies,
        },
        # Body deadline outermost; then sessions and CSRF: the API-key middleware falls back to the session's user.
        middleware=[
            DefineMiddleware(BodyDeadline, seconds=container.settings.request_read_timeout_seconds),
            *pages.middleware,
            api_key_middleware(container.unit_of_work, schema_path=SCHEMA_PATH),
        ],
        template_config=pages.template_config,
        stores=pages.stores,
        exception_handlers=exception_handlers(),
        request_class=BoundedJsonRequest,
        request_max_body_size=container.settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Reflector",
            version="0.1.0",
            description="Speaker-attributed transcripts of Daily.co and Whereby meetings.",
            path=SCHEMA_PATH,
            render_plugins=[SwaggerRenderPlugin()],
        ),
        on_shutdown=on_shutdown,
        debug=debug,
    )
    app.state.container = container
    return app


def participant_key(container: Container) -> bytes:
    """The key participant tokens are signed with: derived from ``web_secret`` (its own purpose, so a
    participant token can never pass for a CSRF token or the reverse), else one random key per process."""
    configured = container.settings.web_secret
    if not configured:
        return secrets.token_bytes(32)
    return hmac.new(configured.encode(), b"reflector participant tokens v1", hashlib.sha256).digest()
