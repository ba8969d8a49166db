"""The room page's browser tests need their own site: ``reflector serve`` (embedded) against the fake
Daily API over HTTP, whose rooms are a stand-in page on the fake's own server (the call iframe loads
offline), with a fresh database per test. The browser itself comes from ``conftest.py``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import FAILURES, new_driver
from tests.browser.conftest import _need_browser as need_browser
from tests.fakes.daily_api import FakeDaily
from tests.fakes.signing import daily_headers
from tests.fakes.whereby_api import FakeWhereby
from tests.integration.harness import DAILY_SECRET, Service, base_env, local_upload, platform_env

OWNER, PASSWORD = "ana", "room-browser-password"


@pytest.fixture
def fake_daily() -> Iterator[FakeDaily]:
    fake = FakeDaily(local_rooms=True).start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_whereby() -> Iterator[FakeWhereby]:
    fake = FakeWhereby(local_rooms=True).start()
    yield fake
    fake.stop()


@pytest.fixture
def room_site(tmp_path: Path, fake_daily: FakeDaily, fake_whereby: FakeWhereby) -> Iterator[Service]:
    """``reflector serve`` on embedded defaults with Daily and Whereby pointing at the fakes."""
    need_browser()
    env = base_env(tmp_path) | platform_env(fake_daily.url, fake_whereby.url)
    env["REFLECTOR_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'reflector.db'}"
    service = Service("embedded", env, tmp_path, local_upload(tmp_path / "storage"))
    try:
        assert service.run("db", "upgrade").returncode == 0
        made = service.run("apikey", "create", "--owner", OWNER)
        assert made.returncode == 0, made.stderr
        service.headers["Authorization"] = "Bearer " + next(w for w in made.stdout.split() if w.startswith("rk_"))
        import subprocess
        import sys

        subprocess.run(
            [sys.executable, "-m", "reflector_app.cli", "user", "create", OWNER],
            env=env,
            cwd=tmp_path,
            input=PASSWORD + "\n",
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        service.start("serve", "serve")
        service.wait_healthy()
        yield service
    finally:
        service.stop()


@pytest.fixture
def browsers(room_site: Service, request: pytest.FixtureRequest) -> Iterator[list[Any]]:
    """Fresh browsers (no shared cookies), made on demand: ``browsers.append(new_driver())``."""
    made: list[Any] = []
    try:
        yield made
    finally:
        report = getattr(request.node, "report_call", None)
        for n, driver in enumerate(made):
            if report is not None and report.failed:
                FAILURES.mkdir(parents=True, exist_ok=True)
                driver.save_screenshot(str(FAILURES / f"{request.node.name}-{n}.png"))
            driver.quit()


def open_browser(browsers: list[Any]) -> Any:
    driver = new_driver()
    browsers.append(driver)
    return driver


def post_daily_webhook(site: Service, body: dict[str, Any]) -> str:
    raw = json.dumps(body).encode()
    r = site.http.post("/v1/daily/webhook", content=raw, headers=daily_headers(DAILY_SECRET, int(time.time()), raw))
    assert r.status_code == 200, r.text
    return str(r.json()["status"])


def joined(platform_room_name: str, session_id: str, n: int, name: str | None = None) -> dict[str, Any]:
    """Daily's signed ``participant.joined`` for someone entering the call (named ``name``, else after the
    whole session id: a cut-off prefix read like a name cut short on the room page)."""
    now = time.time()
    return {
        "version": "1.0.0",
        "type": "participant.joined",
        "id": f"ptcpt-join-{session_id}-{n}",
        "payload": {
            "room": platform_room_name,
            "user_id": None,
            "user_name": name or f"Guest {session_id}",
            "session_id": session_id,
            "joined_at": now,
            "owner": False,
            "permissions": {"hasPresence": True, "canSend": True, "canReceive": {"base": True}, "canAdmin": False},
        },
        "event_ts": now,
    }
