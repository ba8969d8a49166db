"""The room page in a real Chromium: consent before the call, one recording start however many join
and reload, a refusal that leaves no audio after processing, no host controls for signed-out people,
and a dialog a keyboard alone can answer."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.fakes.daily_api import FakeDaily
from tests.fakes.whereby_api import FakeWhereby
from tests.integration.harness import Service, meeting_webhook, track_files, truth, wait_until

from .conftest import screenshot
from .room_site import (
    OWNER,
    PASSWORD,
    browsers,
    fake_daily,
    fake_whereby,
    joined,
    open_browser,
    post_daily_webhook,
    room_site,
)

__all__ = ["browsers", "fake_daily", "fake_whereby", "room_site"]  # fixtures used by the tests below


def _room(room_site: Service, name: str, **fields: Any) -> None:
    body = {"name": name, "platform": "daily", "recording_kind": "raw-tracks", "consent_policy": "required", **fields}
    r = room_site.api("POST", "/v1/rooms", json=body)
    assert r.status_code == 201, r.text


def _by(what: str) -> Any:
    from selenium.webdriver.common.by import By

    return getattr(By, what)


def _page_state(driver: Any) -> dict[str, Any]:
    return dict(
        driver.execute_script(
            """
            const d = document.getElementById('consent');
            const f = document.getElementById('call');
            return {dialog: !!d, open: !!(d && d.open), modal: !!(d && d.matches(':modal')),
                    src: f.getAttribute('src'), active: document.activeElement && document.activeElement.id,
                    meeting: document.querySelector('.room').dataset.meeting};
            """
        )
    )


def _wait_call_loaded(driver: Any, fake: FakeDaily, loads_before: int) -> None:
    wait_until(lambda: len(fake.page_loads) > loads_before, timeout=20, interval=0.1, what="the call iframe to load")


def _answer(driver: Any, choice: str) -> None:
    driver.find_element(_by("ID"), f"consent-{choice}").click()
    wait_until(lambda: not _page_state(driver)["open"], timeout=15, interval=0.1, what="the dialog to close")


def _meeting_room_name(room_site: Service, meeting_id: str) -> str:
    r = room_site.api("GET", f"/v1/meetings/{meeting_id}")
    assert r.status_code == 200, r.text
    return str(r.json()["platform_room_name"])


def sign_in(driver: Any, room_site: Service, path: str) -> None:
    driver.get(f"{room_site.base}/signin?next={path}")
    driver.find_element(_by("NAME"), "username").send_keys(OWNER)
    driver.find_element(_by("NAME"), "password").send_keys(PASSWORD)
    driver.find_element(_by("CSS_SELECTOR"), "form button[type=submit]").click()
    wait_until(lambda: "/signin" not in driver.current_url, timeout=15, interval=0.1, what="signed in")


def test_dialog_first_then_one_recording_start_for_two_people_and_three_reloads(
    room_site: Service, fake_daily: FakeDaily, browsers: list[Any]
) -> None:
    _room(room_site, "standup")
    fake_daily.not_hosted_answers = 1  # Daily: "not hosting a call" for the first start call
    ana = open_browser(browsers)
    ana.get(f"{room_site.base}/r/standup")
    state = _page_state(ana)
    assert state["dialog"] and state["open"] and state["modal"], state
    assert state["src"] is None and fake_daily.page_loads == []  # nothing of the call before the answer
    screenshot(ana, "room-consent-dialog")

    before = len(fake_daily.page_loads)
    _answer(ana, "agree")
    _wait_call_loaded(ana, fake_daily, before)
    meeting_id = state["meeting"]
    platform_room = _meeting_room_name(room_site, meeting_id)

    bob = open_browser(browsers)
    bob.get(f"{room_site.base}/r/standup")
    assert _page_state(bob)["meeting"] == meeting_id
    _answer(bob, "agree")

    # Daily tells the service each time someone (re)joins: two people, three reloads each.
    for n in range(3):
        for who, driver in (("a" * 8, ana), ("b" * 8, bob)):
            driver.refresh()
            after = _page_state(driver)
            assert not after["dialog"] and after["src"], after  # decided: no question again, the call loads
            assert post_daily_webhook(room_site, joined(platform_room, f"{who}-{n}", n)) == "accepted"

    wait_until(lambda: fake_daily.starts, timeout=60, interval=0.2, what="the recording to start")
    wait_until(
        lambda: room_site.api("GET", f"/v1/meetings/{meeting_id}/recording").json()["recording"]["state"] == "started",
        timeout=30,
        what="the recording state to be stored",
    )
    assert len(fake_daily.starts) == 1
    assert fake_daily.starts[0]["room"] == platform_room and fake_daily.starts[0]["type"] == "raw-tracks"

    decisions = room_site.api("GET", f"/v1/meetings/{meeting_id}/consent").json()
    assert sorted(d["choice"] for d in decisions) == ["given", "given"]
    assert all(set(d) == {"participant", "choice", "at"} for d in decisions)

    # The indicator shows it to everyone (the page polls every 5 s).
    ana.refresh()
    wait_until(
        lambda: "rec-on" in ana.find_element(_by("ID"), "recording").get_attribute("class"),
        timeout=15,
        what="the recording indicator",
    )


def test_signed_out_people_never_see_host_controls_and_the_owner_does(
    room_site: Service, fake_daily: FakeDaily, browsers: list[Any]
) -> None:
    _room(room_site, "board", consent_policy="not-required")
    guest = open_browser(browsers)
    guest.get(f"{room_site.base}/r/board")
    meeting_id = _page_state(guest)["meeting"]
    detail = room_site.api("GET", f"/v1/meetings/{meeting_id}").json()
    source = guest.page_source
    assert _page_state(guest)["src"] == detail["room_url"]
    assert "t=" not in (_page_state(guest)["src"] or "") and "Stop recording" not in source
    assert "host rights" not in source

    owner = open_browser(browsers)
    sign_in(owner, room_site, "/r/board")
    owner_src = _page_state(owner)["src"] or ""
    assert owner_src.startswith(detail["room_url"]) and "t=" in owner_src  # the owner's meeting token
    post_daily_webhook(room_site, joined(detail["platform_room_name"], "owner-1", 0, name="Ana Lindqvist"))
    wait_until(lambda: fake_daily.starts, timeout=60, what="the recording to start")
    owner.refresh()
    owner.find_element(_by("ID"), "stop-recording").click()
    wait_until(lambda: fake_daily.stops, timeout=30, what="the stop to reach Daily")
    assert room_site.api("GET", f"/v1/meetings/{meeting_id}/recording").json()["recording"]["state"] == "stopped"
    guest.refresh()
    assert "Recording stopped" in guest.find_element(_by("ID"), "recording").text

    # The owner's room administration page, for the docs.
    owner.get(f"{room_site.base}/rooms/board")
    assert "Copy link" in owner.page_source and "/r/board" in owner.page_source
    assert "Ana Lindqvist" in owner.page_source  # the participant's whole name
    screenshot(owner, "room-admin")


def test_whereby_room_embeds_the_room_url_with_embed_parameters_and_no_host_key_for_guests(
    room_site: Service, fake_whereby: FakeWhereby, browsers: list[Any]
) -> None:
    _room(room_site, "clinic", platform="whereby", recording_kind="cloud")
    guest = open_browser(browsers)
    guest.get(f"{room_site.base}/r/clinic")
    state = _page_state(guest)
    assert state["dialog"] and state["src"] is None  # consent first here too
    _answer(guest, "agree")
    wait_until(lambda: fake_whereby.page_loads, timeout=20, interval=0.1, what="the Whereby stand-in to load")
    src = _page_state(guest)["src"] or ""
    assert "embed" in src and "iframeSource=reflector" in src and "roomKey" not in src
    assert "Whereby records this room by itself" in guest.find_element(_by("ID"), "recording").text
    owner = open_browser(browsers)
    sign_in(owner, room_site, "/r/clinic")
    _answer(owner, "agree")
    assert "roomKey=" in (_page_state(owner)["src"] or "")  # the host URL, for the owner only


def test_keyboard_alone_completes_the_dialog_and_focus_goes_to_the_call(
    room_site: Service, fake_daily: FakeDaily, browsers: list[Any]
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    _room(room_site, "keys")
    driver = open_browser(browsers)
    driver.get(f"{room_site.base}/r/keys")
    assert _page_state(driver)["active"] == "consent-agree"
    keys = ActionChains(driver)
    # Tab cycles between the two answers and never leaves the dialog.
    seen = []
    for _ in range(4):
        keys.send_keys(Keys.TAB).perform()
        seen.append(_page_state(driver)["active"])
    assert seen == ["consent-refuse", "consent-agree", "consent-refuse", "consent-agree"]
    keys.key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    assert _page_state(driver)["active"] == "consent-refuse"
    keys.send_keys(Keys.ESCAPE).perform()
    assert _page_state(driver)["open"]  # Escape does not skip the question
    keys.send_keys(Keys.TAB).perform()  # back to "agree"
    before = len(fake_daily.page_loads)
    keys.send_keys(Keys.ENTER).perform()
    wait_until(lambda: not _page_state(driver)["open"], timeout=15, interval=0.1, what="the dialog to close")
    _wait_call_loaded(driver, fake_daily, before)
    assert _page_state(driver)["active"] == "call"
    decisions = room_site.api("GET", f"/v1/meetings/{_page_state(driver)['meeting']}/consent").json()
    assert [d["choice"] for d in decisions] == ["given"]


@pytest.mark.slow
def test_a_refusal_on_the_page_leaves_no_audio_after_processing(
    room_site: Service, fake_daily: FakeDaily, browsers: list[Any]
) -> None:
    _room(room_site, "consult")
    driver = open_browser(browsers)
    driver.get(f"{room_site.base}/r/consult")
    meeting_id = _page_state(driver)["meeting"]
    _answer(driver, "refuse")
    decisions = room_site.api("GET", f"/v1/meetings/{meeting_id}/consent").json()
    assert [d["choice"] for d in decisions] == ["refused"]

    # The call happened and Daily delivers its raw tracks.
    platform_room = _meeting_room_name(room_site, meeting_id)
    rid = str(uuid.uuid4())
    body = meeting_webhook(platform_room, recording_id=rid)
    daily_bucket = room_site.workdir / "storage" / room_site.buckets["daily"]
    for key, path in track_files(body).items():
        room_site.upload(room_site.buckets["daily"], key, path)
    fake_daily.add_recording(body["payload"], mtg_session_id="mtg-consult")
    fake_daily.participants["mtg-consult"] = [
        {
            "participant_id": p["participant_id"],
            "user_id": p["user_id"],
            "user_name": p["name"],
            "join_time": 0,
            "duration": 26,
        }
        for p in truth()["participants"]
    ]
    assert post_daily_webhook(room_site, body) == "accepted"
    transcript = room_site.wait_transcript(rid)
    assert transcript["status"] in ("done", "failed"), transcript

    def gone() -> bool:
        t = room_site.api("GET", f"/v1/transcripts/{transcript['id']}").json()
        return bool(t["audio_deleted"])

    wait_until(gone, timeout=120, what="every audio object to be deleted")
    folder = room_site.workdir / "storage" / room_site.buckets["transcripts"] / "transcripts" / str(transcript["id"])
    assert not folder.exists() or not any(folder.iterdir())
    assert not [p for p in daily_bucket.rglob("*") if p.is_file()]
    assert room_site.api("GET", f"/v1/transcripts/{transcript['id']}/audio.mp3").status_code == 404
