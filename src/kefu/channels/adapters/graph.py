"""What Meta's Graph webhooks share (WhatsApp, Messenger, Instagram): the handshake and the signature."""

from __future__ import annotations

from kefu.channels.adapters.base import (
    Handshake,
    Settings,
    VerificationFailed,
    WebhookRequest,
    hmac_hex,
    same,
)

SIGNATURE_HEADER = "x-hub-signature-256"
GRAPH_VERSION = "v21.0"


def graph_handshake(settings: Settings, request: WebhookRequest) -> Handshake:
    """Echo `hub.challenge` when `hub.mode=subscribe` and `hub.verify_token` is the inbox's."""
    if request.query.get("hub.mode") != "subscribe":
        raise VerificationFailed("hub.mode must be subscribe", status_code=403)
    if not same(str(settings["verify_token"]), request.query.get("hub.verify_token")):
        raise VerificationFailed("hub.verify_token does not match", status_code=403)
    return Handshake(body=request.query.get("hub.challenge", ""))


def graph_verify(settings: Settings, request: WebhookRequest) -> None:
    """`X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app_secret, raw body)>`."""
    expected = "sha256=" + hmac_hex(str(settings["app_secret"]), request.body)
    if not same(expected, request.header(SIGNATURE_HEADER)):
        raise VerificationFailed("bad X-Hub-Signature-256")
