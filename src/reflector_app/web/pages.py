"""What every page handler shares: who is signed in, HTML errors, template rendering.

Pages are public to the API-key middleware (``opt=PAGE``) and check the browser session themselves:
a signed-out browser is redirected to ``/signin`` instead of getting a 401 JSON body. Everything a
page does goes through the same core use cases as the JSON routes, with the signed-in user as the owner.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import quote

from litestar import Request, Response
from litestar.response import Redirect, Template
from litestar.types import ExceptionHandlersMap

from reflector_app.http.auth import PUBLIC_OPT
from reflector_app.web.session import PAGE_OPT, session_owner
from reflector_core.errors import ConflictError, InvalidInputError, NotFoundError

PAGE: Final[dict[str, Any]] = {PUBLIC_OPT: True, PAGE_OPT: True}
"""``opt`` of a page handler: no API key asked; the handler asks for ``viewer`` (the session's owner)."""

HTML: Final = "text/html; charset=utf-8"


class SignInRequired(Exception):
    """A page was asked for without a signed-in session."""


async def provide_viewer(request: Request[Any, Any, Any]) -> str:
    owner = session_owner(request)
    if owner is None:
        raise SignInRequired
    return owner


def safe_next(value: str | None) -> str:
    """A local path to return to after signing in; anything else (``//evil``, ``https://…``) becomes ``/``."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _to_signin(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"/signin?next={quote(here, safe='/')}", status_code=303)


def _error_page(status: int, title: str) -> Any:
    def handle(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        return Template(
            template_name="error.html",
            context={"title": title, "detail": str(exc) if status != 404 else "", "status": status},
            status_code=status,
            media_type=HTML,
        )

    return handle


def page_exception_handlers() -> ExceptionHandlersMap:
    """HTML answers for pages: sign in, not found (also for others' transcripts), conflict, bad input."""
    return {
        SignInRequired: _to_signin,
        NotFoundError: _error_page(404, "Not found"),
        ConflictError: _error_page(409, "Not possible right now"),
        InvalidInputError: _error_page(422, "That did not work"),
    }
