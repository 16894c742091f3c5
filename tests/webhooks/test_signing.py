"""Signatures are HMAC-SHA256 of "<t>.<body>"; the receiver helper rejects tampering and replays."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

import pytest

from kefu.core.clock import FrozenClock
from kefu.webhooks.signing import new_secret, signature_header, verify_signature

SECRET = "whsec_test-secret"
BODY = b'{"id":"evt_1","type":"testwidget.shipped","data":{"sku":"\xe5\xae\xa2"}}'


def _now(clock: FrozenClock) -> int:
    return int(clock.now().timestamp())


def test_header_is_timestamp_and_hmac_of_timestamp_dot_body(clock: FrozenClock) -> None:
    ts = _now(clock)
    expected = hmac.new(SECRET.encode(), f"{ts}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert signature_header([SECRET], ts, BODY) == f"t={ts},v1={expected}"


def test_valid_signature_verifies_within_tolerance(clock: FrozenClock) -> None:
    header = signature_header([SECRET], _now(clock), BODY)
    clock.advance(seconds=299)
    assert verify_signature(SECRET, header, BODY, tolerance_seconds=300)
    assert verify_signature(SECRET, header, BODY.decode("utf-8"), tolerance_seconds=300)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda h, b: (h, b.replace(b"SKU", b"sku") + b" "),
        lambda h, b: (h, b[:-1]),
        lambda h, b: (h.replace("t=", "t=1"), b),
        lambda h, b: (h[:-1] + ("0" if h[-1] != "0" else "1"), b),
        lambda h, b: (h.split(",")[0], b),
        lambda h, b: ("v1=" + h.split("v1=")[1], b),
        lambda h, b: ("", b),
        lambda h, b: ("t=abc,v1=zz,,=", b),
        lambda h, b: ("t=" + "9" * 5000 + ",v1=00", b),
        lambda h, b: ("t=1,v1=ünïcode", b),
    ],
)
def test_tampered_or_malformed_input_is_rejected(
    clock: FrozenClock, tamper: Callable[[str, bytes], tuple[str, bytes]]
) -> None:
    header, body = tamper(signature_header([SECRET], _now(clock), BODY), BODY)
    assert not verify_signature(SECRET, header, body)


def test_junk_beside_a_valid_signature_does_not_hide_it(clock: FrozenClock) -> None:
    header = signature_header([SECRET], _now(clock), BODY) + ",v1=ünïcode,v0=old"
    assert verify_signature(SECRET, header, BODY)


def test_other_secret_old_or_future_signatures_are_rejected(clock: FrozenClock) -> None:
    ts = _now(clock)
    assert not verify_signature(new_secret(), signature_header([SECRET], ts, BODY), BODY)
    assert not verify_signature(SECRET, signature_header([SECRET], ts - 301, BODY), BODY, 300)
    assert not verify_signature(SECRET, signature_header([SECRET], ts + 301, BODY), BODY, 300)
    assert verify_signature(SECRET, signature_header([SECRET], ts - 3000, BODY), BODY, 3600)


def test_any_of_several_signatures_verifies_during_rotation(clock: FrozenClock) -> None:
    new, old = new_secret(), SECRET
    header = signature_header([new, old], _now(clock), BODY)
    assert header.count("v1=") == 2
    assert verify_signature(new, header, BODY)
    assert verify_signature(old, header, BODY)
    assert not verify_signature(new_secret(), header, BODY)


def test_secrets_are_random_and_prefixed() -> None:
    secrets = {new_secret() for _ in range(20)}
    assert len(secrets) == 20
    assert all(s.startswith("whsec_") and len(s) > 40 for s in secrets)
