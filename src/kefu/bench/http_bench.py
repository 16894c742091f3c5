"""HTTP benchmark: `POST /api/v1/conversations` of a real server against the bare reference endpoint."""

from __future__ import annotations

import json
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kefu.bench.databases import bench_database, create_bench_tenant
from kefu.bench.load import MARKER, LoadResult, Workload, run_load
from kefu.bench.reference_app import DATABASE_ENV, prepare_reference_database
from kefu.bench.servers import uvicorn_server

CONVERSATION_BODY = {
    "channel": "chat",
    "customer": {
        "identities": [
            {"kind": "app", "value": f"user-{MARKER}"},
            {"kind": "email", "value": f"user-{MARKER}@example.com"},
        ],
        "name": "Siti Rahman",
        "language": "ms",
        "market": "MY",
    },
    "message": {"text": f"Hai, pesanan saya #{MARKER} belum sampai lagi. Boleh semak status?"},
}
"""A new customer (app user id + email) opening a conversation with a first message."""


@dataclass(frozen=True)
class HttpComparison:
    """Kefu's and the reference endpoint's figures over the same load, best of the rounds."""

    backend: str
    worker: bool
    ours: LoadResult
    reference: LoadResult

    @property
    def ratio(self) -> float:
        """Kefu requests/s divided by reference requests/s (the figure to watch)."""
        return self.ours.requests_per_second / max(self.reference.requests_per_second, 1e-9)


def run_http_bench(
    *, database_url: str | None, requests: int, concurrency: int, tool: str, rounds: int = 1,
    worker: bool = True,
) -> HttpComparison:
    """Start both servers in turn on a throw-away database and drive the same load at each.

    With `worker` Kefu runs as `kefu serve` does, the job worker and outbox relay (message
    analysis, webhooks) in the same process; without it the web process only takes requests.
    """
    body = json.dumps(CONVERSATION_BODY, ensure_ascii=False)
    with tempfile.TemporaryDirectory(prefix="kefu-bench-") as tmp:
        work = Path(tmp)
        with bench_database(work, database_url, "kefu_bench_http") as url:
            tenant = create_bench_tenant(url)
            ours_load = Workload("/api/v1/conversations", body,
                                 {"Authorization": f"Bearer {tenant.token}"})
            reference_target = url if database_url else str(work / "reference.db")
            prepare_reference_database(reference_target)
            ours: list[LoadResult] = []
            reference: list[LoadResult] = []
            for round_no in range(rounds):
                nonce = f"r{round_no}{secrets.token_hex(4)}"
                with uvicorn_server(
                    "kefu.main:create_app_from_env",
                    env={"KEFU_DATA_DIR": str(work / "data"), "KEFU_DATABASE_URL": url,
                         "KEFU_LOG_LEVEL": "warning", "KEFU_RUN_WORKER": str(worker).lower()},
                    health_path="/api/v1/health", log_path=work / "kefu.log",
                ) as server:
                    ours.append(run_load(tool, server.base_url, ours_load, requests=requests,
                                         concurrency=concurrency, nonce=nonce))
                with uvicorn_server(
                    "kefu.bench.reference_app:create_reference_app",
                    env={DATABASE_ENV: reference_target}, health_path="/health",
                    log_path=work / "reference.log",
                ) as server:
                    reference.append(run_load(tool, server.base_url, Workload("/reference", body),
                                              requests=requests, concurrency=concurrency,
                                              nonce=nonce))
    backend = "postgresql" if database_url else "sqlite"
    return HttpComparison(backend, worker, _best(ours), _best(reference))


def _best(results: list[LoadResult]) -> LoadResult:
    return max(results, key=lambda r: r.requests_per_second)
