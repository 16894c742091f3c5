"""`kefu create-admin` and `kefu create-token` on an embedded SQLite database."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from kefu.cli import main
from kefu.config.settings import Settings
from kefu.db.metadata import target_metadata
from kefu.jobs.runtime import RuntimeMode
from kefu.main import create_app
from kefu.wiring import build_container


@pytest.fixture
def database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An SQLite database with the schema, configured through the environment like the CLI is."""
    url = f"sqlite:///{tmp_path / 'kefu.db'}"
    engine = create_engine(url)
    target_metadata.create_all(engine)
    engine.dispose()
    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KEFU_DATABASE_URL", url)
    return url


def test_create_admin_then_token_gives_working_api_access(database_file: str) -> None:
    runner = CliRunner()
    created = runner.invoke(main, ["create-admin", "--workspace", "Acme Service", "--email",
                                   "Boss@Acme.kefu.dev"], input="correct horse battery\n" * 2)
    assert created.exit_code == 0, created.output
    assert "admin boss@acme.kefu.dev created in workspace acme-service" in created.output
    second = runner.invoke(main, ["create-admin", "--workspace", "Acme Service", "--email",
                                  "deputy@acme.kefu.dev", "--password", "another long one"])
    assert second.exit_code == 0, second.output

    issued = runner.invoke(main, ["create-token", "--workspace", "acme-service", "--email",
                                  "BOSS@acme.kefu.dev", "--name", "ops"])
    assert issued.exit_code == 0, issued.output
    token = issued.output.strip()
    assert token.startswith("kefu_")

    container = build_container(
        Settings(database_url=database_file, run_worker=False), mode=RuntimeMode.INLINE
    )
    try:
        with TestClient(create_app(container, start_worker=False)) as client:
            headers = {"Authorization": f"Bearer {token}"}
            me = client.get("/api/v1/me", headers=headers).json()
            assert (me["email"], me["role"]) == ("boss@acme.kefu.dev", "admin")
            agents = client.get("/api/v1/agents", headers=headers).json()["items"]
            assert {a["email"] for a in agents} == {"boss@acme.kefu.dev", "deputy@acme.kefu.dev"}
            tokens = client.get("/api/v1/tokens", headers=headers).json()["items"]
            assert [t["name"] for t in tokens] == ["ops"]
    finally:
        container.close()


def test_cli_errors_are_messages_not_tracebacks(database_file: str) -> None:
    runner = CliRunner()
    args = ["create-admin", "--workspace", "Acme", "--email", "a@acme.kefu.dev"]
    assert runner.invoke(main, [*args, "--password", "long enough pw"]).exit_code == 0
    cases = [
        ([*args, "--password", "long enough pw"], "an agent with this email exists"),
        ([*args[:-1], "not-an-email", "--password", "long enough pw"], "email"),
        (["create-admin", "--workspace", "Acme", "--email", "b@acme.kefu.dev", "--password", "short"],
         "password"),
        (["create-token", "--workspace", "nope", "--email", "a@acme.kefu.dev"], "no workspace 'nope'"),
        (["create-token", "--workspace", "acme", "--email", "x@acme.kefu.dev"], "no agent"),
    ]
    for command, message in cases:
        result = runner.invoke(main, command)
        assert result.exit_code == 1, (command, result.output)
        assert message in result.output, (command, result.output)
        assert "Traceback" not in result.output
        assert "long enough pw" not in result.output
