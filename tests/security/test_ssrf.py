"""Item 2: webhook URLs that reach metadata, link-local or (by default) private targets are refused."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from kefu.outbound.addresses import Reach, classify, is_obscured_ip, literal_address
from kefu.outbound.client import OutboundPolicy, OutboundRefused, StaticResolver, guarded_client
from tests.conftest import PUBLIC_IP
from tests.security.conftest import AppFactory
from tests.webhooks.conftest import WIDGET_EVENT, emit

ENDPOINTS = "/api/v1/webhooks/endpoints"
NAMES = {
    "localhost": ["127.0.0.1", "::1"],
    "rebind.example.net": ["169.254.169.254"],
    "intranet.example.net": ["10.1.2.3"],
    "mixed.example.net": [PUBLIC_IP, "192.168.0.9"],
    "mapped.example.net": ["::ffff:169.254.169.254"],
}
RESOLVER = StaticResolver(NAMES, default=(PUBLIC_IP,))

ALWAYS_REFUSED = [
    "http://169.254.169.254/latest/meta-data/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://METADATA.google.internal./",
    "http://0.0.0.0:8080/",
    "http://[::ffff:169.254.169.254]/",
    "http://[fd00:ec2::254]/",
    "http://[fe80::1]/",
    "http://2852039166/",        # 169.254.169.254 as one integer
    "http://0xa9fea9fe/",        # ... in hex
    "http://0251.0376.0251.0376/",  # ... in octal
    "http://2130706433/",        # 127.0.0.1 as one integer
    "http://0x7f.1/",
    "http://127.1/",
    "http://rebind.example.net/hook",
    "http://mapped.example.net/hook",
]
PRIVATE = [
    "http://localhost:8080/hook",
    "http://127.0.0.1:9000/",
    "http://[::1]:9000/",
    "http://[::ffff:127.0.0.1]/",
    "http://10.0.0.7/",
    "http://172.16.3.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://intranet.example.net/",
    "http://mixed.example.net/",
]


def _create(api: Any, url: str) -> httpx.Response:
    response: httpx.Response = api.post(ENDPOINTS, json={"url": url, "event_types": [WIDGET_EVENT]})
    return response


@pytest.mark.parametrize("url", ALWAYS_REFUSED + PRIVATE)
def test_metadata_link_local_obscured_and_private_urls_are_refused_by_default(
    make_api: AppFactory, url: str
) -> None:
    api, _, _ = make_api(resolver=RESOLVER)
    response = _create(api, url)
    assert response.status_code == 422, response.text
    # a few legacy forms (octal) already fail URL parsing; all others reach the guard
    assert response.json()["error"]["code"] in {"url_not_allowed", "validation_error"}


@pytest.mark.parametrize("url", ALWAYS_REFUSED)
def test_metadata_and_link_local_stay_refused_when_private_targets_are_allowed(
    make_api: AppFactory, url: str
) -> None:
    api, _, _ = make_api(resolver=RESOLVER, allow_private_outbound=True)
    assert _create(api, url).status_code == 422


@pytest.mark.parametrize("url", PRIVATE)
def test_private_targets_pass_when_the_server_allows_them(make_api: AppFactory, url: str) -> None:
    api, _, _ = make_api(resolver=RESOLVER, allow_private_outbound=True)
    assert _create(api, url).status_code == 201


def test_update_to_a_refused_url_is_422_and_keeps_the_old_url(make_api: AppFactory) -> None:
    api, _, _ = make_api(resolver=RESOLVER)
    created = _create(api, "https://hooks.example.com/in").json()
    changed = api.patch(f"{ENDPOINTS}/{created['id']}", json={"url": "http://169.254.169.254/"})
    assert changed.status_code == 422
    assert changed.json()["error"]["code"] == "url_not_allowed"
    assert api.get(f"{ENDPOINTS}/{created['id']}").json()["url"] == "https://hooks.example.com/in"


@dataclass
class Switchable:
    """A resolver whose answers change after the endpoint was accepted (DNS rebinding)."""

    table: dict[str, list[str]] = field(default_factory=dict)

    def __call__(self, host: str, port: int) -> list[str]:
        """The current answer for the host."""
        return self.table.get(host, [PUBLIC_IP])


def test_a_name_that_rebinds_to_metadata_is_refused_at_delivery(make_api: AppFactory) -> None:
    seen: list[httpx.Request] = []
    resolver = Switchable()
    api, container, tenant = make_api(
        resolver=resolver, transport=httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(200))
    )
    assert _create(api, "https://flip.example.net/hook").status_code == 201
    resolver.table["flip.example.net"] = ["169.254.169.254"]
    emit(container, tenant.workspace_id)
    assert seen == []
    delivery = api.get("/api/v1/webhooks/deliveries").json()["items"][0]
    assert delivery["attempt_count"] == 1
    assert "refused" in delivery["last_error"]


def test_no_response_body_is_kept_for_a_private_target(make_api: AppFactory) -> None:
    api, container, tenant = make_api(
        allow_private_outbound=True,
        transport=httpx.MockTransport(lambda r: httpx.Response(200, text="AWS_SECRET=hunter2")),
    )
    _create(api, "http://127.0.0.1:8500/v1/kv")
    _create(api, "https://hooks.example.com/in")
    emit(container, tenant.workspace_id)
    snippets = {}
    for item in api.get("/api/v1/webhooks/deliveries").json()["items"]:
        detail = api.get(f"/api/v1/webhooks/deliveries/{item['id']}").json()
        endpoint = api.get(f"{ENDPOINTS}/{item['endpoint_id']}").json()
        snippets[endpoint["url"]] = detail["attempts"][0]["response_snippet"]
    assert snippets == {
        "http://127.0.0.1:8500/v1/kv": "", "https://hooks.example.com/in": "AWS_SECRET=hunter2"
    }


class _Echo(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = self.headers.get("Host", "").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def loopback_server() -> Iterator[int]:
    """A real HTTP server on a free loopback port that echoes the Host header."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_the_connection_goes_to_the_checked_ip_with_the_name_as_host(loopback_server: int) -> None:
    lookups: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    policy = OutboundPolicy(allow_private=True, resolver=resolver)
    with guarded_client(policy, timeout_seconds=5) as client:
        response = client.get(f"http://receiver.invalid:{loopback_server}/")
    assert response.text == f"receiver.invalid:{loopback_server}"
    assert lookups == ["receiver.invalid"]  # resolved once, by the guard; the socket got the IP


