"""Drive a fixed number of POST requests at a server from another process and read the figures.

Two interchangeable tools, one per run for both servers: `wrk` (C, preferred: it costs the shared
CPU least) with a Lua script making a unique body per request, or `kefu.bench.loadgen` (asyncio +
httpx) when wrk is not installed.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

MARKER = "@@N@@"
"""Replaced in each body by a value unique to the request (run nonce, thread, counter)."""
WARMUP_SECONDS = 5
MIN_SECONDS = 5
MAX_SECONDS = 120


@dataclass(frozen=True)
class Workload:
    """What every request looks like: a path, headers and a JSON body template containing MARKER."""

    path: str
    body_template: str
    headers: dict[str, str] = field(default_factory=dict)
    expected_status: int = 201


@dataclass(frozen=True)
class LoadResult:
    """Throughput and latency of one load run."""

    tool: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def requests_per_second(self) -> float:
        """Completed requests per wall-clock second."""
        return self.requests / self.seconds if self.seconds else 0.0


def pick_tool(preferred: str = "auto") -> str:
    """`wrk` when asked for or available on PATH, else the Python tool."""
    if preferred == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    if preferred == "wrk" and not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (apt-get install -y wrk) — use --load-tool python")
    return preferred


def run_load(
    tool: str, base_url: str, workload: Workload, *, requests: int, concurrency: int, nonce: str
) -> LoadResult:
    """Warm up, then send at least `requests` requests with `concurrency` connections; return figures.

    The Python tool sends exactly `requests`; wrk runs for a duration sized from its warm-up rate
    (at most MAX_SECONDS, so a slow server yields fewer requests rather than an endless run).
    """
    if tool == "wrk":
        warm = _run_wrk(base_url, workload, seconds=WARMUP_SECONDS, concurrency=concurrency,
                        nonce=nonce + "w")
        wanted = math.ceil(1.2 * requests / max(warm.requests_per_second, 1.0))
        seconds = min(MAX_SECONDS, max(MIN_SECONDS, wanted))
        return _run_wrk(base_url, workload, seconds=seconds, concurrency=concurrency, nonce=nonce)
    _run_python(base_url, workload, requests=max(requests // 10, 100), concurrency=concurrency,
                nonce=nonce + "w")
    return _run_python(base_url, workload, requests=requests, concurrency=concurrency, nonce=nonce)


def _run_python(
    base_url: str, workload: Workload, *, requests: int, concurrency: int, nonce: str
) -> LoadResult:
    spec = {"base_url": base_url, "path": workload.path, "body_template": workload.body_template,
            "headers": workload.headers, "expected_status": workload.expected_status,
            "requests": requests, "concurrency": concurrency, "nonce": nonce}
    done = subprocess.run([sys.executable, "-m", "kefu.bench.loadgen"], input=json.dumps(spec),
                          capture_output=True, text=True, check=True)
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return LoadResult("python-httpx", data["requests"], data["errors"], data["seconds"],
                      data["p50_ms"], data["p99_ms"])


_WRK_SCRIPT = r"""
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local counter, prefix = 0, ""
local template = [==[__BODY__]==]
function init(args)
  prefix = args[1] .. "-" .. tostring(tid)
  wrk.method = "POST"
  wrk.path = "__PATH__"
__HEADERS__
end
function request()
  counter = counter + 1
  local body = (string.gsub(template, "__MARK__", prefix .. "-" .. counter))
  return wrk.format(nil, nil, nil, body)
end
function done(summary, latency, requests)
  io.write(string.format('{"requests": %d, "micros": %d, "status_errors": %d, ' ..
    '"socket_errors": %d, "p50_us": %d, "p99_us": %d}\n', summary.requests, summary.duration,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout, latency:percentile(50.0), latency:percentile(99.0)))
end
"""


def _lua_string(value: str) -> str:
    return "[==[" + value + "]==]"


def _run_wrk(
    base_url: str, workload: Workload, *, seconds: int, concurrency: int, nonce: str
) -> LoadResult:
    threads = 1 if concurrency < 16 else 2
    headers = {"Content-Type": "application/json", **workload.headers}
    header_lines = "\n".join(
        f"  wrk.headers[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in headers.items()
    )
    script = (
        _WRK_SCRIPT.replace("__BODY__", workload.body_template.replace(MARKER, "__MARK__"))
        .replace("__PATH__", workload.path)
        .replace("__HEADERS__", header_lines)
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
        script_path = Path(handle.name)
    try:
        command = ["wrk", "-t", str(threads), "-c", str(concurrency), "-d", f"{seconds}s",
                   "--timeout", "30s", "-s", str(script_path), base_url, "--", nonce]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
    finally:
        script_path.unlink(missing_ok=True)
    line = next(x for x in reversed(done.stdout.splitlines()) if x.startswith("{"))
    data = json.loads(line)
    return LoadResult("wrk", data["requests"], data["status_errors"] + data["socket_errors"],
                      data["micros"] / 1e6, data["p50_us"] / 1000, data["p99_us"] / 1000)
