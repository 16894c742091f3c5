"""Scale-out: a web process without a worker and a separate worker share one database via Redis."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from kefu.config.settings import Settings
from kefu.core.events import EventEnvelope
from kefu.db.outbox import publish
from kefu.jobs.runtime import RuntimeMode
from kefu.wiring import Container, build_container
from tests.conftest import Tenant, service_unavailable
from tests.jobs.test_outbox_relay import Pinged

WAIT_SECONDS = 15


@pytest.fixture
def redis_url() -> str:
    """The test Redis, flushed of earlier jobs."""
    url = os.environ.get("KEFU_TEST_REDIS_URL")
    if not url:
        service_unavailable("KEFU_TEST_REDIS_URL is not set")
    import redis

    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError as exc:
        service_unavailable(f"Redis at {url} does not answer: {exc}")
    return str(url)


@pytest.fixture
def web_and_worker(
    database_url: str, redis_url: str, tmp_path: Path, container: Container
) -> Iterator[tuple[Container, Container]]:
    """Two containers on one database and one Redis: a web process and a worker process."""
    settings = Settings(database_url=database_url, redis_url=redis_url, data_dir=tmp_path / "scale")
    web = build_container(settings, mode=RuntimeMode.REDIS)
    worker = build_container(settings, mode=RuntimeMode.REDIS)
    web.runtime.huey.flush()
    yield web, worker
    worker.close()
    web.close()


def test_event_committed_by_web_is_delivered_by_the_worker(
    web_and_worker: tuple[Container, Container], tenant: Tenant
) -> None:
    web, worker = web_and_worker
    delivered = threading.Event()

    def handler(_session: Session, envelope: EventEnvelope) -> None:
        assert isinstance(envelope.event, Pinged) and envelope.event.note == "from web"
        delivered.set()

    worker.subscriptions.subscribe(Pinged, handler)
    worker.runtime.start(workers=1)
    with web.session_factory() as session:
        publish(session, Pinged(workspace_id=tenant.workspace_id, note="from web"))
        session.commit()
    assert delivered.wait(WAIT_SECONDS), "the worker did not deliver the event"
    assert not web.runtime.worker_alive


def test_job_enqueued_by_web_runs_in_the_worker(web_and_worker: tuple[Container, Container]) -> None:
    web, worker = web_and_worker
    ran: list[int] = []
    done = threading.Event()

    def echo(value: int) -> None:
        ran.append(value)
        done.set()

    for side in (web, worker):
        side.runtime.job("tests.echo", echo)
    worker.runtime.start(workers=1)
    web.runtime.enqueue("tests.echo", 42)
    assert done.wait(WAIT_SECONDS), "the worker did not run the job"
    assert ran == [42]
