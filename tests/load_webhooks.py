"""Load test of the Daily webhook intake: signed events at a real server on 127.0.0.1, then a database check.

    python tests/load_webhooks.py [--events 2000] [--concurrency 20] [--duplicates 0.10] [--bad 0.05]
                                  [--postgres postgres@127.0.0.1:5432] [--worker] [--transcribe N]

It starts the service in a child process in embedded mode (SQLite, or with ``--postgres`` a fresh
PostgreSQL database created and dropped for the run, and local-folder buckets in a temporary directory, the in-process Dramatiq broker with no worker consuming: the measurement is the intake path,
i.e. verify the signature, record the event id, enqueue, answer). It sends ``--events`` requests with at
most ``--concurrency`` in flight: exact duplicates of earlier valid requests, requests signed with the
wrong secret, and the rest unique ``participant.joined`` / ``meeting.ended`` events (no recording, so no
transcription). It prints throughput and latency percentiles, then checks in the database that every
valid event id was recorded exactly once and no badly signed one was, and that every bad request got 401.
Exit status 0 only when every check holds.

``--worker`` runs the real ``reflector serve`` instead (embedded: its worker consumes the events' jobs
and its scheduler runs). ``--transcribe N`` (implies ``--worker``) first posts N recordings of the
fixture meeting (two raw tracks, a fake Daily API on 127.0.0.1 for names) and waits until the first
is being transcribed, so the load meets a transcription running: the tool reports at each round's
boundary whether one still was, and fails if the worker went idle before the last round.

Requests go to 127.0.0.1 only; the count is bounded by ``--events`` and the run by ``--timeout`` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.fakes.daily_api import FakeDaily  # noqa: E402
from tests.fakes.signing import daily_headers  # noqa: E402
from tests.integration.harness import free_port, meeting_webhook, track_files, truth  # noqa: E402
from tests.services import PgServer  # noqa: E402

HOST = "127.0.0.1"
MAX_EVENTS = 100_000
SECRET = base64.b64encode(secrets.token_bytes(32)).decode()
WRONG_SECRET = base64.b64encode(secrets.token_bytes(32)).decode()
PING = b'{"test":"test"}'
ROUNDS = 10


def event(n: int, now: int) -> tuple[str, bytes]:
    event_id = f"load-{n:06d}-{secrets.token_hex(4)}"
    room = f"load-{n % 50:02d}-20260312140000"
    if n % 2:
        payload: dict[str, Any] = {
            "room": room,
            "session_id": f"s-{n}",
            "user_id": f"u-{n}",
            "user_name": f"Load {n}",
            "joined_at": now,
        }
        kind = "participant.joined"
    else:
        payload = {"room": room, "meeting_id": f"m-{n}", "start_ts": now - 3600, "end_ts": now}
        kind = "meeting.ended"
    body = {"version": "1.0.0", "type": kind, "id": event_id, "payload": payload, "event_ts": now}
    return event_id, json.dumps(body).encode()


def plan(total: int, duplicate_share: float, bad_share: float, rng: random.Random) -> list[dict[str, Any]]:
    """Every request to send, in order: unique valid ones, exact duplicates of them, badly signed ones."""
    now = int(time.time())
    bad = round(total * bad_share)
    duplicates = round(total * duplicate_share)
    unique = total - bad - duplicates
    valid = []
    for n in range(unique):
        event_id, body = event(n, now)
        valid.append({"id": event_id, "body": body, "headers": daily_headers(SECRET, now, body), "kind": "valid"})
    requests = list(valid)
    for original in rng.sample(valid, duplicates) if duplicates <= unique else rng.choices(valid, k=duplicates):
        requests.append({**original, "kind": "duplicate"})
    for n in range(unique, unique + bad):
        event_id, body = event(n, now)
        requests.append(
            {"id": event_id, "body": body, "headers": daily_headers(WRONG_SECRET, now, body), "kind": "bad"}
        )
    rng.shuffle(requests)
    return requests


async def send_all(
    base: str, requests: list[dict[str, Any]], concurrency: int, deadline: float
) -> list[dict[str, Any]]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    results: list[dict[str, Any]] = []
    pending = iter(requests)

    async def worker(client: httpx.AsyncClient) -> None:
        for req in pending:
            if time.monotonic() > deadline:
                return
            start = time.perf_counter()
            try:
                r = await client.post("/v1/daily/webhook", content=req["body"], headers=req["headers"])
                status, reply = r.status_code, (r.json().get("status") if r.status_code == 200 else None)
            except httpx.HTTPError as exc:
                status, reply = 0, type(exc).__name__
            results.append({**req, "status": status, "reply": reply, "seconds": time.perf_counter() - start})

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30, trust_env=False) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return results


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def recorded_ids(database_url: str) -> Counter[str]:
    from sqlalchemy import select

    from reflector_adapters.db import create_engine
    from reflector_adapters.db.tables import webhook_event

    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(select(webhook_event.c.event_id).where(webhook_event.c.platform == "daily"))
            return Counter(r[0] for r in rows)
    finally:
        await engine.dispose()


def wait_healthy(base: str, server: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode} before answering")
        try:
            if httpx.get(f"{base}/health", timeout=1, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer /health within {timeout:g} s")


def run(args: argparse.Namespace) -> int:
    if not 0 < args.events <= MAX_EVENTS:
        raise SystemExit(f"--events must be 1..{MAX_EVENTS}")
    if not 0 <= args.duplicates + args.bad < 1:
        raise SystemExit("--duplicates + --bad must be below 1")
    rng = random.Random(args.seed)
    pg = PgServer.parse(args.postgres) if args.postgres else None
    pg_database = asyncio.run(pg.create_database("reflector_load")) if pg else None
    try:
        return _run(args, rng, pg.url(pg_database) if pg and pg_database else None)
    finally:
        if pg is not None and pg_database is not None:
            asyncio.run(pg.drop_database(pg_database))


def _run(args: argparse.Namespace, rng: random.Random, pg_url: str | None) -> int:
    fake = FakeDaily().start()
    try:
        with tempfile.TemporaryDirectory(prefix="reflector-load-") as tmp_name:
            return _run_in(args, rng, pg_url, Path(tmp_name), fake)
    finally:
        fake.stop()


def _run_in(args: argparse.Namespace, rng: random.Random, pg_url: str | None, tmp: Path, fake: FakeDaily) -> int:
    database_url = pg_url or f"sqlite+aiosqlite:///{tmp / 'reflector.db'}"
    env = server_env(args, tmp, database_url, fake.url)
    from reflector_adapters.db.migrate import upgrade

    asyncio.run(upgrade(database_url))
    port = free_port()
    base = f"http://{HOST}:{port}"
    server = start_server(args, tmp, env, port)
    busy: list[bool] = []
    transcriptions = None
    try:
        wait_healthy(base, server, 120)
        transcriptions = Transcriptions(base, env, tmp, fake) if args.transcribe else None
        if transcriptions is not None:
            transcriptions.start(args.transcribe, server)
        requests = plan(args.events, args.duplicates, args.bad, rng)
        results, floor_results, elapsed, floor_elapsed = rounds(base, args, requests, transcriptions, busy)
    finally:
        stop_server(server)
    recorded = asyncio.run(recorded_ids(database_url))
    for event_id in transcriptions.event_ids if transcriptions is not None else ():
        del recorded[event_id]  # the recordings' own webhooks
    server_log = (tmp / "server.log").read_text(errors="replace")
    floor_ok = report_floor(floor_results, floor_elapsed, results, elapsed)
    busy_ok = report_busy(busy) if args.transcribe else 0
    return report(args, requests, results, elapsed, recorded, server_log) or floor_ok or busy_ok


def server_env(args: argparse.Namespace, tmp: Path, database_url: str, daily_api: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFLECTOR_")}  # embedded whatever the caller's
    env |= {
        "REFLECTOR_DATABASE_URL": database_url,
        "REFLECTOR_STORAGE_BACKEND": "local",
        "REFLECTOR_STORAGE_DIR": str(tmp / "storage"),
        "REFLECTOR_DAILY_WEBHOOK_SECRET": SECRET,
        "PYTHONUNBUFFERED": "1",
    }
    if args.worker or args.transcribe:
        env |= {
            "REFLECTOR_DAILY_API_KEY": "test-key",  # the fake's
            "REFLECTOR_DAILY_API_URL": daily_api,
            "REFLECTOR_DAILY_SUBDOMAIN": "acme",  # the fixture meeting's keys
            "REFLECTOR_DAILY_BUCKET_REGION": "us-east-1",
            "REFLECTOR_DAILY_BUCKET_ROLE_ARN": "arn:aws:iam::123456789012:role/daily-writes",
            "REFLECTOR_DAILY_POLL_SECONDS": "3600",  # the recordings arrive by webhook
            "REFLECTOR_ALLOW_PRIVATE_WEBHOOK_TARGETS": "true",
        }
    return env


def start_server(args: argparse.Namespace, tmp: Path, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """The real ``reflector serve`` (``--worker``), or this file's intake-only server; its log in a file."""
    if args.worker or args.transcribe:
        command = [sys.executable, "-m", "reflector_app.cli", "serve", "--port", str(port)]
    else:
        command = [sys.executable, __file__, "--serve", "--port", str(port)]
    with (tmp / "server.log").open("wb") as log:
        # cwd: no .env file of the caller's checkout is read
        return subprocess.Popen(command, env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=log)


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


