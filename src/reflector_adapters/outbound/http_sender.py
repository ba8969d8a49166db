"""The ``WebhookSender`` over httpx, with the SSRF guard.

A room owner chooses the URL, so without a guard a webhook could make Reflector POST into its own
network (the cloud metadata service at 169.254.169.254, a database admin page on 10.x, localhost).
The host is resolved once, EVERY address is checked (a name with one public and one private address
is refused), and the connection goes to the checked address, with the original name in ``Host`` and
in TLS SNI (so certificates are still verified against the name). Resolving again at connect time
would let a DNS answer with a short TTL swap in a private address after the check (DNS rebinding).

Redirects are never followed (a public URL could redirect inside), proxies from the environment are
ignored (the proxy would resolve the name itself), and connections are not reused: a pooled TLS
connection is keyed by address, and reusing one opened for another name on the same address would
skip that name's certificate check.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Mapping

import httpx

from reflector_core.errors import UnsafeWebhookTargetError, WebhookDeliveryError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]
"""``(host, port)`` → every IP address the name resolves to."""

DEFAULT_TIMEOUT = 10.0


async def system_resolver(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def refusal(address: Address) -> str | None:
    """Why Reflector must not connect to ``address``; ``None`` when it is a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address):
        # ::ffff:10.0.0.1 reaches 10.0.0.1; 6to4 and Teredo addresses embed an IPv4 address as well.
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None:
            reason = refusal(embedded)
            if reason is not None:
                return f"{reason} (embedded in {address})"
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("not globally routable", not address.is_global),
    )
    return next((f"{name} address {address}" for name, hit in checks if hit), None)


class HttpWebhookSender:
    """POSTs webhooks; refuses non-public targets unless ``allow_private`` (a deliberate setting for tests
    and for on-premises receivers: ``REFLECTOR_ALLOW_PRIVATE_WEBHOOK_TARGETS``)."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        resolver: Resolver = system_resolver,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._allow_private = allow_private
        self._resolver = resolver
        self._timeout = timeout
        self._client = httpx.AsyncClient(
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_keepalive_connections=0),
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def target(self, url: str) -> tuple[httpx.URL, str]:
        """The URL with its host replaced by the checked address, and the ``Host`` header to send."""
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise UnsafeWebhookTargetError(url, f"not a URL: {exc}") from exc
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise UnsafeWebhookTargetError(url, "only http(s) URLs with a host are allowed")
        if parsed.userinfo:
            raise UnsafeWebhookTargetError(url, "credentials in the URL are not allowed")
        host = parsed.host
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            try:
                resolved = await self._resolver(host, port)
            except OSError as exc:  # DNS may recover: a transient failure
                raise WebhookDeliveryError(url, f"cannot resolve {host}: {exc}") from exc
            try:
                addresses = [ipaddress.ip_address(a.split("%")[0]) for a in resolved]
            except ValueError as exc:
                raise UnsafeWebhookTargetError(url, f"{host} resolved to a non-address: {exc}") from exc
        if not addresses:
            raise WebhookDeliveryError(url, f"{host} resolved to no address")
        if not self._allow_private:
            for address in addresses:
                reason = refusal(address)
                if reason is not None:
                    raise UnsafeWebhookTargetError(
                        url, reason if str(address) == host else f"{host} resolves to {reason}"
                    )
        bracketed = f"[{host}]" if ":" in host else host  # an IPv6 literal
        host_header = bracketed if parsed.port is None else f"{bracketed}:{parsed.port}"
        return parsed.copy_with(host=str(addresses[0])), host_header

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        pinned, host_header = await self.target(url)
        name = httpx.URL(url).host
        extensions = {"sni_hostname": name} if pinned.scheme == "https" else {}
        request_headers = {**headers, "Host": host_header}
        try:
            async with self._client.stream(
                "POST", pinned, content=body, headers=request_headers, extensions=extensions
            ) as response:
                # The body is never read: only the status matters, and a huge answer must not cost memory.
                return response.status_code
        except httpx.TimeoutException as exc:
            raise WebhookDeliveryError(url, f"no answer within {self._timeout:g} s ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise WebhookDeliveryError(url, f"{type(exc).__name__}: {exc}") from exc
