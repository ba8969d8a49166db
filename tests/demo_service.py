#!/usr/bin/env python3
"""The whole service flow on embedded defaults, on this machine only (127.0.0.1).

Starts ``reflector serve`` (SQLite, local-folder buckets, in-process worker and scheduler) in a temp
folder, with a fake Daily API standing in for Daily; creates an API key, a room and its meeting; drops
the sample meeting's raw tracks into the local Daily bucket; posts a signed
``recording.ready-to-download`` webhook; follows the transcript's status and prints the transcript.

    ./dev -s demo-service [-- --keep]      (or .venv/bin/python tests/demo_service.py [--keep])
    ./dev demo-web                          (--web: also a user "demo"; the service keeps running
                                             with the processed meeting and prints the URL to sign in)

It lives with the tests, not in ``tools/``, because it is built from test code (the fake Daily API,
webhook signing, the integration harness that runs ``reflector serve``): a shipped tool must not
depend on ``tests/``, and this one is a demonstration of the service, not something users run.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]  # the checkout: tests/ is importable from it
sys.path.insert(0, str(REPO))

from tests.fakes.daily_api import FakeDaily  # noqa: E402
from tests.fakes.signing import daily_headers  # noqa: E402
from tests.integration.harness import DAILY_SECRET, Service, base_env, local_upload, wait_until  # noqa: E402

EXAMPLE = REPO / "examples" / "meeting"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (database, buckets, logs)")
    parser.add_argument("--web", action="store_true", help="create a user and keep serving the pages until Ctrl-C")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="reflector-demo-"))
    daily = FakeDaily().start()
    env = base_env(workdir) | {
        "REFLECTOR_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'reflector.db'}",
        "REFLECTOR_DAILY_API_KEY": daily.api_key,
        "REFLECTOR_DAILY_API_URL": daily.url,
        "REFLECTOR_DAILY_WEBHOOK_SECRET": DAILY_SECRET,
        "REFLECTOR_DAILY_BUCKET_REGION": "us-east-1",
        "REFLECTOR_DAILY_BUCKET_ROLE_ARN": "arn:aws:iam::123456789012:role/daily-writes",
    }
    service = Service("demo", env, workdir, local_upload(workdir / "storage"))
    try:
        for step in (("db", "upgrade"),):
            done = service.run(*step)
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                return 1
        key = service.run("apikey", "create", "--owner", "demo").stdout.split()[0]
        password = uuid.uuid4().hex[:16]
        if args.web:
            made = subprocess.run(
                [sys.executable, "-m", "reflector_app.cli", "user", "create", "demo"],
                input=password + "\n",
                env=env,
                cwd=workdir,
                capture_output=True,
                text=True,
                check=False,
            )
            if made.returncode != 0:
                print(made.stderr, file=sys.stderr)
                return 1
        service.headers["Authorization"] = f"Bearer {key}"
        print(f"1. service started in {workdir} (embedded: SQLite, local buckets, in-process worker)")
        service.start("serve", "serve")
        service.wait_healthy()

        service.api("POST", "/v1/rooms", json={"name": "demo", "platform": "daily"}).raise_for_status()
        meeting = service.api("POST", "/v1/rooms/demo/meeting").json()["meeting"]
        room = meeting["platform_room_name"]
        print(f"2. room 'demo' has meeting {room} ({meeting['room_url']})")

        names = json.loads((EXAMPLE / "participants.json").read_text())
        tracks = sorted((EXAMPLE / "tracks").iterdir())
        rec_ms = int(tracks[0].name.split("-", 1)[0])
        keys = [f"acme/{room}/{t.name}" for t in tracks]
        for k, t in zip(keys, tracks, strict=True):
            service.upload("reflector-daily", k, t)
        recording_id = str(uuid.uuid4())
        payload = {
            "recording_id": recording_id,
            "room_name": room,
            "start_ts": rec_ms // 1000,
            "status": "finished",
            "max_participants": len(tracks),
            "duration": 52,
            "type": "raw-tracks",
            "s3_key": f"acme/{room}/{rec_ms}",
            "tracks": [
                {"type": "audio", "s3Key": k, "size": t.stat().st_size} for k, t in zip(keys, tracks, strict=True)
            ],
        }
        daily.add_recording(payload, mtg_session_id="demo-session")
        daily.participants["demo-session"] = [
            {"participant_id": pid, "user_id": None, "user_name": name, "join_time": rec_ms // 1000, "duration": 52}
            for pid, name in names.items()
        ]
        print(f"3. {len(tracks)} raw tracks dropped into the local Daily bucket")

        body = json.dumps(
            {
                "version": "1.0.0",
                "type": "recording.ready-to-download",
                "id": f"rec-rtd-{recording_id}",
                "event_ts": time.time(),
                "payload": payload,
            }
        ).encode()
        r = service.http.post(
            "/v1/daily/webhook", content=body, headers=daily_headers(DAILY_SECRET, int(time.time()), body)
        )
        print(f"4. signed webhook posted: HTTP {r.status_code} {r.json()}")

        seen: list[str] = []

        def finished() -> dict[str, str] | None:
            items = service.transcripts_for(recording_id)
            if items and (not seen or seen[-1] != items[0]["status"]):
                seen.append(items[0]["status"])
                print(f"   transcript {items[0]['id']}: {items[0]['status']}")
            return items[0] if items and items[0]["status"] in ("done", "failed") else None

        item = wait_until(finished, timeout=300, interval=0.5, what="the transcript")
        text = service.api("GET", f"/v1/transcripts/{item['id']}/export.txt").text
        print("5. transcript:\n")
        print(text)
        if args.web and item["status"] == "done":
            print(f"\nOpen {service.base}/ and sign in as demo / {password}")
            print(f"The reader: {service.base}/transcripts/{item['id']}   (Ctrl-C stops the service)")
            # SIGTERM as Ctrl-C, so the finally below stops `reflector serve` in both cases.
            signal.signal(signal.SIGTERM, signal.default_int_handler)
            try:
                while service.processes["serve"].alive():
                    time.sleep(1)
            except KeyboardInterrupt:
                pass
        return 0 if item["status"] == "done" else 1
    finally:
        service.stop()
        daily.stop()
        if args.keep:
            print(f"(kept {workdir})")
        else:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