Results = list[dict[str, Any]]


def rounds(
    base: str,
    args: argparse.Namespace,
    requests: Results,
    transcriptions: Transcriptions | None,
    busy: list[bool],
) -> tuple[Results, Results, float, float]:
    """Floor and intake alternate in rounds, so a change in the machine's other load (it is shared)
    falls on both alike and the ratios stay meaningful."""
    # The floor: the same route, count and concurrency, but Daily's ping, answered before any work.
    ping = {"id": "", "body": PING, "headers": {"Content-Type": "application/json"}, "kind": "floor"}
    floor = [ping] * len(requests)
    deadline = time.monotonic() + args.timeout
    results: Results = []
    floor_results: Results = []
    elapsed = floor_elapsed = 0.0
    for n in range(ROUNDS):
        if transcriptions is not None:
            busy.append(transcriptions.running())
        order = ((floor, floor_results), (requests, results))
        for batch, into in order if n % 2 == 0 else order[::-1]:  # neither always goes first
            chunk = batch[n * len(batch) // ROUNDS : (n + 1) * len(batch) // ROUNDS]
            started = time.perf_counter()
            into.extend(asyncio.run(send_all(base, chunk, args.concurrency, deadline)))
            if batch is floor:
                floor_elapsed += time.perf_counter() - started
            else:
                elapsed += time.perf_counter() - started
    if transcriptions is not None:
        busy.append(transcriptions.running())
    return results, floor_results, elapsed, floor_elapsed


class Transcriptions:
    """Recordings of the fixture meeting for the server's worker to transcribe while the load runs."""

    def __init__(self, base: str, env: dict[str, str], tmp: Path, fake: FakeDaily) -> None:
        self.fake = fake
        self.event_ids: list[str] = []
        self.storage = Path(env["REFLECTOR_STORAGE_DIR"]) / "reflector-daily"
        made = subprocess.run(
            [sys.executable, "-m", "reflector_app.cli", "apikey", "create", "--owner", "load"],
            env=env,
            cwd=tmp,
            capture_output=True,
            text=True,
            check=True,
        )
        key = next(w for w in made.stdout.split() if w.startswith("rk_"))
        self.api = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60, trust_env=False)

    def start(self, count: int, server: subprocess.Popen[bytes]) -> None:
        for n in range(count):
            self._post(f"load-meeting-{n}")
        deadline = time.monotonic() + 300
        while self.statuses().get("processing", 0) == 0:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"no transcription started (statuses {self.statuses()})")
            time.sleep(0.5)
        print(f"transcribe   {count} recording(s) queued; the first is being transcribed")

    def _post(self, room: str) -> None:
        r = self.api.post("/v1/rooms", json={"name": room, "platform": "daily", "recording_kind": "raw-tracks"})
        r.raise_for_status()
        r = self.api.post(f"/v1/rooms/{room}/meeting")
        r.raise_for_status()
        body = meeting_webhook(r.json()["meeting"]["platform_room_name"], recording_id=str(uuid.uuid4()))
        for key, path in track_files(body).items():
            (self.storage / key).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, self.storage / key)
        session = f"session-{room}"
        self.fake.add_recording(body["payload"], mtg_session_id=session)
        self.fake.participants[session] = [
            {
                "participant_id": p["participant_id"],
                "user_id": p["user_id"],
                "user_name": p["name"],
                "join_time": 1773480603,
                "duration": 26,
            }
            for p in truth()["participants"]
        ]
        raw = json.dumps(body).encode()
        self.event_ids.append(body["id"])
        r = self.api.post("/v1/daily/webhook", content=raw, headers=daily_headers(SECRET, int(time.time()), raw))
        r.raise_for_status()

    def statuses(self) -> Counter[str]:
        r = self.api.get("/v1/transcripts", params={"limit": 100})
        r.raise_for_status()
        return Counter(t["status"] for t in r.json()["items"])

    def running(self) -> bool:
        return self.statuses().get("processing", 0) > 0


