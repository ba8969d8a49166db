"""``/signin`` and ``/signout``: the form posts ``username`` and ``password`` (and the CSRF token)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from reflector_app.container import UnitOfWorkFactory
from reflector_app.web.options import WebOptions
from reflector_app.web.pages import HTML, PAGE, safe_next
from reflector_app.web.session import begin_session, end_session, session_owner
from reflector_core.errors import AuthenticationError, ThrottledError
from reflector_core.ports import Clock
from reflector_core.usecases.accounts import sign_in


def _form(next_path: str, *, error: str | None = None, username: str = "", status: int = 200) -> Template:
    return Template(
        template_name="signin.html",
        context={"next": next_path, "error": error, "username": username, "title": "Sign in"},
        status_code=status,
        media_type=HTML,
    )


@get("/signin", opt=PAGE, include_in_schema=False)
async def signin_page(request: Request[Any, Any, Any], next: FromQuery[str | None] = None) -> Response[Any]:
    if session_owner(request) is not None:
        return Redirect(safe_next(next), status_code=303)
    return _form(safe_next(next))


@post("/signin", opt=PAGE, include_in_schema=False)
async def signin_submit(
    request: Request[Any, Any, Any],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    clock: NamedDependency[Clock],
    web: NamedDependency[WebOptions],
) -> Response[Any]:
    form = await request.form()
    username = str(form.get("username") or "")
    password = str(form.get("password") or "")
    next_path = safe_next(str(form.get("next") or "/"))
    client = request.client.host if request.client else "unknown"
    try:
        user = await sign_in(
            username,
            password,
            client=client,
            unit_of_work=unit_of_work,
            hasher=web.hasher,
            throttle=web.throttle,
            clock=clock,
        )
    except ThrottledError as exc:
        page = _form(next_path, error=str(exc), username=username, status=429)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except AuthenticationError:
        return _form(next_path, error="Wrong username or password.", username=username, status=401)
    begin_session(request, user.owner)
    return Redirect(next_path, status_code=303)


@post("/signout", opt=PAGE, include_in_schema=False)
async def signout(request: Request[Any, Any, Any]) -> Redirect:
    end_session(request)
    return Redirect("/signin", status_code=303)


handlers = [signin_page, signin_submit, signout]
