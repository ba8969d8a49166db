"""Browser sessions and CSRF, from Litestar's own middleware with two adjustments.

- **Server-side sessions** (``reflector_session`` cookie: HttpOnly, SameSite=Lax, Secure when the
  public URL is https). The cookie holds only a random 256-bit id; the data sits in a Litestar store
  (in memory on embedded, Redis when ``REFLECTOR_REDIS_URL`` is set), so sign-out ends it everywhere.
  Signing in always issues a **new** id and deletes the old one (no session fixation).
- **CSRF** (Litestar's double-submit token: ``csrftoken`` cookie + ``_csrf_token`` form field or
  ``X-CSRFToken`` header) on every unsafe request that a browser could forge: each page form, and
  every request carrying the session cookie. Other API calls carry no ambient credential (an API key
  must be sent explicitly, which a cross-site form cannot do), so they are not checked; nor are the
  platform webhooks (they carry their own signatures).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any, Final

from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.exceptions import PermissionDeniedException
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.types import Message, Receive, Scope, Send
from litestar.types.asgi_types import ScopeSession
from litestar.utils.dataclass import extract_dataclass_items

SESSION_COOKIE: Final = "reflector_session"
CSRF_COOKIE: Final = "csrftoken"
CSRF_HEADER: Final = "x-csrftoken"
SESSION_STORE: Final = "sessions"
OWNER_KEY: Final = "owner"
_ROTATE: Final = "_rotate"
PAGE_OPT: Final = "page"
"""``opt`` key marking a page handler (``web.pages.PAGE`` sets it)."""
SESSION_SECONDS: Final = 12 * 3600
WEBHOOK_PATHS: Final = [r"^/v1/[a-z]+/webhook$"]


class RotatingSessionBackend(ServerSideSessionBackend):
    """Litestar's server-side backend, plus: a session marked by ``begin_session`` gets a fresh id."""

    async def store_in_message(self, scope_session: ScopeSession, message: Message, connection: ASGIConnection) -> None:  # type: ignore[type-arg]
        if not scope_session and not connection.cookies.get(self.config.key):
            # An anonymous visitor: no store entry and no cookie (Litestar would make one per request).
            return
        if not (isinstance(scope_session, dict) and scope_session.pop(_ROTATE, False)):
            await super().store_in_message(scope_session, message, connection)
            return
        store = self.config.get_store_from_app(connection.scope["app"])
        old = connection.cookies.get(self.config.key)
        if old:
            await self.delete(old, store=store)
        new_id = self.generate_session_id()
        await self.set(new_id, self.serialize_data(scope_session, connection.scope), store=store)
        params = dict(extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys()))
        MutableScopeHeaders.from_message(message).add(
            "Set-Cookie", Cookie(value=new_id, key=self.config.key, **params).to_header(header="")
        )


class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend


def session_config(*, secure: bool) -> RotatingSessionConfig:
    return RotatingSessionConfig(
        key=SESSION_COOKIE,
        store=SESSION_STORE,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=secure,
        # Webhooks and health probes never need a session: no store round trip for them.
        exclude=[*WEBHOOK_PATHS, r"^/(health|ready)$", r"^/static/"],
    )


def session_store(redis_url: str | None) -> Store:
    if redis_url is None:
        return MemoryStore()
    from litestar.stores.redis import RedisStore

    return RedisStore.with_client(url=redis_url, namespace="reflector-sessions")


class CsrfForBrowsers(CSRFMiddleware):
    """Checks what a forged cross-site request could abuse: anything carrying the session cookie, and
    every page form (sign-in included, against login CSRF). API calls without the session cookie carry
    no ambient credential (a key must be sent explicitly), so there is nothing to forge."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", []))
        cookies = headers.get(b"cookie", b"").decode("latin-1")
        handler = scope.get("route_handler")
        page = bool(handler is not None and handler.opt.get(PAGE_OPT))
        if not page and f"{SESSION_COOKIE}=" not in cookies:
            await self.app(scope, receive, send)
            return
        content_type = headers.get(b"content-type", b"").lower()
        if content_type.startswith(b"multipart/") and self.config.header_name.lower().encode() not in headers:
            # Litestar would look for the token in the form, reading a whole upload into memory first.
            raise PermissionDeniedException("CSRF token verification failed: send it in the X-CSRFToken header")
        await super().__call__(scope, receive, send)


def csrf_middleware(*, secret: str | None, secure: bool) -> DefineMiddleware:
    config = CSRFConfig(
        # Processes of one deployment must share the secret (REFLECTOR_WEB_SECRET); a random one suits one process.
        secret=secret or secrets.token_hex(32),
        cookie_name=CSRF_COOKIE,
        header_name=CSRF_HEADER,
        cookie_secure=secure,
        cookie_samesite="lax",
        exclude=WEBHOOK_PATHS,
    )
    return DefineMiddleware(CsrfForBrowsers, config=config)


def session_owner(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The signed-in owner of this request's session, if any."""
    session = connection.scope.get("session")
    owner = session.get(OWNER_KEY) if isinstance(session, dict) else None
    return owner if isinstance(owner, str) and owner else None


def session_alive(connection: ASGIConnection[Any, Any, Any, Any]) -> Callable[[], Awaitable[bool]] | None:
    """For a long-lived response: whether the request's session still exists (``None`` without one)."""
    session_id = connection.cookies.get(SESSION_COOKIE)
    if session_owner(connection) is None or not session_id:
        return None
    store = connection.app.stores.get(SESSION_STORE)

    async def alive() -> bool:
        return await store.exists(session_id)

    return alive


def begin_session(connection: ASGIConnection[Any, Any, Any, Any], owner: str) -> None:
    connection.set_session({OWNER_KEY: owner, _ROTATE: True})


def end_session(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    connection.clear_session()
