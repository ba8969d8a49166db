"""Browser tests: a real ``reflector serve`` (embedded) and Debian's Chromium driven by Selenium.

Nothing is downloaded: the browser is ``/usr/bin/chromium`` with ``/usr/bin/chromedriver`` (``.ci/run``
installs both with apt). Without them the tests skip on a developer machine and fail under ``CI=true``.
A failing test saves a screenshot to ``out/browser/<test>.png``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.harness import REPO, Process, free_port, wait_until
from tests.services import in_ci

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FAILURES = REPO / "out" / "browser"
SCREENSHOTS = REPO / "docs" / "screenshots"
USER, PASSWORD = "ana", "browser-test-password"
OTHER, OTHER_PASSWORD = "bo", "another-password"

pytestmark = pytest.mark.services


def _need_browser() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        message = f"browser tests need {', '.join(missing)} (apt-get install chromium chromium-driver)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)


class Site:
    """A running embedded deployment in a temporary folder."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.db_url = f"sqlite+aiosqlite:///{workdir / 'reflector.db'}"
        self.storage = workdir / "storage"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("REFLECTOR_")}
        self.env.update(
            {
                "REFLECTOR_DATABASE_URL": self.db_url,
                "REFLECTOR_STORAGE_DIR": str(self.storage),
                "REFLECTOR_PORT": str(self.port),
                "PYTHONUNBUFFERED": "1",
            }
        )
        self.process: Process | None = None

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "reflector_app.cli", *args],
            env=self.env,
            cwd=self.workdir,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )

    def start(self) -> None:
        self.cli("db", "upgrade")
        self.cli("user", "create", USER, stdin=PASSWORD + "\n")
        self.cli("user", "create", OTHER, stdin=OTHER_PASSWORD + "\n")
        self.process = Process("serve", ["serve"], self.env, self.workdir)

        def up() -> bool:
            assert self.process is not None
            if not self.process.alive():
                raise AssertionError(f"serve exited\n{self.process.tail()}")
            try:
                return httpx.get(f"{self.base}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(up, timeout=60, what="reflector serve")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    _need_browser()
    s = Site(tmp_path_factory.mktemp("site"))
    s.start()
    yield s
    s.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"report_{report.when}", report)


def new_driver() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--autoplay-policy=no-user-gesture-required",
        "--mute-audio",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    return driver


@pytest.fixture
def browser(site: Site, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser (no cookies); a screenshot lands in out/browser/ when the test fails."""
    driver = new_driver()
    try:
        yield driver
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            FAILURES.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(FAILURES / f"{request.node.name}.png"))
        driver.quit()


def sign_in(driver: Any, site: Site, user: str = USER, password: str = PASSWORD, path: str = "/") -> None:
    from selenium.webdriver.common.by import By

    driver.get(site.base + path)
    driver.find_element(By.NAME, "username").send_keys(user)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_until(lambda: "/signin" not in driver.current_url, timeout=15, interval=0.1, what="signed in")


def screenshot(driver: Any, name: str) -> Path:
    """A screenshot for the docs (kept current by the test run)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path
