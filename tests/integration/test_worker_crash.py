"""A worker killed mid-pipeline: another worker finishes the job, and nothing is duplicated."""

from __future__ import annotations

import json
import time

import pytest

from tests.fakes.daily_api import FakeDaily
from tests.fakes.signing import daily_headers
from tests.integration.harness import DAILY_SECRET, Service, wait_until
from tests.integration.test_daily_flow import _meeting, _recording

pytestmark = [pytest.mark.slow, pytest.mark.services]


def test_a_killed_worker_leaves_a_transcript_that_another_worker_finishes(
    production: Service, fake_daily: FakeDaily
) -> None:
    service = production
    meeting = _meeting(service, "crashy")
    body = _recording(service, fake_daily, meeting["platform_room_name"], session="mtg-9")
    rid = body["payload"]["recording_id"]
    raw = json.dumps(body).encode()
    r = service.http.post("/v1/daily/webhook", content=raw, headers=daily_headers(DAILY_SECRET, int(time.time()), raw))
    assert r.status_code == 200, r.text

    def processing() -> bool:
        items = service.transcripts_for(rid)
        assert not items or items[0]["status"] != "done", "finished before the worker could be killed"
        return bool(items) and items[0]["status"] == "processing"

    wait_until(processing, timeout=120, interval=0.05, what="processing to start")
    service.processes["worker-1"].kill()

    service.start("worker-2", "worker", "--threads", "1")
    transcript = service.wait_transcript(rid, timeout=240)
    assert transcript["status"] == "done", transcript
    assert [t["id"] for t in service.transcripts_for(rid)] == [transcript["id"]]
    words = service.api("GET", f"/v1/transcripts/{transcript['id']}/export.json").json()["words"]
    assert len(words) >= 20
    # The redelivered job of the dead worker may run again later: it must find the work done.
    time.sleep(5)
    again = service.api("GET", f"/v1/transcripts/{transcript['id']}").json()
    assert again["status"] == "done" and again["participants"] == transcript["participants"]
