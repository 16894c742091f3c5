"""Start a uvicorn server in a subprocess on a free loopback port and wait until it answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

UVICORN_FLAGS = ("--host", "127.0.0.1", "--log-level", "warning", "--no-access-log",
                 "--loop", "auto", "--http", "auto")
"""The same uvicorn settings for Kefu and for the reference app."""


@dataclass(frozen=True)
class RunningServer:
    """A server subprocess: where it listens and its process id."""

    base_url: str
    pid: int


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def uvicorn_server(
    factory: str, *, env: dict[str, str], health_path: str, log_path: Path, timeout: float = 60.0
) -> Iterator[RunningServer]:
    """Run `uvicorn --factory <factory>` until the block ends; fail with its log if it never answers."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", factory, "--factory", "--port", str(port),
               *UVICORN_FLAGS]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env={**os.environ, **env}, stdout=log,
                                   stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, base_url + health_path, timeout, log_path)
        yield RunningServer(base_url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(process: subprocess.Popen[bytes], url: str, timeout: float, log_path: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not answer {url} within {timeout} s:\n{log_path.read_text()[-3000:]}")
