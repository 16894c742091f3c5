"""Screening across processes: a complaint marked in another process, on an older conversation, is seen.

The old catch-up followed conversation ids, so once a process had indexed a newer complaint it
never saw an older conversation marked later by another process. The ledger's `recorded_at`
watermark fixes that; this test runs the second process for real.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from kefu.core import clock as clock_module
from kefu.core.clock import FrozenClock
from tests.conftest import Tenant
from tests.factories import make_conversation

API = "/api/v1"
ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = (
    "My parcel arrived damaged and the screen is cracked. I demand a full refund of "
    "1299 dollars immediately or compensation for the broken phone."
)


def _open(api: TestClient, email: str, text: str) -> str:
    return str(make_conversation(api, email=email, message={"text": text})["id"])


def _complaint(api: TestClient, conversation_id: str) -> dict[str, object]:
    marked = api.post(f"{API}/conversations/{conversation_id}/complaint", json={"is_complaint": True})
    assert marked.status_code == 200, marked.text
    ledger = api.get(f"{API}/complaints", params={"conversation_id": conversation_id}).json()["items"]
    assert len(ledger) == 1
    return dict(ledger[0])


def test_a_complaint_marked_by_another_process_on_an_older_conversation_is_screened_against(
    api: TestClient, tenant: Tenant, database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    older = _open(api, "first@example.com", TEMPLATE)  # created first: the smaller id
    newer = _open(api, "second@example.com", "The delivery man was rude to me at the door yesterday evening.")
    _complaint(api, newer)  # this process indexes it: its watermark moves past `older`
    clock.advance(minutes=30)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.complaints.screening_process",
            database_url,
            str(tmp_path / "child"),
            clock_module.now().isoformat(),
            str(tenant.workspace_id),
            older,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    clock.advance(minutes=1)
    copy = _open(api, "third@example.com", TEMPLATE)
    screened = _complaint(api, copy)
    reasons = screened["screening_reasons"]
    assert isinstance(reasons, list)
    assert any(str(r).startswith("copy_paste_across_customers: matches 1 other") for r in reasons), reasons
    tags = api.get(f"{API}/conversations/{copy}").json()["tags"]
    assert "review-possible-malicious" in tags