def report_busy(busy: list[bool]) -> int:
    print(f"transcribing at the {len(busy)} round boundaries: {''.join('y' if b else 'n' for b in busy)}")
    if not all(busy[:-1]):
        print("FAILED: the worker went idle before the last round (queue more with --transcribe)")
        return 1
    return 0


def _figures(results: list[dict[str, Any]], elapsed: float) -> tuple[float, float, float]:
    latencies = [r["seconds"] * 1000 for r in results]
    return len(results) / elapsed, percentile(latencies, 50), percentile(latencies, 99)


def report_floor(
    floor: list[dict[str, Any]], floor_elapsed: float, results: list[dict[str, Any]], elapsed: float
) -> int:
    """The no-op floor and the intake's ratios to it (the targets: >= 50 % throughput, p99 <= 5x)."""
    f_rate, f_p50, f_p99 = _figures(floor, floor_elapsed)
    rate, _, p99 = _figures(results, elapsed)
    print(
        f"floor        {len(floor)} pings in {floor_elapsed:.2f} s -> {f_rate:.0f} requests/s, p50 {f_p50:.1f}, p99 {f_p99:.1f} ms"
    )
    print(f"vs floor     throughput {rate / f_rate:.0%} of the floor, p99 {p99 / f_p99:.1f}x the floor's")
    failed = [r for r in floor if r["status"] != 200]
    if failed:
        print(f"FAILED: {len(failed)} floor requests were not answered 200, e.g. {failed[0]['status']}")
        return 1
    return 0


