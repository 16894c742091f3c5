"""Item 4: weak passwords are refused (length, blank, the email or name, the bundled common list) with
a 422 whose code names the rule, on every path that sets a password."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kefu.accounts.passwords import COMMON_PASSWORDS, password_problems
from kefu.wiring import Container
from tests.conftest import Tenant
from tests.factories import PASSWORD, make_agent

WEAK = [
    ("12345678", "password_too_short"),
    ("password", "password_too_short"),
    ("        ", "password_blank"),
    ("\u200b" * 8, "password_blank"),
    ("\u200b" * 12, "password_blank"),
    ("   \u00a0      \u3000 \u2003", "password_blank"),
    ("siti@acme.kefu.dev", "password_like_account"),
    ("SITI@ACME.KEFU.DEV", "password_like_account"),
    ("Siti Rahayu", "password_like_account"),
    ("1234567890", "password_too_common"),
    ("Password123", "password_too_common"),
    ("qwertyuiop", "password_too_common"),
    ("iloveyou12", "password_too_common"),
]
GOOD = ["correct horse battery", "kata sandi rahasia", "密码是一个很长的句子啊", "tR7#kq2!Lm9z"]


@pytest.mark.parametrize(("password", "code"), WEAK)
def test_creating_an_agent_with_a_weak_password_is_refused(
    api: TestClient, password: str, code: str
) -> None:
    response = api.post("/api/v1/agents", json={
        "email": "siti@acme.kefu.dev", "display_name": "Siti Rahayu", "password": password,
    })
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"].startswith("the password is too weak: ")
    assert (error["details"][0]["loc"], error["details"][0]["type"]) == (["body", "password"], code)
    assert api.get("/api/v1/agents", params={"q": "siti"}).json()["items"] == []


@pytest.mark.parametrize("password", GOOD)
def test_good_passwords_are_accepted(api: TestClient, password: str) -> None:
    response = api.post("/api/v1/agents", json={
        "email": "siti@acme.kefu.dev", "display_name": "Siti Rahayu", "password": password,
    })
    assert response.status_code == 201, response.text


def test_reset_and_change_apply_the_policy(api: TestClient, container: Container, tenant: Tenant) -> None:
    member = make_agent(container, workspace_id=tenant.workspace_id, name="Budi")
    reset = api.put(f"/api/v1/agents/{member.agent_id}/password", json={"new_password": "password1"})
    assert reset.status_code == 422 and reset.json()["error"]["code"] == "password_too_short"
    own = api.post("/api/v1/me/password", headers=member.headers,
                   json={"current_password": PASSWORD, "new_password": "qwerty123456"})
    assert own.status_code == 422, own.text
    assert own.json()["error"]["code"] == "password_too_common"
    assert own.json()["error"]["details"][0]["loc"] == ["body", "new_password"]
    fine = api.post("/api/v1/me/password", headers=member.headers,
                    json={"current_password": PASSWORD, "new_password": "Budi's long phrase"})
    assert fine.status_code == 204, fine.text


def test_every_broken_rule_is_listed() -> None:
    codes = [code for code, _ in password_problems("password", email="a@b.c")]
    assert codes == ["password_too_short", "password_too_common"]


def test_the_common_list_ships_in_the_package() -> None:
    assert COMMON_PASSWORDS.is_file() and COMMON_PASSWORDS.stat().st_size > 50_000
    assert (COMMON_PASSWORDS.parent / "NOTICE.md").is_file()
