"""Sign-in, library and reader in a real Chromium: playback, click-to-seek, follow-along, keys, escaping."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from reflector_core.model import Participant
from tests.integration.harness import wait_until

from .conftest import OTHER, OTHER_PASSWORD, USER, Site, screenshot, sign_in
from .seed import seed_transcript, spoken_words

EVIL = "<img src=x onerror=alert(1)>"
SENTENCES = [
    "Good morning everyone, thanks for joining the planning call today.",
    "Morning! I have the numbers from last week ready to share.",
    "Great, the release went out on Tuesday and the error rate stayed flat.",
    "Then let us move the <b>bold</b> migration to the next sprint.",
    "Agreed. I will write the summary and send it around after lunch.",
    "One more thing: the customer asked about exports in WebVTT format.",
    "We support VTT, SRT, JSON and plain text already, so that is easy.",
    "Perfect. Let us wrap up, see you all tomorrow at the same time.",
]


def _meeting_words() -> tuple[list[Any], float]:
    texts, speakers = [], []
    for i, sentence in enumerate(SENTENCES):
        for w in sentence.split():
            texts.append(w)
            speakers.append(i % 3)
    words = spoken_words(texts, speakers, step=0.4, turn_gap=0.6)
    return words, words[-1].end + 2.0


@pytest.fixture(scope="module")
def meeting(site: Site) -> str:
    words, duration = _meeting_words()
    return seed_transcript(
        site.db_url,
        site.storage,
        owner=USER,
        room="planning",
        words=words,
        participants=[Participant(0, "p-0", "Ana"), Participant(1, "p-1", EVIL), Participant(2, "p-2", None)],
        duration=duration,
    )


def _js(driver: Any, script: str) -> Any:
    return driver.execute_script(script)


def _current_time(driver: Any) -> float:
    return float(_js(driver, "return document.getElementById('audio').currentTime"))


def test_sign_in_wrong_password_and_sign_out(browser: Any, site: Site) -> None:
    browser.get(site.base + "/")
    assert "/signin" in browser.current_url
    browser.find_element(By.NAME, "username").send_keys(USER)
    browser.find_element(By.NAME, "password").send_keys("not the password")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    # The answer is the same /signin URL, so wait for the new page's alert rather than for a URL change.
    alert = wait_until(
        lambda: browser.find_elements(By.CSS_SELECTOR, "[role=alert]"), timeout=15, interval=0.1, what="alert"
    )
    assert "Wrong username or password" in alert[0].text
    sign_in(browser, site)
    assert browser.find_element(By.CSS_SELECTOR, ".who").text == USER
    browser.find_element(By.CSS_SELECTOR, ".signout button").click()
    wait_until(lambda: "/signin" in browser.current_url, timeout=10, what="signed out")
    browser.get(site.base + "/")
    assert "/signin" in browser.current_url


def test_library_lists_the_meeting_and_opens_the_reader(browser: Any, site: Site, meeting: str) -> None:
    sign_in(browser, site)
    row = browser.find_element(By.CSS_SELECTOR, f"tr[data-id='{meeting}']")
    assert "planning" in row.text and "done" in row.text
    assert EVIL in row.text  # a participant's name, shown as text
    screenshot(browser, "library")
    row.find_element(By.CSS_SELECTOR, "a").click()
    wait_until(lambda: f"/transcripts/{meeting}" in browser.current_url, timeout=10, what="reader")
    assert browser.find_element(By.ID, "audio").tag_name == "audio"


def test_reader_plays_seeks_follows_and_takes_keys(browser: Any, site: Site, meeting: str) -> None:
    sign_in(browser, site, path=f"/transcripts/{meeting}")
    wait_until(lambda: _js(browser, "return document.documentElement.dataset.interactive"), timeout=15, what="js")
    wait_until(
        lambda: _js(browser, "return document.getElementById('audio').readyState >= 1"), timeout=15, what="audio"
    )
    turns = browser.find_elements(By.CSS_SELECTOR, "li.turn")
    assert len(turns) == len(SENTENCES)

    # Click a turn: playback starts at its first word.
    start = float(turns[3].get_attribute("data-start"))
    turns[3].find_element(By.CSS_SELECTOR, ".meta .who").click()
    wait_until(lambda: _current_time(browser) >= start, timeout=10, interval=0.1, what="seek to turn 4")
    wait_until(lambda: _current_time(browser) > start + 0.5, timeout=10, interval=0.1, what="playing")
    # The highlight follows: the playing turn is marked and one of its words is lit.
    wait_until(lambda: "playing" in turns[3].get_attribute("class"), timeout=5, interval=0.1, what="turn highlight")
    lit = wait_until(
        lambda: browser.find_elements(By.CSS_SELECTOR, "li.turn.playing .text span.now"), timeout=5, what="word"
    )
    assert lit[0].text.strip() in SENTENCES[3]
    assert "<b>bold</b>" in turns[3].text  # markup in the words is text, not HTML
    assert not turns[3].find_elements(By.TAG_NAME, "b")
    screenshot(browser, "reader")

    # Click a word of another turn: currentTime jumps to that word.
    _js(browser, "document.getElementById('turn-6').scrollIntoView({block: 'center'})")
    word = wait_until(
        lambda: browser.find_elements(By.CSS_SELECTOR, "#turn-6 .text span[data-s]"), timeout=5, what="words"
    )[4]
    target = float(word.get_attribute("data-s"))
    word.click()
    wait_until(lambda: abs(_current_time(browser) - target) < 0.6, timeout=5, interval=0.05, what="seek to word")
    wait_until(lambda: "playing" in browser.find_element(By.ID, "turn-6").get_attribute("class"), timeout=5, what="t6")

    # Keys: space pauses, k goes to the previous turn, j to the next.
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.SPACE)
    wait_until(lambda: _js(browser, "return document.getElementById('audio').paused"), timeout=5, what="paused")
    body.send_keys("k")
    wait_until(
        lambda: abs(_current_time(browser) - float(turns[5].get_attribute("data-start"))) < 0.05, timeout=5, what="k"
    )
    body.send_keys("j")
    wait_until(
        lambda: abs(_current_time(browser) - float(turns[6].get_attribute("data-start"))) < 0.05, timeout=5, what="j"
    )
    before = _current_time(browser)
    body.send_keys(Keys.ARROW_LEFT)
    wait_until(lambda: abs(_current_time(browser) - max(0, before - 5)) < 0.05, timeout=5, what="left")
    # Speed.
    browser.find_element(By.CSS_SELECTOR, "#speed option[value='1.5']").click()
    assert _js(browser, "return document.getElementById('audio').playbackRate") == 1.5


def test_names_and_text_render_as_text(browser: Any, site: Site, meeting: str) -> None:
    sign_in(browser, site, path=f"/transcripts/{meeting}")
    names = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".speakers .name")]
    assert names == ["Ana", EVIL, "Speaker 2"]
    assert not browser.find_elements(By.CSS_SELECTOR, "main img")
    with pytest.raises(NoAlertPresentException):
        _ = browser.switch_to.alert.text


def test_a_search_link_opens_the_reader_at_that_time(browser: Any, site: Site, meeting: str) -> None:
    turn = 5
    sign_in(browser, site, path=f"/transcripts/{meeting}")
    start = float(browser.find_element(By.ID, f"turn-{turn}").get_attribute("data-start"))
    browser.get(f"{site.base}/transcripts/{meeting}?t={start}")
    wait_until(lambda: abs(_current_time(browser) - start) < 0.05, timeout=10, interval=0.1, what="t= seek")


def test_another_users_transcript_is_not_found(browser: Any, site: Site, meeting: str) -> None:
    sign_in(browser, site, OTHER, OTHER_PASSWORD, path=f"/transcripts/{meeting}")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Not found"
    status = _js(browser, f"return fetch('/v1/transcripts/{meeting}/audio.mp3').then(r => r.status)")
    assert status == 404


def test_two_hour_transcript_stays_responsive(browser: Any, site: Site) -> None:
    """20,000 words over two hours: measure the server's render and the browser's time to interactive."""
    names = [Participant(i, f"p-{i}", n) for i, n in enumerate(["Ana", "Bo", "Cy", "Di"])]
    texts = [f"word{i % 97}" for i in range(20_000)]
    speakers = [(i // 23) % 4 for i in range(20_000)]
    words = spoken_words(texts, speakers, step=0.36)
    tid = seed_transcript(
        site.db_url, site.storage, owner=USER, room="long", words=words, participants=names, duration=7200.0
    )
    # Server render time, through the real server (HTTP included), best of three.
    with httpx.Client(base_url=site.base) as http:
        page = http.get("/signin")
        token = page.text.split('name="csrf-token" content="')[1].split('"')[0]
        http.post("/signin", data={"username": USER, "password": "browser-test-password", "_csrf_token": token})
        renders = []
        for _ in range(3):
            t0 = time.perf_counter()
            reply = http.get(f"/transcripts/{tid}")
            renders.append(time.perf_counter() - t0)
            assert reply.status_code == 200
    sign_in(browser, site)
    browser.get(f"{site.base}/transcripts/{tid}")
    tti = float(wait_until(lambda: _js(browser, "return document.documentElement.dataset.interactive"), timeout=30))
    spans = _js(browser, "return document.querySelectorAll('.turn .text span').length")
    print(
        f"\n2-hour transcript: server render {min(renders) * 1000:.0f} ms (best of 3), "
        f"time to interactive {tti:.0f} ms, {len(reply.content) / 1e6:.2f} MB HTML, {spans} word spans live"
    )
    # Only turns near the viewport become word spans.
    assert spans < 2_000
    # Still responsive: a click on a late turn seeks at once.
    _js(browser, "document.getElementById('turn-800').scrollIntoView({block: 'center'})")
    target = float(browser.find_element(By.ID, "turn-800").get_attribute("data-start"))
    browser.find_element(By.CSS_SELECTOR, "#turn-800 .meta .who").click()
    wait_until(lambda: _current_time(browser) >= target - 0.05, timeout=10, interval=0.1, what="seek in long meeting")


def test_search_hit_opens_the_reader_at_that_time(browser: Any, site: Site, meeting: str) -> None:
    sign_in(browser, site)
    box = browser.find_element(By.NAME, "q")
    box.send_keys("customer exports")
    box.submit()
    hit = wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, f".hit[data-id='{meeting}'] a.jump"), timeout=10)
    marks = [m.text for m in browser.find_elements(By.CSS_SELECTOR, f".hit[data-id='{meeting}'] mark")]
    assert marks == ["customer", "exports"]
    href = hit[0].get_attribute("href")
    start = float(href.split("?t=")[1])
    hit[0].click()
    wait_until(lambda: abs(_current_time(browser) - start) < 0.05, timeout=10, interval=0.1, what="reader at the hit")
    turn = browser.find_element(By.CSS_SELECTOR, "li.turn.playing")
    assert "customer asked about exports" in turn.text