def report(
    args: argparse.Namespace,
    requests: list[dict[str, Any]],
    results: list[dict[str, Any]],
    elapsed: float,
    recorded: Counter[str],
    server_log: str,
) -> int:
    latencies = [r["seconds"] * 1000 for r in results]
    by_kind = Counter(r["kind"] for r in requests)
    outcomes = Counter((r["kind"], r["status"], r["reply"]) for r in results)
    valid_ids = {r["id"] for r in requests if r["kind"] == "valid"}
    bad_ids = {r["id"] for r in requests if r["kind"] == "bad"}
    problems = []
    if len(results) != len(requests):
        problems.append(f"only {len(results)} of {len(requests)} requests were sent within {args.timeout:g} s")
    missing = [i for i in valid_ids if recorded[i] != 1]
    if missing:
        problems.append(f"{len(missing)} valid event id(s) not recorded exactly once, e.g. {missing[:3]}")
    leaked = [i for i in bad_ids if recorded[i]]
    if leaked:
        problems.append(f"{len(leaked)} badly signed event id(s) were recorded, e.g. {leaked[:3]}")
    if set(recorded) - valid_ids - bad_ids:
        problems.append(f"{len(set(recorded) - valid_ids - bad_ids)} unexpected event id(s) in webhook_event")
    rejected = sum(1 for r in results if r["kind"] == "bad" and r["status"] == 401)
    if rejected != by_kind["bad"]:
        problems.append(f"{rejected} of {by_kind['bad']} badly signed requests got 401")
    accepted = sum(1 for r in results if r["reply"] == "accepted")
    if accepted != len(valid_ids):
        problems.append(f"{accepted} requests answered 'accepted', expected {len(valid_ids)} (one per valid id)")
    errors = [r for r in results if r["status"] not in (200, 401)]
    if errors:
        problems.append(f"{len(errors)} request(s) answered neither 200 nor 401, e.g. {errors[0]['status']}")

    print(f"requests     {len(results)} sent of {len(requests)} ({dict(by_kind)}), concurrency {args.concurrency}")
    print(f"elapsed      {elapsed:.2f} s -> {len(results) / elapsed:.0f} requests/s")
    if latencies:
        print(
            f"latency ms   p50 {percentile(latencies, 50):.1f}  p90 {percentile(latencies, 90):.1f}  "
            f"p99 {percentile(latencies, 99):.1f}  max {max(latencies):.1f}  mean {statistics.fmean(latencies):.1f}"
        )
    for (kind, status, reply), n in sorted(outcomes.items(), key=str):
        print(f"  {kind:<9} -> {status} {reply or ''}: {n}")
    print(f"database     {len(recorded)} webhook_event rows; {len(valid_ids)} valid ids; {len(bad_ids)} bad ids")
    if problems:
        print("FAILED:\n  " + "\n  ".join(problems))
        print("server log (last lines):\n" + "\n".join(server_log.splitlines()[-20:]), file=sys.stderr)
        return 1
    print("OK: every valid event recorded exactly once, every bad signature rejected with 401")
    return 0


