"""Composition root: engine, sessions, job runtime, every event subscription and periodic job."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from kefu.config.settings import Settings
from kefu.db.engine import make_engine, make_session_factory
from kefu.db.outbox import AFTER_COMMIT_KEY
from kefu.jobs.relay import OutboxRelay
from kefu.jobs.runtime import JobRuntime, RuntimeMode
from kefu.jobs.subscriptions import Subscriptions


@dataclass
class Container:
    """Everything a process needs: settings, database, jobs and subscriptions."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    subscriptions: Subscriptions
    runtime: JobRuntime

    def close(self) -> None:
        """Stop background work and release connections."""
        self.runtime.stop()
        self.engine.dispose()


def runtime_mode(settings: Settings) -> RuntimeMode:
    """Redis when configured, otherwise the embedded SQLite queue."""
    return RuntimeMode.REDIS if settings.redis_url else RuntimeMode.EMBEDDED


def build_container(settings: Settings, *, mode: RuntimeMode | None = None) -> Container:
    """Build the process-wide container; subscriptions and jobs are declared here and only here."""
    engine = make_engine(settings.resolved_database_url())
    session_factory = make_session_factory(engine)
    subscriptions = Subscriptions()
    relay = OutboxRelay(session_factory, subscriptions)
    runtime = JobRuntime(
        mode or runtime_mode(settings),
        relay,
        data_dir=settings.data_dir,
        redis_url=settings.redis_url,
    )
    session_factory.configure(info={AFTER_COMMIT_KEY: runtime.kick_relay})
    container = Container(settings, engine, session_factory, subscriptions, runtime)
    subscribe_handlers(container)
    register_jobs(container)
    return container


def subscribe_handlers(container: Container) -> None:
    """Every event subscription of the platform."""
    _ = container.subscriptions


def register_jobs(container: Container) -> None:
    """Every background job and periodic schedule of the platform."""
    _ = container.runtime
