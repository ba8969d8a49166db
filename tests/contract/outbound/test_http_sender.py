"""The httpx webhook sender against a real local HTTP server, and its SSRF guard."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from reflector_adapters.outbound.http_sender import HttpWebhookSender
from reflector_core.errors import UnsafeWebhookTargetError, WebhookDeliveryError
from reflector_core.model import DeliveryState, Meeting, Platform, Recording, RecordingKind, Room, TranscriptStatus
from reflector_core.signing import SIGNATURE_HEADER, verify
from reflector_core.usecases.outbound import announce_transcript, deliver_webhook
from tests.fakes.memory import FixedClock, MemoryStore, MemoryUnitOfWork, RecordingQueue


class Receiver:
    """A webhook receiver on 127.0.0.1 that records every request and answers ``status``."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.status = 200
        self.delay = 0.0
        self.location: str | None = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.requests.append((self.path, dict(self.headers.items()), body))
                time.sleep(receiver.delay)
                self.send_response(receiver.status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    thread = threading.Thread(target=r.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


def resolving(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    async def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError(f"unknown host {host}")
        return table[host]

    return resolve


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:{port}/hook", "loopback"),
        ("http://[::1]:{port}/hook", "loopback"),
        ("http://10.1.2.3/hook", "private"),
        ("http://192.168.0.10/hook", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://0.0.0.0/hook", "unspecified"),
        ("http://224.0.0.1/hook", "multicast"),
        ("http://240.0.0.1/hook", "reserved"),
        ("http://100.64.0.1/hook", "not globally routable"),
        ("http://[::ffff:127.0.0.1]/hook", "loopback"),
        ("http://[fe80::1]/hook", "link-local"),
        ("http://[fd00::1]/hook", "private"),
        ("http://internal.test/hook", "internal.test resolves to private address 10.0.0.5"),
        ("http://mixed.test/hook", "private address 10.0.0.5"),  # one bad address is enough
        ("ftp://hooks.example.com/hook", "http"),
        ("http://user:pw@hooks.example.com/hook", "credentials"),
    ],
)
async def test_non_public_targets_are_refused_without_a_connection(receiver: Receiver, url: str, why: str) -> None:
    sender = HttpWebhookSender(
        resolver=resolving({"internal.test": ["10.0.0.5"], "mixed.test": ["93.184.216.34", "10.0.0.5"]})
    )
    try:
        with pytest.raises(UnsafeWebhookTargetError, match=why):
            await sender.post(url.format(port=receiver.port), b"{}", {})
    finally:
        await sender.aclose()
    assert receiver.requests == []


async def test_a_public_name_is_pinned_to_its_checked_address() -> None:
    sender = HttpWebhookSender(resolver=resolving({"hooks.example.com": ["93.184.216.34", "2606:2800:220:1::1"]}))
    pinned, host = await sender.target("https://hooks.example.com:8443/in?x=1")
    await sender.aclose()
    assert str(pinned) == "https://93.184.216.34:8443/in?x=1" and host == "hooks.example.com:8443"


async def test_a_signed_post_reaches_a_local_receiver_when_allowed(receiver: Receiver) -> None:
    store = MemoryStore()
    uow = MemoryUnitOfWork(store)
    await uow.rooms.add(Room("intake", Platform.DAILY, webhook_url=receiver.url, webhook_secret="s3cret"))
    t0 = datetime(2026, 3, 12, 14, tzinfo=UTC)
    m = await uow.meetings.add(Meeting(Platform.DAILY, "m", "intake-1", "u", "u", t0, t0, room_name="intake"))
    rec, _ = await uow.recordings.upsert(
        Recording(Platform.DAILY, "r", "daily", RecordingKind.RAW_TRACKS, meeting_id=m.id)
    )
    t, _ = await uow.transcripts.ensure(rec.id or "")
    for s in (TranscriptStatus.QUEUED, TranscriptStatus.PROCESSING, TranscriptStatus.DONE):
        await uow.transcripts.transition(t.id or "", s)
    clock = FixedClock(datetime.now(UTC))
    delivery = await announce_transcript(
        t.id or "", unit_of_work=lambda: MemoryUnitOfWork(store), queue=RecordingQueue(), clock=clock
    )
    assert delivery is not None
    sender = HttpWebhookSender(allow_private=True)
    try:
        outcome = await deliver_webhook(
            delivery.event_id, unit_of_work=lambda: MemoryUnitOfWork(store), sender=sender, clock=clock
        )
    finally:
        await sender.aclose()
    assert outcome.state is DeliveryState.DELIVERED and outcome.status_code == 200
    ((path, headers, body),) = receiver.requests
    assert path == "/hook" and body == delivery.body.encode()
    assert headers["Content-Type"] == "application/json" and headers["X-Reflector-Event"] == "transcript.completed"
    assert verify("s3cret", body, headers[SIGNATURE_HEADER], now=time.time()) > 0


async def test_the_connection_goes_to_the_resolved_address_with_the_name_as_host(receiver: Receiver) -> None:
    # "receiver.test" exists only in the injected resolver: reaching the server proves nothing resolved it again.
    sender = HttpWebhookSender(allow_private=True, resolver=resolving({"receiver.test": ["127.0.0.1"]}))
    try:
        status = await sender.post(f"http://receiver.test:{receiver.port}/hook", b'{"a":1}', {"X-Test": "1"})
    finally:
        await sender.aclose()
    assert status == 200
    ((_, headers, body),) = receiver.requests
    assert headers["Host"] == f"receiver.test:{receiver.port}" and headers["X-Test"] == "1" and body == b'{"a":1}'


async def test_redirects_are_returned_not_followed(receiver: Receiver) -> None:
    receiver.status, receiver.location = 302, "http://169.254.169.254/latest/meta-data/"
    sender = HttpWebhookSender(allow_private=True)
    try:
        assert await sender.post(receiver.url, b"{}", {}) == 302
    finally:
        await sender.aclose()
    assert len(receiver.requests) == 1


async def test_error_statuses_come_back_as_statuses(receiver: Receiver) -> None:
    sender = HttpWebhookSender(allow_private=True)
    try:
        for status in (404, 500):
            receiver.status = status
            assert await sender.post(receiver.url, b"{}", {}) == status
    finally:
        await sender.aclose()


async def test_a_slow_receiver_is_a_retryable_timeout(receiver: Receiver) -> None:
    receiver.delay = 1.0
    sender = HttpWebhookSender(allow_private=True, timeout=0.2)
    try:
        with pytest.raises(WebhookDeliveryError, match=r"no answer within 0\.2 s"):
            await sender.post(receiver.url, b"{}", {})
    finally:
        await sender.aclose()


async def test_refused_connections_and_unknown_names_are_retryable(receiver: Receiver) -> None:
    port = receiver.port
    receiver.server.shutdown()
    receiver.server.server_close()
    sender = HttpWebhookSender(allow_private=True, resolver=resolving({}))
    try:
        with pytest.raises(WebhookDeliveryError):
            await sender.post(f"http://127.0.0.1:{port}/hook", b"{}", {})
        with pytest.raises(WebhookDeliveryError, match="cannot resolve"):
            await sender.post("http://nowhere.test/hook", b"{}", {})
    finally:
        await sender.aclose()
