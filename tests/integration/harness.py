"""Run Reflector as real processes for end-to-end tests.

Two deployments share one test body:
- ``embedded``: SQLite, local-folder buckets, the in-process queue; ``reflector serve`` alone runs the
  API, the worker and the scheduler.
- ``production``: PostgreSQL, Redis (Dramatiq), S3 and SQS on moto's server; ``reflector serve`` for the
  API, ``reflector worker`` processes and one ``reflector scheduler``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
AUDIO = REPO / "tests" / "fixtures" / "audio" / "meeting"
WHEREBY = REPO / "tests" / "fixtures" / "whereby"
DAILY_SECRET = "GZ9cAxfGpOhdmyybuGi1aZ42AatN/3x6m6XCzwxsNWc="
WHEREBY_SECRET = "whereby-test-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(predicate: Callable[[], Any], *, timeout: float, interval: float = 0.5, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


class Process:
    """One ``reflector`` command, its output in a log file that failing tests print."""

    def __init__(self, name: str, args: list[str], env: Mapping[str, str], cwd: Path) -> None:
        self.name = name
        self.log_path = cwd / f"{name}.log"
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "reflector_app.cli", *args],
            env=dict(env),
            cwd=cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to clean up, like an OOM kill or a lost machine."""
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()

    def tail(self, lines: int = 60) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return f"--- {self.name} ---\n" + "\n".join(text[-lines:])


class Service:
    """A running deployment: its processes, environment and HTTP client."""

    def __init__(self, kind: str, env: dict[str, str], workdir: Path, upload: Callable[[str, str, Path], None]) -> None:
        self.kind = kind
        self.env = env
        self.workdir = workdir
        self.upload = upload
        """``upload(bucket, key, file)`` puts an object where the platforms would."""
        self.port = int(env["REFLECTOR_PORT"])
        self.base = f"http://127.0.0.1:{self.port}"
        self.processes: dict[str, Process] = {}
        self.headers: dict[str, str] = {}
        self.buckets: dict[str, str] = {
            "transcripts": "reflector-transcripts",
            "daily": "reflector-daily",
            "whereby": "reflector-whereby",
        }
        """Bucket names by role; S3 deployments replace them with moto's."""
        self.s3: Any = None
        """A boto3 S3 client on the deployment's store, or ``None`` for local-folder buckets."""
        self.sqs: Any = None
        self.queue_url: str | None = None
        self.http = httpx.Client(base_url=self.base, timeout=30)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "reflector_app.cli", *args],
            env=self.env,
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def start(self, name: str, *args: str) -> Process:
        process = Process(name, list(args), self.env, self.workdir)
        self.processes[name] = process
        return process

    def wait_healthy(self, timeout: float = 60) -> None:
        def ok() -> bool:
            for p in self.processes.values():
                if not p.alive():
                    raise AssertionError(f"{p.name} exited early\n{p.tail()}")
            try:
                return self.http.get("/health").status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(ok, timeout=timeout, what="the API to answer /health")

    def logs(self) -> str:
        return "\n".join(p.tail() for p in self.processes.values())

    def stop(self) -> None:
        self.http.close()
        for p in self.processes.values():
            p.stop()

    # --- the API, as a client would use it -----------------------------------------------------

    def api(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return self.http.request(method, path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def transcripts_for(self, recording_id: str) -> list[dict[str, Any]]:
        r = self.api("GET", "/v1/transcripts", params={"recording_id": recording_id})
        assert r.status_code == 200, r.text
        return list(r.json()["items"])

    def wait_transcript(self, recording_id: str, *, timeout: float = 240) -> dict[str, Any]:
        def finished() -> dict[str, Any] | None:
            items = self.transcripts_for(recording_id)
            done = [t for t in items if t["status"] in ("done", "failed")]
            return done[0] if done else None

        try:
            item = wait_until(finished, timeout=timeout, interval=1.0, what=f"transcript of {recording_id}")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.logs()}") from None
        detail = self.api("GET", f"/v1/transcripts/{item['id']}")
        assert detail.status_code == 200, detail.text
        return dict(detail.json())


def platform_env(fake_daily_url: str, fake_whereby_url: str) -> dict[str, str]:
    return {
        "REFLECTOR_WHEREBY_API_KEY": "whereby-key",
        "REFLECTOR_WHEREBY_API_URL": fake_whereby_url,
        "REFLECTOR_WHEREBY_UPLOAD_ACCESS_KEY_ID": "whereby-upload",
        "REFLECTOR_WHEREBY_UPLOAD_SECRET_ACCESS_KEY": "whereby-upload-secret",
        "REFLECTOR_WHEREBY_RECORDINGS_PREFIX": "recordings",
        "REFLECTOR_DAILY_API_KEY": "test-key",
        "REFLECTOR_DAILY_API_URL": fake_daily_url,
        "REFLECTOR_DAILY_SUBDOMAIN": "acme",  # the fixtures' keys: acme/{room}/…
        "REFLECTOR_DAILY_WEBHOOK_SECRET": DAILY_SECRET,
        "REFLECTOR_DAILY_BUCKET_REGION": "us-east-1",
        "REFLECTOR_DAILY_BUCKET_ROLE_ARN": "arn:aws:iam::123456789012:role/daily-writes",
        "REFLECTOR_WHEREBY_WEBHOOK_SECRET": WHEREBY_SECRET,
    }


def base_env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFLECTOR_")}
    env.update(
        {
            "REFLECTOR_PORT": str(free_port()),
            "REFLECTOR_STORAGE_DIR": str(workdir / "storage"),
            "REFLECTOR_DAILY_POLL_SECONDS": "3",
            "REFLECTOR_DAILY_POLL_LOOKBACK_HOURS": "87600",
            "REFLECTOR_SQS_POLL_SECONDS": "1",
            "REFLECTOR_ALLOW_PRIVATE_WEBHOOK_TARGETS": "true",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def local_upload(storage_dir: Path) -> Callable[[str, str, Path], None]:
    def upload(bucket: str, key: str, file: Path) -> None:
        target = storage_dir / bucket / key
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, target)

    return upload


def _moved(key: str, room_name: str) -> str:
    """A Daily key ``{domain}/{room}/{file}`` moved to another platform room (keys carry the room)."""
    domain, _room, rest = key.split("/", 2)
    return f"{domain}/{room_name}/{rest}"


def meeting_webhook(room_name: str, *, recording_id: str | None = None) -> dict[str, Any]:
    """The fixture meeting's ``recording.ready-to-download`` body, moved to ``room_name`` (keys too)."""
    body: dict[str, Any] = json.loads((AUDIO / "webhook.json").read_text())
    payload = body["payload"]
    payload["room_name"] = room_name
    payload["s3_key"] = _moved(payload["s3_key"], room_name)
    for t in payload["tracks"]:
        t["s3Key"] = _moved(t["s3Key"], room_name)
    if recording_id:
        payload["recording_id"] = recording_id
        body["id"] = f"rec-rtd-{recording_id}"
    return body


def truth() -> dict[str, Any]:
    return dict(json.loads((AUDIO / "truth.json").read_text()))


def track_files(body: dict[str, Any]) -> dict[str, Path]:
    """Object key → local file for the audio tracks of ``body`` (a ``meeting_webhook``)."""
    files = {}
    for t in body["payload"]["tracks"]:
        name = t["s3Key"].rsplit("/", 1)[1]
        if (AUDIO / name).exists():
            files[t["s3Key"]] = AUDIO / name
    return files
