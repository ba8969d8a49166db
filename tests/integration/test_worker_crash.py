"""A worker killed mid-pipeline: another worker finishes the job, and nothing is duplicated."""

from __future__ import annotations

import time

import pytest

from tests.fakes.daily_api import FakeDaily
from tests.integration.harness import Service, wait_until
from tests.integration.test_daily_flow import post_recording

pytestmark = [pytest.mark.slow, pytest.mark.services]


def test_a_killed_worker_leaves_a_transcript_that_another_worker_finishes(
    production: Service, fake_daily: FakeDaily
) -> None:
    service = production
    rid = post_recording(service, fake_daily, "crashy", session="mtg-9")

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
