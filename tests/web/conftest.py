"""The web pages over in-memory fakes (the same world as the HTTP API's tests) with a fast password hasher."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from reflector_adapters.passwords import Argon2Hasher
from reflector_app.http import create_app
from reflector_app.http.live import LiveOptions
from reflector_app.locks import LocalLocks
from reflector_app.web.options import WebOptions
from reflector_core.throttle import LoginThrottle
from reflector_core.usecases.accounts import create_user
from tests.api.conftest import OWNER, World, make_world

PASSWORD = "correct horse battery"
HASHER = Argon2Hasher.fast_for_tests()


def make_web_app(world: World, throttle: LoginThrottle | None = None) -> Litestar:
    return create_app(
        world.container,
        locks=LocalLocks(wait=5),
        live_options=LiveOptions(poll_seconds=0.01),
        web=WebOptions(hasher=HASHER, throttle=throttle or LoginThrottle()),
    )


async def add_user(world: World, name: str = OWNER, password: str = PASSWORD) -> None:
    await create_user(name, password, unit_of_work=world.container.unit_of_work, hasher=HASHER, clock=world.clock)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


async def sign_in(client: AsyncTestClient[Litestar], name: str = OWNER, password: str = PASSWORD) -> int:
    page = await client.get("/signin")
    reply = await client.post(
        "/signin",
        data={"username": name, "password": password, "_csrf_token": csrf_of(page.text), "next": "/"},
        follow_redirects=False,
    )
    return reply.status_code


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.fixture
async def browser(world: World) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A client with no API key: it acts through cookies only, as a browser does."""
    async with AsyncTestClient(app=make_web_app(world)) as c:
        yield c
