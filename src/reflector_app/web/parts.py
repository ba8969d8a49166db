"""Everything the web pages add to the Litestar app: templates, static files, sessions, CSRF, page routes.

Layout (see docs/web.md): ``templates/`` (Jinja2, autoescaped), ``static/`` (CSS and ES modules,
served from ``/static`` with a content-hash query and a year-long ``Cache-Control``), one module per
page group (``signin.py``, ``library.py``, ``reader.py``, …) whose ``handlers`` are listed in
``PAGE_MODULES``. ``web_parts`` hands ``create_app`` everything it must add to the Litestar app.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from attrs import frozen
from litestar import Router
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.template.config import TemplateConfig
from litestar.types import ControllerRouterHandler
from markupsafe import Markup, escape

from reflector_app.http.auth import PUBLIC
from reflector_app.settings import Settings
from reflector_app.web import editing, keys, library, reader, room, rooms_admin, shared, sharing, signin, uploads
from reflector_app.web.options import WebOptions
from reflector_app.web.pages import page_exception_handlers, provide_viewer
from reflector_app.web.session import SESSION_STORE, csrf_middleware, session_config, session_store

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
ONE_YEAR = 365 * 24 * 3600

PAGE_MODULES: Sequence[Any] = (signin, library, reader, editing, room, rooms_admin, sharing, shared, uploads, keys)
"""Modules whose ``handlers`` are pages (added to the one page router)."""


def asset_version(directory: Path = STATIC) -> str:
    """A hash of every static file: URLs carry it, so a year-long cache never serves a stale asset."""
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(directory).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    version = asset_version()

    def register(engine: JinjaTemplateEngine) -> None:
        engine.engine.globals["static"] = lambda path: f"/static/{path}?v={version}"
        engine.engine.filters["highlight"] = highlight

    return TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine, engine_callback=register)


_WORD = re.compile(r"\w+", re.UNICODE)


def highlight(text: str, wanted: Sequence[str]) -> Markup:
    """``text`` escaped, with the words of ``wanted`` wrapped in ``<mark>`` (built from escaped pieces only)."""
    out, at = [], 0
    for m in _WORD.finditer(text):
        if m.group().casefold() in wanted:
            out += [escape(text[at : m.start()]), Markup("<mark>"), escape(m.group()), Markup("</mark>")]
            at = m.end()
    out.append(escape(text[at:]))
    return Markup("").join(out)


@frozen
class WebParts:
    route_handlers: list[ControllerRouterHandler]
    middleware: list[DefineMiddleware]
    """Outermost first: sessions, then CSRF; ``create_app`` puts the API-key middleware after them."""
    stores: dict[str, Store]
    template_config: TemplateConfig[JinjaTemplateEngine]
    dependencies: dict[str, Provide]


def secure_cookies(settings: Settings) -> bool:
    """Cookies are ``Secure`` when people reach the service over https (``REFLECTOR_PUBLIC_URL``)."""
    return (settings.web.public_url or "").startswith("https://")


def web_parts(settings: Settings, options: WebOptions | None = None) -> WebParts:
    secure = secure_cookies(settings)
    chosen = options or WebOptions()

    def provide_web() -> WebOptions:
        return chosen

    pages = Router(
        path="/",
        route_handlers=[h for module in PAGE_MODULES for h in module.handlers],
        exception_handlers=page_exception_handlers(),
        dependencies={"viewer": Provide(provide_viewer)},
        include_in_schema=False,
    )
    static = create_static_files_router(
        path="/static",
        directories=[STATIC],
        cache_control=CacheControlHeader(max_age=ONE_YEAR, public=True),
        opt=PUBLIC,
        include_in_schema=False,
    )
    return WebParts(
        route_handlers=[pages, static],
        middleware=[
            session_config(secure=secure).middleware,
            csrf_middleware(secret=settings.web.secret, secure=secure),
        ],
        stores={SESSION_STORE: session_store(settings.queue.redis_url)},
        template_config=template_config(),
        dependencies={
            "web": Provide(provide_web, sync_to_thread=False),
            "secure_cookies": Provide(lambda: secure, sync_to_thread=False),
        },
    )
