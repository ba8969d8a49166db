"""Editing on the reader in a real Chromium: rename, reassign (a turn's link, a text selection), merge and
title, all seen in the VTT export; markup in edited names and titles stays text; delete → audio 404."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from reflector_core.model import Participant
from tests.integration.harness import wait_until

from .conftest import Site, screenshot, sign_in
from .seed import seed_transcript, spoken_words

EVIL = "Cy <i>x</i><img src=x onerror=alert(1)>"
TURNS = [
    (0, "Welcome to the retro everyone."),
    (1, "Thanks, glad to be here today."),
    (2, "I think the deploy went fine."),
    (0, "Good, then let us plan the next release."),
    (1, "Sounds right to me."),
]


def _seed(site: Site, room: str, hour: int) -> str:
    texts = [w for _, sentence in TURNS for w in sentence.split()]
    speakers = [s for s, sentence in TURNS for _ in sentence.split()]
    words = spoken_words(texts, speakers, step=0.4, turn_gap=2.5)
    return seed_transcript(
        site.db_url,
        site.storage,
        owner="ana",
        room=room,
        words=words,
        participants=[Participant(0, "p-0", "Ana"), Participant(1, "p-1", "Bo"), Participant(2, "p-2", None)],
        duration=words[-1].end + 2.0,
        started=datetime(2026, 3, 13, hour, 0, tzinfo=UTC),
    )


@pytest.fixture(scope="module")
def editable(site: Site) -> str:
    return _seed(site, "retro", 9)


@pytest.fixture(scope="module")
def doomed(site: Site) -> str:
    return _seed(site, "doomed", 10)


def _fetch(driver: Any, url: str) -> tuple[int, str]:
    """GET ``url`` from the page, with its session cookie, as the page's scripts would."""
    status, text = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then(async (r) => done([r.status, await r.text()])).catch((e) => done([0, String(e)]));",
        url,
    )
    return int(status), str(text)


def _open(driver: Any, site: Site, tid: str) -> None:
    driver.get(f"{site.base}/transcripts/{tid}")
    wait_until(lambda: driver.execute_script("return document.documentElement.dataset.interactive"), timeout=15)


def _panel(driver: Any) -> Any:
    panel = driver.find_element(By.ID, "edit")
    if not panel.get_attribute("open"):
        panel.find_element(By.TAG_NAME, "summary").click()
    return panel


def _turn_with(driver: Any, text: str) -> Any:
    return next(li for li in driver.find_elements(By.CSS_SELECTOR, "li.turn") if text in li.text)


def _submit_and_wait(driver: Any, button: Any) -> None:
    """Click a form's button and wait for the reader to come back (the form answers with a redirect)."""
    driver.execute_script("document.documentElement.dataset.interactive = ''")
    button.click()
    wait_until(lambda: driver.execute_script("return document.documentElement.dataset.interactive"), timeout=15)


