"""Sign-in, sessions, CSRF and throttling, as a browser meets them."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from reflector_app.http import create_app
from reflector_app.settings import Settings, WebSettings
from reflector_app.web.session import SESSION_COOKIE
from reflector_core.model import TranscriptStatus
from reflector_core.throttle import LoginThrottle
from tests.api.conftest import OWNER, World, add_transcript, make_world

from .conftest import PASSWORD, add_user, csrf_of, make_web_app, sign_in


async def test_signed_out_browser_is_sent_to_signin(browser: AsyncTestClient[Litestar]) -> None:
    reply = await browser.get("/", follow_redirects=False)
    assert reply.status_code == 303
    assert reply.headers["location"] == "/signin?next=/"
    form = (await browser.get("/signin")).text
    assert 'name="username"' in form and 'name="password"' in form and 'name="_csrf_token"' in form


async def test_wrong_password_and_unknown_user_get_the_same_answer(
    browser: AsyncTestClient[Litestar], world: World
) -> None:
    await add_user(world)
    assert await sign_in(browser, password="wrong password!") == 401
    assert await sign_in(browser, name="nobody") == 401
    page = await browser.get("/signin")
    assert SESSION_COOKIE not in page.cookies


async def test_sign_in_sets_a_flagged_session_cookie_and_shows_the_library(
    browser: AsyncTestClient[Litestar], world: World
) -> None:
    await add_user(world)
    add_transcript(world)
    page = await browser.get("/signin")
    reply = await browser.post(
        "/signin",
        data={"username": OWNER, "password": PASSWORD, "_csrf_token": csrf_of(page.text), "next": "/"},
        follow_redirects=False,
    )
    assert reply.status_code == 303 and reply.headers["location"] == "/"
    cookie = next(v for k, v in reply.headers.multi_items() if k == "set-cookie" and v.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Secure" not in cookie
    library = await browser.get("/")
    assert library.status_code == 200 and "general" in library.text
    # The session is an owner for the JSON API too.
    assert (await browser.get("/v1/transcripts")).json()["total"] == 1


async def test_cookies_are_secure_behind_https() -> None:
    world = make_world()
    world.container.settings = Settings(web=WebSettings(public_url="https://reflector.example"))
    await add_user(world)
    async with AsyncTestClient(app=make_web_app(world), base_url="https://testserver.local") as c:
        page = await c.get("/signin")
        assert "Secure" in page.headers["set-cookie"]  # the CSRF cookie
        reply = await c.post(
            "/signin",
            data={"username": OWNER, "password": PASSWORD, "_csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        session = next(v for k, v in reply.headers.multi_items() if k == "set-cookie" and v.startswith(SESSION_COOKIE))
        assert "Secure" in session


async def test_signing_in_issues_a_new_session_id(browser: AsyncTestClient[Litestar], world: World) -> None:
    await add_user(world)
    planted = "a" * 64
    browser.cookies.set(SESSION_COOKIE, planted, domain="testserver.local")
    page = await browser.get("/signin")
    reply = await browser.post(
        "/signin",
        data={"username": OWNER, "password": PASSWORD, "_csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    issued = reply.cookies.get(SESSION_COOKIE)
    assert issued and issued != planted
    # The planted id gives nothing.
    async with AsyncTestClient(app=browser.app) as other:
        other.cookies.set(SESSION_COOKIE, planted)
        assert (await other.get("/", follow_redirects=False)).status_code == 303


async def test_forms_and_state_changing_requests_need_the_csrf_token(
    browser: AsyncTestClient[Litestar], world: World
) -> None:
    await add_user(world)
    await browser.get("/signin")
    reply = await browser.post("/signin", data={"username": OWNER, "password": PASSWORD}, follow_redirects=False)
    assert reply.status_code == 403
    assert await sign_in(browser) == 303
    t = add_transcript(world)
    # A session-authenticated JSON write without the header is refused; with it, it goes through.
    assert (await browser.patch(f"/v1/transcripts/{t.id}/participants/0", json={"name": "Bo"})).status_code == 403
    token = browser.cookies.get("csrftoken")
    assert token
    ok = await browser.patch(
        f"/v1/transcripts/{t.id}/participants/0", json={"name": "Bo"}, headers={"X-CSRFToken": token}
    )
    assert ok.status_code == 200, ok.text


async def test_api_keys_need_no_csrf_token(world: World) -> None:
    t = add_transcript(world)
    async with AsyncTestClient(app=make_web_app(world)) as c:
        reply = await c.patch(f"/v1/transcripts/{t.id}/participants/0", json={"name": "Bo"}, headers=world.auth)
        assert reply.status_code == 200


async def test_sign_out_ends_the_session_on_the_server(browser: AsyncTestClient[Litestar], world: World) -> None:
    await add_user(world)
    assert await sign_in(browser) == 303
    stolen = browser.cookies.get(SESSION_COOKIE)
    page = await browser.get("/")
    out = await browser.post("/signout", data={"_csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/signin"
    async with AsyncTestClient(app=browser.app) as other:
        other.cookies.set(SESSION_COOKIE, stolen or "")
        assert (await other.get("/", follow_redirects=False)).status_code == 303


async def test_repeated_failures_are_throttled(world: World) -> None:
    await add_user(world)
    async with AsyncTestClient(app=make_web_app(world, LoginThrottle(per_user=3))) as c:
        assert [await sign_in(c, password="wrong password!") for _ in range(3)] == [401, 401, 401]
        page = await c.get("/signin")
        reply = await c.post(
            "/signin",
            data={"username": OWNER, "password": PASSWORD, "_csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert reply.status_code == 429 and int(reply.headers["retry-after"]) > 0


async def test_next_only_goes_to_local_paths(browser: AsyncTestClient[Litestar], world: World) -> None:
    await add_user(world)
    page = await browser.get("/signin")
    reply = await browser.post(
        "/signin",
        data={"username": OWNER, "password": PASSWORD, "_csrf_token": csrf_of(page.text), "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert reply.headers["location"] == "/"


async def test_every_page_but_signin_needs_a_session(world: World) -> None:
    from litestar.routes import HTTPRoute

    app = make_web_app(world)
    pages = [
        r.path.replace("{transcript_id:str}", "x").replace("{name:str}", "x")
        for r in app.routes
        if isinstance(r, HTTPRoute) and any(h.opt.get("page") and "GET" in h.http_methods for h in r.route_handlers)
    ]
    assert "/" in pages and "/transcripts/x" in pages
    async with AsyncTestClient(app=app) as c:
        for path in pages:
            if path in ("/signin", "/r/{room:str}"):
                continue  # the room page is for everyone with the link (tests/web/test_room.py)
            if path.startswith("/s/{token:str}"):
                # A share link is its own credential: a wrong one is 404 (tests/api/test_sharing.py).
                assert (await c.get(path.replace("{token:str}", "x" * 43))).status_code == 404
                continue
            reply = await c.get(path, follow_redirects=False)
            assert reply.status_code == 303 and reply.headers["location"].startswith("/signin?next="), path


async def test_a_signed_in_event_stream_lives_until_sign_out(world: World) -> None:
    from reflector_app.http.live import LiveOptions
    from reflector_app.locks import LocalLocks
    from reflector_app.web.options import WebOptions

    from .conftest import HASHER

    await add_user(world)
    t = add_transcript(world, status=TranscriptStatus.PROCESSING)
    app = create_app(
        world.container,
        locks=LocalLocks(wait=5),
        live_options=LiveOptions(poll_seconds=0.01, max_seconds=0.3, key_check_seconds=0.05),
        web=WebOptions(hasher=HASHER),
    )
    async with AsyncTestClient(app=app) as c:
        assert await sign_in(c) == 303
        # Alive session: the stream runs to its time limit without "unauthorized".
        body = (await c.get(f"/v1/transcripts/{t.id}/events")).text
        assert "event: status" in body and "unauthorized" not in body
