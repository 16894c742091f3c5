"""A small asyncio + httpx load generator: reads a JSON spec on stdin, prints one JSON line of figures.

Run as `python -m kefu.bench.loadgen` (a separate process from the server under test).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from typing import Any

import httpx

MARKER = "@@N@@"


async def _worker(client: httpx.AsyncClient, spec: dict[str, Any], state: dict[str, Any],
                  worker: int) -> None:
    counter = 0
    while state["issued"] < spec["requests"]:
        state["issued"] += 1
        counter += 1
        body = spec["body_template"].replace(MARKER, f"{spec['nonce']}-{worker}-{counter}")
        started = time.perf_counter()
        try:
            response = await client.post(spec["path"], content=body)
            ok = response.status_code == spec["expected_status"]
        except httpx.HTTPError:
            ok = False
        state["latencies"].append(time.perf_counter() - started)
        state["errors"] += 0 if ok else 1


async def run(spec: dict[str, Any]) -> dict[str, float]:
    """Send the requests of a spec with its concurrency; return count, errors, seconds, p50/p99 ms."""
    headers = {"Content-Type": "application/json", **spec.get("headers", {})}
    limits = httpx.Limits(max_connections=spec["concurrency"],
                          max_keepalive_connections=spec["concurrency"])
    state: dict[str, Any] = {"issued": 0, "errors": 0, "latencies": []}
    async with httpx.AsyncClient(base_url=spec["base_url"], headers=headers, limits=limits,
                                 timeout=30.0) as client:
        started = time.perf_counter()
        await asyncio.gather(*(_worker(client, spec, state, n) for n in range(spec["concurrency"])))
        seconds = time.perf_counter() - started
    latencies = sorted(state["latencies"])
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {"requests": len(latencies), "errors": state["errors"], "seconds": seconds,
            "p50_ms": cuts[49] * 1000, "p99_ms": cuts[98] * 1000}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(json.loads(sys.stdin.read())))))