def test_the_real_transport_refuses_private_targets_by_default(loopback_server: int) -> None:
    with guarded_client(OutboundPolicy(), timeout_seconds=5) as client, pytest.raises(OutboundRefused):
        client.get(f"http://127.0.0.1:{loopback_server}/")


def test_connection_failures_are_retried_with_backoff() -> None:
    calls: list[int] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.ConnectError("down", request=request)

    from kefu.outbound.client import GuardedTransport

    sleeps: list[float] = []
    transport = GuardedTransport(
        OutboundPolicy(resolver=RESOLVER), inner=httpx.MockTransport(refuse), retries=2,
        sleep=sleeps.append,
    )
    with httpx.Client(transport=transport) as client, pytest.raises(httpx.ConnectError):
        client.get("https://api.example.com/")
    assert len(calls) == 3
    assert sleeps == [0.5, 1.0]


@pytest.mark.parametrize(
    ("text", "reach"),
    [
        ("8.8.8.8", Reach.PUBLIC), ("2001:4860:4860::8888", Reach.PUBLIC),
        ("169.254.169.254", Reach.REFUSED), ("0.0.0.0", Reach.REFUSED), ("::", Reach.REFUSED),
        ("::ffff:a9fe:a9fe", Reach.REFUSED), ("64:ff9b::a9fe:a9fe", Reach.REFUSED),
        ("2002:a9fe:a9fe::1", Reach.REFUSED), ("224.0.0.1", Reach.REFUSED),
        ("127.0.0.1", Reach.PRIVATE), ("::ffff:7f00:1", Reach.PRIVATE), ("fc00::1", Reach.PRIVATE),
        ("192.0.2.1", Reach.PRIVATE),
    ],
)
def test_classification_of_addresses(text: str, reach: Reach) -> None:
    address = literal_address(text)
    assert address is not None
    assert classify(address) is reach


@pytest.mark.parametrize(
    ("host", "obscured"),
    [("2130706433", True), ("0x7f000001", True), ("017700000001", True), ("127.1", True),
     ("010.0.0.1", True), ("127.0.0.1", False), ("hooks.example.com", False), ("1.example.com", False)],
)
def test_obscured_ip_forms(host: str, obscured: bool) -> None:
    assert is_obscured_ip(host) is obscured
