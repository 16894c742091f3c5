"""ASGI middleware: the client address and scheme from X-Forwarded-For/-Proto, only from trusted proxies.

A request whose peer is not in KEFU_TRUSTED_PROXIES keeps its peer address whatever headers it
sends, so a client cannot choose the IP that login limits and the audit log see. From a trusted
peer, X-Forwarded-For is read from the right, skipping trusted hops: the first untrusted address
is the client (what a proxy appended, not what the client wrote at the left).
"""

from __future__ import annotations

import ipaddress

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """Networks of a comma-separated list of IPs and CIDRs; a bad entry is a ValueError."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


class TrustedProxyHeaders:
    """Rewrite `client` and `scheme` of the ASGI scope from forwarding headers of trusted peers."""

    def __init__(self, app: ASGIApp, *, trusted: str) -> None:
        self.app = app
        self.networks = parse_networks(trusted)

    def trusted(self, host: str) -> bool:
        """Whether an address belongs to a trusted proxy."""
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, with the forwarded client and scheme when the peer is trusted."""
        client = scope.get("client")
        if scope["type"] in {"http", "websocket"} and self.networks and client and self.trusted(client[0]):
            scope = self._forwarded(scope, client[0])
        await self.app(scope, receive, send)

    def _forwarded(self, scope: Scope, peer: str) -> Scope:
        headers = [(name.lower(), value.decode("latin-1")) for name, value in scope.get("headers", [])]
        hops = [
            hop.strip() for name, value in headers if name == b"x-forwarded-for" for hop in value.split(",")
        ]
        host = peer
        for hop in reversed([hop for hop in hops if hop]):
            try:
                host = str(ipaddress.ip_address(hop))
            except ValueError:
                break  # a malformed hop: stop at the last good address
            if not self.trusted(host):
                break
        protos = [
            proto.strip().lower() for name, value in headers if name == b"x-forwarded-proto"
            for proto in value.split(",")
        ]
        scheme = scope.get("scheme", "http")
        if protos and protos[-1] in {"http", "https"}:
            secure = protos[-1] == "https"
            scheme = ("wss" if secure else "ws") if scope["type"] == "websocket" else protos[-1]
        return {**scope, "client": (host, 0), "scheme": scheme}