def test_rename_reassign_merge_and_title_show_in_the_vtt(browser: Any, site: Site, editable: str) -> None:
    sign_in(browser, site, path=f"/transcripts/{editable}")
    _open(browser, site, editable)
    # Rename the unnamed speaker 2 to a name full of markup.
    field = _panel(browser).find_element(By.ID, "name-2")
    field.clear()
    field.send_keys(EVIL)
    _submit_and_wait(browser, field.find_element(By.XPATH, "./ancestor::form//button"))
    assert [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".speakers .name")] == ["Ana", "Bo", EVIL]

    # One turn, through its "reassign" link: the form fills in and floats; Cy's turn becomes Bo's.
    _turn_with(browser, "deploy").find_element(By.CSS_SELECTOR, "a.reassign").click()
    form = browser.find_element(By.ID, "reassign-form")
    wait_until(lambda: "floating" in form.get_attribute("class"), timeout=5, what="floating form")
    assert form.find_element(By.NAME, "speaker").get_attribute("value") == "2"
    Select(form.find_element(By.NAME, "to")).select_by_value("1")
    _submit_and_wait(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "Bo" in _turn_with(browser, "deploy").find_element(By.CSS_SELECTOR, ".who").text

    # A stretch of time, by selecting text: "the next release." of Ana's turn goes to Cy.
    turn = _turn_with(browser, "next release")
    browser.execute_script(
        "const spans = Array.from(arguments[0].querySelectorAll('.text span[data-s]'));"
        "const from = spans.find((s) => s.textContent.trim() === 'the' && s.nextSibling"
        " && s.nextSibling.textContent.trim() === 'next');"
        "const range = document.createRange(); range.setStart(from.firstChild, 0);"
        "range.setEnd(spans[spans.length - 1].firstChild, spans[spans.length - 1].textContent.length);"
        "const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);"
        "arguments[0].dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));",
        turn,
    )
    form = browser.find_element(By.ID, "reassign-form")
    wait_until(lambda: "floating" in form.get_attribute("class"), timeout=5, what="floating form")
    assert form.find_element(By.NAME, "speaker").get_attribute("value") == ""
    Select(form.find_element(By.NAME, "to")).select_by_value("2")
    screenshot(browser, "reader-edit")
    _submit_and_wait(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))

    # Merge Bo into Ana, then a title with markup.
    Select(_panel(browser).find_element(By.ID, "into-1")).select_by_value("0")
    _submit_and_wait(browser, browser.find_element(By.ID, "into-1").find_element(By.XPATH, "./ancestor::form//button"))
    title = _panel(browser).find_element(By.ID, "edit-title")
    title.clear()
    title.send_keys("Retro <script>alert(2)</script>")
    _submit_and_wait(browser, title.find_element(By.XPATH, "./ancestor::form//button"))

    assert browser.find_element(By.ID, "title").text == "Retro <script>alert(2)</script>"
    assert [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".speakers .name")] == ["Ana", EVIL]
    assert not browser.find_elements(By.CSS_SELECTOR, "main img, main i, main script:not([type])")
    with pytest.raises(NoAlertPresentException):
        _ = browser.switch_to.alert.text
    history = [li.text for li in _panel(browser).find_elements(By.CSS_SELECTOR, "#edit-log li")]
    assert len(history) == 5 and "set the title" in history[0] and "named speaker 2" in history[-1]

    status, vtt = _fetch(browser, f"/v1/transcripts/{editable}/export.vtt")
    assert status == 200
    cues = [c for c in vtt.split("\n\n")[1:] if c.strip()]
    voices = [next(line for line in c.splitlines() if line.startswith("<v ")) for c in cues]
    speakers_said = [(v[3 : v.index(">")], v[v.index(">") + 1 :]) for v in voices]
    cy = "Cy &lt;i&gt;x&lt;/i&gt;&lt;img src=x onerror=alert(1)&gt;"
    assert (cy, "the next release.") in speakers_said
    assert {who for who, _ in speakers_said} == {"Ana", cy}
    assert any(who == "Ana" and "deploy went fine." in said for who, said in speakers_said)
    assert any(who == "Ana" and "Sounds right to me." in said for who, said in speakers_said)


def test_delete_from_the_reader_leaves_the_audio_404(browser: Any, site: Site, doomed: str) -> None:
    sign_in(browser, site, path=f"/transcripts/{doomed}")
    _open(browser, site, doomed)
    audio = f"/v1/transcripts/{doomed}/audio.mp3"
    assert _fetch(browser, audio)[0] == 200
    panel = _panel(browser)
    panel.find_element(By.ID, "delete-button").click()  # not confirmed: the browser holds the form back
    assert f"/transcripts/{doomed}" in browser.current_url
    panel.find_element(By.ID, "delete-confirm").click()
    panel.find_element(By.ID, "delete-button").click()
    wait_until(lambda: browser.current_url.endswith("/?deleted=1"), timeout=15, what="back to the library")
    assert not browser.find_elements(By.CSS_SELECTOR, f"tr[data-id='{doomed}']")
    for url in (audio, f"/v1/transcripts/{doomed}/waveform", f"/v1/transcripts/{doomed}/export.vtt"):
        assert _fetch(browser, url)[0] == 404, url
    assert not (site.storage / "reflector-transcripts" / "transcripts" / doomed / "audio.mp3").exists()
