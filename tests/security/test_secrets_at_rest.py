"""Secrets at rest: one keyring with key ids seals inbox and webhook secrets; `kefu secrets rotate`."""

from __future__ import annotations

import base64
import hashlib

import httpx
import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from sqlalchemy import select, update

from kefu.channels.models import Inbox
from kefu.cli import main
from kefu.core.secretbox import SecretBox, SecretBoxError, parse_keyring
from kefu.webhooks.models import WebhookEndpoint
from kefu.webhooks.signing import verify_signature
from kefu.wiring import Container
from tests.channels.conftest import FAKE_SECRET, create_inbox
from tests.security.conftest import AppFactory
from tests.webhooks.conftest import Receiver

HOOK = "https://hooks.example.com/kefu"
OLD, NEW = "k0:old-material-0123456789", "k1:new-material-9876543210"


def _stored(container: Container) -> tuple[str, str]:
    with container.session_factory() as session:
        secret = session.scalars(select(WebhookEndpoint.secret)).one()
        sealed = session.scalars(select(Inbox.sealed_secrets)).one()
    return secret, sealed


def _ping_verifies(
    make_api: AppFactory, keys: str, headers: dict[str, str], endpoint_id: str, secret: str
) -> None:
    receiver = Receiver()
    api, _container, _tenant = make_api(secret_keys=keys, transport=httpx.MockTransport(receiver.handle))
    api.headers.update(headers)
    assert api.post(f"/api/v1/webhooks/endpoints/{endpoint_id}/ping").status_code == 202
    request = receiver.requests[-1]
    assert verify_signature(secret, request.headers["Kefu-Signature"], request.body, tolerance_seconds=10**9)
    shown = api.get(f"/api/v1/webhooks/endpoints/{endpoint_id}").json()
    assert shown["secret_hint"] == "…" + secret[-4:] and "secret" not in shown


def test_keyring_seals_under_the_first_key_and_opens_with_any() -> None:
    old = SecretBox(parse_keyring(OLD))
    sealed = old.seal({"token": "t-1"})
    assert sealed.startswith("kefu1:k0:") and "t-1" not in sealed
    both = SecretBox(parse_keyring(f"{NEW},{OLD}"))
    assert both.open(sealed) == {"token": "t-1"}
    assert both.needs_resealing(sealed) and both.key_id_of(both.reseal(sealed)) == "k1"
    with pytest.raises(SecretBoxError, match="needs key k0"):
        SecretBox(parse_keyring(NEW)).open(sealed)


def test_values_sealed_before_key_ids_still_open() -> None:
    digest = hashlib.sha256(b"kefu.secretbox.v1:server-key").digest()
    legacy = Fernet(base64.urlsafe_b64encode(digest)).encrypt(b'{"token":"t-0"}').decode()
    box = SecretBox("server-key")
    assert box.open(legacy) == {"token": "t-0"} and box.needs_resealing(legacy)


@pytest.mark.parametrize("spec", ["", "k1", "k1:", ":x", "k-1:x", "k1:a,k1:b"])
def test_bad_keyrings_are_refused(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_keyring(spec)


def test_rotation_reseals_every_secret_and_old_key_can_go(
    make_api: AppFactory, database_url: str, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    api, container, tenant = make_api(secret_keys=OLD)
    created = api.post("/api/v1/webhooks/endpoints", json={"url": HOOK, "event_types": ["*"]}).json()
    create_inbox(api, "fake", {"secret": FAKE_SECRET})
    secret, sealed = _stored(container)
    assert secret.startswith("kefu1:k0:") and created["secret"] not in secret
    assert sealed.startswith("kefu1:k0:") and FAKE_SECRET not in sealed

    _ping_verifies(make_api, f"{NEW},{OLD}", tenant.headers, created["id"], created["secret"])  # new first

    monkeypatch.setenv("KEFU_DATABASE_URL", database_url)
    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KEFU_SECRET_KEYS", f"{NEW},{OLD}")
    result = CliRunner().invoke(main, ["secrets", "rotate"])
    assert result.exit_code == 0, result.output
    assert "inbox secrets: 1 re-encrypted" in result.output
    assert "webhook signing secrets: 1 re-encrypted" in result.output
    secret, sealed = _stored(container)
    assert secret.startswith("kefu1:k1:") and sealed.startswith("kefu1:k1:")
    again = CliRunner().invoke(main, ["secrets", "rotate"])
    assert "webhook signing secrets: 0 re-encrypted" in again.output  # idempotent

    _ping_verifies(make_api, NEW, tenant.headers, created["id"], created["secret"])  # old key removed
    api_new, _c, _t = make_api(secret_keys=NEW)
    api_new.headers.update(tenant.headers)
    inboxes = api_new.get("/api/v1/inboxes").json()["items"]
    assert inboxes[0]["secrets_set"] == ["secret"]


def test_plain_secret_from_before_sealing_signs_and_is_sealed_by_rotation(
    make_api: AppFactory, database_url: str, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    api, container, tenant = make_api(secret_keys=OLD)
    created = api.post("/api/v1/webhooks/endpoints", json={"url": HOOK, "event_types": ["*"]}).json()
    with container.session_factory() as session:
        session.execute(update(WebhookEndpoint).values(secret="whsec_legacy-plain-secret"))
        session.commit()
    _ping_verifies(make_api, OLD, tenant.headers, created["id"], "whsec_legacy-plain-secret")
    monkeypatch.setenv("KEFU_DATABASE_URL", database_url)
    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KEFU_SECRET_KEYS", OLD)
    assert CliRunner().invoke(main, ["secrets", "rotate"]).exit_code == 0
    assert _stored_secret(container).startswith("kefu1:k0:")
    _ping_verifies(make_api, OLD, tenant.headers, created["id"], "whsec_legacy-plain-secret")


def _stored_secret(container: Container) -> str:
    with container.session_factory() as session:
        return session.scalars(select(WebhookEndpoint.secret)).one()


def test_new_key_command_prints_a_keyring_entry() -> None:
    result = CliRunner().invoke(main, ["secrets", "new-key", "--id", "k7"])
    assert result.exit_code == 0
    key_id, material = parse_keyring(result.output.strip())[0]
    assert key_id == "k7" and len(material) >= 48
    assert CliRunner().invoke(main, ["secrets", "new-key", "--id", "k-7"]).exit_code != 0