def serve(port: int) -> None:
    """The child process: the real composition root and app under uvicorn, on loopback only."""
    import uvicorn

    from reflector_app.bootstrap import build_container
    from reflector_app.http import create_app
    from reflector_app.settings import load_settings
    from reflector_app.workers.broker import DramatiqQueue, make_broker

    async def main() -> None:
        settings = load_settings(env_file=None)
        container = await build_container(settings, queue=DramatiqQueue(make_broker(settings)))
        try:
            config = uvicorn.Config(create_app(container), host=HOST, port=port, log_level="warning", access_log=False)
            await uvicorn.Server(config).serve()
        finally:
            await container.aclose()

    asyncio.run(main())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2000, help="requests to send (default 2000)")
    parser.add_argument("--concurrency", type=int, default=20, help="requests in flight at most (default 20)")
    parser.add_argument("--duplicates", type=float, default=0.10, help="share of exact redeliveries (default 0.10)")
    parser.add_argument("--bad", type=float, default=0.05, help="share signed with a wrong secret (default 0.05)")
    parser.add_argument("--timeout", type=float, default=300, help="stop sending after this many seconds")
    parser.add_argument("--seed", type=int, default=8, help="random seed for the order of requests")
    parser.add_argument(
        "--postgres",
        metavar="USER@HOST:PORT",
        help="run on a fresh PostgreSQL database on that server (created and dropped) instead of SQLite",
    )
    parser.add_argument(
        "--worker", action="store_true", help="run the real `reflector serve` (embedded worker and scheduler)"
    )
    parser.add_argument(
        "--transcribe",
        type=int,
        default=0,
        metavar="N",
        help="queue N meeting recordings first, so the load runs while the worker transcribes (implies --worker)",
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.port)
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
