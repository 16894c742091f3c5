"""The guarded client: every outbound HTTP call is checked, resolved once and sent to the checked IP.

A request's host is refused when it names a metadata service, spells an IP in a legacy numeric form
or resolves to any refused address; private and loopback targets pass only when the server allows
them. The connection then goes to the checked IP (no second lookup, so no DNS rebinding) while the
URL, the Host header and TLS's SNI and certificate check keep the name. Proxies from the environment
are ignored (they would reach the target by a name of their own).
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import certifi
import httpcore
import httpx

from kefu.outbound.addresses import (
    IPAddress,
    Reach,
    classify,
    is_metadata_host,
    is_obscured_ip,
    literal_address,
)

log = logging.getLogger(__name__)

EXTENSION = "kefu.outbound"
"""Key of the `Resolution` in a guarded request's (and so its response's request's) extensions."""
DEFAULT_TIMEOUT_SECONDS = 10.0


class OutboundRefused(httpx.TransportError):
    """The target is not one this server may call; `reason` says why (no secrets, no path)."""

    def __init__(self, reason: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(f"outbound call refused: {reason}", request=request)
        self.reason = reason


class Resolver(Protocol):
    """Turns a host name into the IP addresses to check and connect to."""

    def __call__(self, host: str, port: int) -> list[str]:
        """Every address of `host` (empty or raising OSError when it does not resolve)."""
        ...


def system_resolver(host: str, port: int) -> list[str]:
    """The operating system's resolver (getaddrinfo), every address family."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class StaticResolver:
    """A fixed table of names (for tests and pinned hosts); unknown names get `default` or fail."""

    table: Mapping[str, list[str]] = field(default_factory=dict)
    default: tuple[str, ...] = ()

    def __call__(self, host: str, port: int) -> list[str]:
        """The table's addresses of `host`, else the default ones, else OSError."""
        found = self.table.get(host.lower().rstrip("."), list(self.default))
        if not found:
            raise OSError(f"cannot resolve {host}")
        return list(found)


@dataclass(frozen=True)
class Resolution:
    """The checked address a request goes to, and whether it is on a private network."""

    host: str
    ip: str
    private: bool


@dataclass(frozen=True)
class OutboundPolicy:
    """What this server lets admins point outbound calls at (server capability, from config)."""

    allow_private: bool = False
    resolver: Resolver = system_resolver

    def check_host(self, host: str) -> None:
        """Refuse a host by its spelling alone (metadata names, obscured IPs, refused literals)."""
        if not host:
            raise OutboundRefused("the URL has no host")
        if is_metadata_host(host):
            raise OutboundRefused("cloud metadata services are never reachable")
        address = literal_address(host)
        if address is None and is_obscured_ip(host):
            raise OutboundRefused("write IP addresses in dotted decimal (a.b.c.d)")
        if address is not None:
            self._judge(address)

    def resolve(self, host: str, port: int) -> Resolution:
        """Check the host, resolve it and check every address; the first one is the one to use."""
        self.check_host(host)
        address = literal_address(host)
        if address is not None:
            return Resolution(host, str(address), classify(address) is Reach.PRIVATE)
        try:
            found = self.resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise OutboundRefused(f"the host {host!r} does not resolve") from exc
        if not found:
            raise OutboundRefused(f"the host {host!r} does not resolve")
        addresses = []
        for text in found:
            resolved = literal_address(text)
            if resolved is None:
                raise OutboundRefused(f"the host {host!r} resolves to something that is not an IP")
            addresses.append(resolved)
        reaches = [self._judge(address) for address in addresses]
        return Resolution(host, str(addresses[0]), Reach.PRIVATE in reaches)

    def check_url(self, url: str, *, resolve: bool = True) -> Resolution | None:
        """Check a URL an admin configures; resolves it when asked (a name that does not resolve yet
        passes: it is checked again on every call)."""
        parsed = httpx.URL(url)
        host = parsed.host
        if not resolve:
            self.check_host(host)
            return None
        try:
            return self.resolve(host, parsed.port or (443 if parsed.scheme == "https" else 80))
        except OutboundRefused as exc:
            if "does not resolve" in exc.reason:
                return None
            raise

    def _judge(self, address: IPAddress) -> Reach:
        reach = classify(address)
        if reach is Reach.REFUSED:
            raise OutboundRefused(
                "link-local, metadata, multicast and reserved addresses are never reachable"
            )
        if reach is Reach.PRIVATE and not self.allow_private:
            raise OutboundRefused(
                "private and loopback addresses are off on this server (KEFU_ALLOW_PRIVATE_OUTBOUND)"
            )
        return reach


class _PinnedBackend(httpcore.SyncBackend):
    """Connects to the checked IP of a host, never to a name (so nothing is resolved twice)."""

    def __init__(self) -> None:
        self._pins: dict[tuple[str, int], str] = {}
        self._lock = threading.Lock()

    def pin(self, host: str, port: int, ip: str) -> None:
        """Use `ip` for connections to (host, port) from now on."""
        with self._lock:
            self._pins[(host.lower(), port)] = ip

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        """Open the TCP connection to the pinned address of (host, port); refuse unpinned hosts."""
        with self._lock:
            ip = self._pins.get((host.lower(), port))
        if ip is None:
            raise httpcore.ConnectError(f"no checked address for {host}")
        return super().connect_tcp(ip, port, timeout, local_address, socket_options)


class _PinnedTransport(httpx.HTTPTransport):
    """httpx's transport over a connection pool whose network backend is pinned."""

    def __init__(self, backend: _PinnedBackend) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl.create_default_context(cafile=certifi.where()),
            network_backend=backend,
        )


class GuardedTransport(httpx.BaseTransport):
    """Checks and pins each request, retries failed connections with back-off, then sends it.

    With an `inner` transport (tests: httpx.MockTransport) the checked request goes there as it is.
    """

    def __init__(
        self,
        policy: OutboundPolicy,
        *,
        inner: httpx.BaseTransport | None = None,
        retries: int = 0,
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._policy = policy
        self._backend = _PinnedBackend()
        self._inner = inner if inner is not None else _PinnedTransport(self._backend)
        self._retries = retries
        self._backoff = backoff_seconds
        self._sleep = sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Refuse, or send to the checked address (connection failures retried `retries` times)."""
        url = request.url
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            resolution = self._policy.resolve(url.host, port)
        except OutboundRefused as exc:
            log.warning("outbound call to host %r refused: %s", url.host, exc.reason)
            raise OutboundRefused(exc.reason, request=request) from None
        self._backend.pin(url.host, port, resolution.ip)
        request.extensions = {**request.extensions, EXTENSION: resolution}
        attempt = 0
        while True:
            try:
                return self._inner.handle_request(request)
            except httpx.ConnectError:
                if attempt >= self._retries:
                    raise
                self._sleep(self._backoff * 2**attempt)
                attempt += 1

    def close(self) -> None:
        """Close the pooled connections."""
        self._inner.close()


def guarded_client(
    policy: OutboundPolicy,
    *,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    retries: int = 0,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """An httpx client whose every request is guarded; redirects are not followed, env proxies ignored."""
    return httpx.Client(
        transport=GuardedTransport(policy, inner=transport, retries=retries),
        timeout=timeout_seconds,
        follow_redirects=False,
        trust_env=False,
    )


def resolution_of(response: httpx.Response) -> Resolution | None:
    """The checked address a guarded response came from."""
    found = response.request.extensions.get(EXTENSION)
    return found if isinstance(found, Resolution) else None
