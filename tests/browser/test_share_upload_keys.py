"""Sharing by link (a fresh signed-out browser reads and plays; revoke → 404), upload → done → reader, and
the API-key page, in a real Chromium against ``reflector serve`` (embedded: its worker transcribes uploads)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium.webdriver.common.by import By

from reflector_core.model import Participant
from tests.integration.harness import wait_until

from .conftest import OTHER, OTHER_PASSWORD, USER, Site, new_driver, screenshot, sign_in
from .seed import seed_transcript, spoken_words

FIXTURES = Path(__file__).parents[1] / "fixtures" / "audio"
SPEECH = FIXTURES / "voices" / "one.mp4"
"""21 s of one voice (committed, synthetic): small enough for Whisper tiny.en in the embedded worker."""


def _js(driver: Any, script: str) -> Any:
    return driver.execute_script(script)


@pytest.fixture(scope="module")
def shared_meeting(site: Site) -> str:
    texts = ["We", "agreed", "to", "share", "the", "roadmap", "with", "the", "whole", "team", "before", "Friday"]
    words = spoken_words(texts, [i // 6 for i in range(len(texts))], step=0.4, turn_gap=0.6)
    return seed_transcript(
        site.db_url,
        site.storage,
        owner=USER,
        room="roadmap",
        words=words,
        participants=[Participant(0, "p-0", "Ana"), Participant(1, "p-1", "Bo")],
        duration=words[-1].end + 2.0,
    )


@pytest.fixture
def anonymous(site: Site) -> Any:
    """A second, fresh browser: no cookies, never signed in."""
    driver = new_driver()
    yield driver
    driver.quit()


def test_a_share_link_works_signed_out_until_revoked(
    browser: Any, anonymous: Any, site: Site, shared_meeting: str
) -> None:
    sign_in(browser, site, path=f"/transcripts/{shared_meeting}")
    browser.find_element(By.CSS_SELECTOR, "#share summary").click()
    browser.find_element(By.ID, "share-link").click()
    url = wait_until(lambda: browser.find_elements(By.ID, "share-url"), timeout=10, what="link")[0].get_attribute(
        "value"
    )
    assert url.startswith(site.base + "/s/") and len(url.rsplit("/", 1)[1]) >= 43  # 256 bits, base64url

    anonymous.get(url)
    assert "roadmap" in anonymous.find_element(By.TAG_NAME, "h1").text
    assert "share the roadmap" in anonymous.find_element(By.ID, "turns").text
    assert not anonymous.find_elements(By.CSS_SELECTOR, "form.signout")  # signed out all along
    assert not anonymous.find_elements(By.ID, "share")  # read-only: no share controls
    wait_until(
        lambda: _js(anonymous, "return document.getElementById('audio').readyState >= 1"), timeout=15, what="audio"
    )
    _js(anonymous, "document.getElementById('audio').play()")
    wait_until(
        lambda: _js(anonymous, "return document.getElementById('audio').currentTime") > 0.3, timeout=10, what="playing"
    )
    # Anything else stays behind sign-in.
    assert _js(anonymous, f"return fetch('/v1/transcripts/{shared_meeting}').then(r => r.status)") == 401
    anonymous.get(site.base + "/")
    assert "/signin" in anonymous.current_url

    if not browser.find_element(By.ID, "share").get_attribute("open"):
        browser.find_element(By.CSS_SELECTOR, "#share summary").click()
    browser.find_element(By.ID, "share-revoke").click()
    wait_until(lambda: "A link is active" not in browser.page_source, timeout=10, what="revoked")
    anonymous.get(url)
    assert anonymous.find_element(By.TAG_NAME, "h1").text == "Not found"
    assert _js(anonymous, f"return fetch('{url}/audio.mp3').then(r => r.status)") == 404


def test_a_user_it_is_shared_with_reads_it(browser: Any, site: Site, shared_meeting: str) -> None:
    sign_in(browser, site, OTHER, OTHER_PASSWORD, path=f"/transcripts/{shared_meeting}")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Not found"
    with httpx.Client(base_url=site.base) as owner:
        page = owner.get("/signin")
        token = page.text.split('name="csrf-token" content="')[1].split('"')[0]
        owner.post("/signin", data={"username": USER, "password": "browser-test-password", "_csrf_token": token})
        token = owner.get("/").text.split('name="csrf-token" content="')[1].split('"')[0]
        reply = owner.post(
            f"/v1/transcripts/{shared_meeting}/share",
            json={"mode": "user", "username": OTHER},
            headers={"X-CSRFToken": token},
        )
        assert reply.status_code == 200, reply.text
    browser.get(site.base + "/")
    browser.find_element(By.CSS_SELECTOR, f"tr[data-id='{shared_meeting}'] a").click()
    wait_until(lambda: f"/transcripts/{shared_meeting}" in browser.current_url, timeout=10, what="reader")
    assert "Shared with you by ana" in browser.find_element(By.CSS_SELECTOR, ".reader-head").text
    assert not browser.find_elements(By.ID, "share")


def test_upload_a_bad_file_then_a_meeting_and_read_it(browser: Any, site: Site, tmp_path: Path) -> None:
    sign_in(browser, site, path="/upload")
    screenshot(browser, "upload")
    fake = tmp_path / "meeting.mp3"  # text, whatever its name says
    fake.write_text("this is not a recording\n")
    browser.find_element(By.ID, "file").send_keys(str(fake))
    browser.find_element(By.ID, "upload-submit").click()
    error = wait_until(lambda: browser.find_element(By.ID, "upload-error").text, timeout=30, what="error shown")
    assert "not an audio or video file" in error
    screenshot(browser, "upload-error")

    speech = tmp_path / "standup.mp4"
    shutil.copy(SPEECH, speech)
    browser.find_element(By.ID, "file").clear()
    browser.find_element(By.ID, "file").send_keys(str(speech))
    browser.find_element(By.ID, "upload-title").send_keys("Uploaded standup")
    browser.find_element(By.ID, "upload-submit").click()
    wait_until(lambda: "/transcripts/" in browser.current_url, timeout=60, what="the reader of the upload")
    assert "Uploaded standup" in browser.find_element(By.TAG_NAME, "h1").text
    # The reader follows the processing live and shows the transcript once it is done.
    wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, "li.turn"), timeout=600, interval=1, what="transcribed")
    assert browser.find_element(By.ID, "status").text == "done"
    assert browser.find_element(By.ID, "audio").tag_name == "audio"
    assert browser.find_element(By.ID, "turns").text.strip()


def test_api_keys_page_creates_and_revokes(browser: Any, site: Site) -> None:
    sign_in(browser, site, path="/keys")
    browser.find_element(By.ID, "create-key").click()
    key = wait_until(lambda: browser.find_elements(By.ID, "new-key"), timeout=10, what="key")[0].get_attribute("value")
    assert key.startswith("rk_")
    auth = {"Authorization": f"Bearer {key}"}
    assert httpx.get(f"{site.base}/v1/transcripts", headers=auth).status_code == 200
    key_id = key.split("_")[1]
    browser.get(site.base + "/keys")
    assert key not in browser.page_source  # shown once
    browser.find_element(By.CSS_SELECTOR, f"tr[data-key='{key_id}'] button").click()
    # The revoked row comes back on the next page; until then the old one may be stale.
    revoked = f"return document.querySelector(\"tr[data-key='{key_id}']\")?.textContent.includes('revoked')"
    wait_until(lambda: _js(browser, revoked), timeout=10, what="the key marked revoked")
    assert httpx.get(f"{site.base}/v1/transcripts", headers=auth).status_code == 401
