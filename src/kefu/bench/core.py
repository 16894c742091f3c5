"""`kefu bench core`: run the service-layer and HTTP benchmarks on one backend and print the figures."""

from __future__ import annotations

import os
import platform
from collections.abc import Callable

from kefu.bench.http_bench import HttpComparison, run_http_bench
from kefu.bench.load import LoadResult, pick_tool
from kefu.bench.service_load import ServiceFigures, run_service_bench

SERVICE_TARGET_MESSAGES_PER_SECOND = 5_000
HTTP_TARGET_RATIO = 0.4
HTTP_TARGET_P99_MS = 100.0


def machine() -> str:
    """A one-line description of where the figures were taken."""
    return f"{platform.node()} ({os.cpu_count()} CPUs, Python {platform.python_version()})"


def run_core_bench(
    *, database_url: str | None, conversations: int, http_requests: int, concurrency: int,
    load_tool: str, rounds: int, service: bool, http: bool, worker: bool, echo: Callable[[str], None],
) -> None:
    """Run the chosen parts on one backend (SQLite when `database_url` is None), printing as it goes."""
    backend = "postgresql" if database_url else "sqlite"
    echo(f"== kefu bench core — {backend} — {machine()}")
    if service:
        step = max(conversations // 10, 1)
        figures = run_service_bench(
            database_url=database_url, conversations_total=conversations,
            progress=lambda done: echo(f"   ... {done:,} conversations") if done % step == 0 else None,
        )
        echo(render_service(figures))
    if http:
        tool = pick_tool(load_tool)
        comparison = run_http_bench(database_url=database_url, requests=http_requests,
                                    concurrency=concurrency, tool=tool, rounds=rounds, worker=worker)
        echo(render_http(comparison, concurrency))


def render_service(figures: ServiceFigures) -> str:
    """The service-layer figures against the target."""
    verdict = "meets" if figures.messages_per_second >= SERVICE_TARGET_MESSAGES_PER_SECOND else "misses"
    return (
        f"service layer [{figures.backend}]: {figures.conversations:,} conversations, "
        f"{figures.messages:,} messages, {figures.rows:,} rows in {figures.seconds:.1f} s\n"
        f"   {figures.conversations_per_second:,.0f} conversations/s, "
        f"{figures.messages_per_second:,.0f} messages/s, {figures.rows_per_second:,.0f} rows/s "
        f"({verdict} the {SERVICE_TARGET_MESSAGES_PER_SECOND:,} messages/s target)\n"
        f"   timed writes used {figures.cpu_seconds:.1f} s of this process's CPU; building and "
        f"validating the items (not timed) took {figures.input_seconds:.1f} s"
    )


def _line(name: str, result: LoadResult) -> str:
    return (f"   {name:<10} {result.requests_per_second:8,.0f} req/s  p50 {result.p50_ms:7.1f} ms  "
            f"p99 {result.p99_ms:7.1f} ms  ({result.requests:,} requests, {result.errors} errors, "
            f"{result.seconds:.1f} s)")


def render_http(comparison: HttpComparison, concurrency: int) -> str:
    """The HTTP figures of both servers, the ratio and whether the targets hold."""
    ok = comparison.ratio >= HTTP_TARGET_RATIO and comparison.ours.p99_ms < HTTP_TARGET_P99_MS
    return "\n".join([
        f"HTTP [{comparison.backend}, {'with' if comparison.worker else 'without'} in-process worker], "
        f"{comparison.ours.tool}, concurrency {concurrency}, best of rounds:",
        _line("kefu", comparison.ours) + "  POST /api/v1/conversations (new customer + first message)",
        _line("reference", comparison.reference) + "  FastAPI + one INSERT",
        f"   ratio kefu/reference {comparison.ratio:.2f} (target ≥ {HTTP_TARGET_RATIO} with p99 < "
        f"{HTTP_TARGET_P99_MS:.0f} ms: {'met' if ok else 'missed'})",
    ])
