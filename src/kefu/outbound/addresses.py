"""Which hosts and IP addresses an outbound call may reach: always refused, private, or public."""

from __future__ import annotations

import enum
import ipaddress
import re

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA_HOSTS = frozenset({
    "metadata.google.internal", "metadata.goog", "metadata", "instance-data",
    "instance-data.ec2.internal", "metadata.azure.com", "metadata.tencentyun.com",
})
"""Cloud metadata services by name (their addresses are refused as link-local anyway)."""

_ALWAYS_REFUSED = tuple(ipaddress.ip_network(net) for net in (
    "0.0.0.0/8",          # "this network": 0.0.0.0 reaches the local host
    "169.254.0.0/16",     # link-local, cloud metadata (169.254.169.254)
    "100.100.100.200/32", # Alibaba Cloud metadata
    "224.0.0.0/4",        # multicast
    "240.0.0.0/4",        # reserved, broadcast
    "::/128",
    "fe80::/10",          # link-local
    "fd00:ec2::254/128",  # AWS metadata over IPv6
    "ff00::/8",           # multicast
))
_PRIVATE = tuple(ipaddress.ip_network(net) for net in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "100.64.0.0/10",
    "198.18.0.0/15", "192.0.0.0/24", "::1/128", "fc00::/7",
))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_CANONICAL_IPV4 = re.compile(rf"^{_OCTET}(\.{_OCTET}){{3}}$")


class Reach(enum.StrEnum):
    """Where an address leads: the public internet, a private network, or somewhere never allowed."""

    PUBLIC = "public"
    PRIVATE = "private"
    REFUSED = "refused"


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (IPv4-mapped, 6to4, NAT64, compatible), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(address))
    return None


def classify(address: IPAddress) -> Reach:
    """Refused (link-local, metadata, unspecified, multicast, reserved), private, or public."""
    inner = embedded_ipv4(address)
    if inner is not None:
        return classify(inner)
    if any(address in net for net in _ALWAYS_REFUSED if net.version == address.version):
        return Reach.REFUSED
    if any(address in net for net in _PRIVATE if net.version == address.version):
        return Reach.PRIVATE
    if not address.is_global:
        return Reach.PRIVATE  # documentation, benchmarking and other special-purpose ranges
    return Reach.PUBLIC


def literal_address(host: str) -> IPAddress | None:
    """The IP address a URL host spells in canonical form (IPv6 with or without brackets), else None."""
    text = host.strip("[]")
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def is_obscured_ip(host: str) -> bool:
    """True for numeric hosts that are not a canonical dotted quad: `2130706433`, `0x7f.1`, `0177.0.0.1`.

    Resolvers accept these legacy forms (inet_aton), so they are a way to hide an address.
    """
    labels = host.rstrip(".").split(".")
    if not all(_NUMERIC_LABEL.match(label) for label in labels):
        return False
    return _CANONICAL_IPV4.match(host.rstrip(".")) is None


def is_metadata_host(host: str) -> bool:
    """A cloud metadata service's well-known name."""
    return host.rstrip(".").lower() in METADATA_HOSTS
