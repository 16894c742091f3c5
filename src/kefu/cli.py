"""The `kefu` command: serve, demo, migrate, worker, create-admin, create-token, eval, train, bench."""

from __future__ import annotations

import os
import signal
import threading

import click

from kefu.config.settings import Settings


def _settings(data_dir: str | None = None) -> Settings:
    if data_dir:
        os.environ["KEFU_DATA_DIR"] = data_dir
    return Settings()


@click.group()
def main() -> None:
    """Kefu (客服) intelligent customer-service platform."""


@main.command()
def migrate() -> None:
    """Create or upgrade the database schema to the newest migration."""
    from kefu.db.engine import make_engine
    from kefu.db.migrate import upgrade

    settings = _settings()
    engine = make_engine(settings.resolved_database_url())
    upgrade(engine)
    engine.dispose()
    click.echo(f"database at {_safe_url(settings.resolved_database_url())} is up to date")


def _serve(host: str, port: int, workers: int, *, demo: bool) -> None:
    import uvicorn

    from kefu.db.migrate import upgrade
    from kefu.main import create_app
    from kefu.wiring import build_container

    settings = _settings()
    container = build_container(settings)
    upgrade(container.engine)
    url = f"http://{host}:{port}"
    if demo:
        from kefu.demo.seed import ensure_demo

        summary = ensure_demo(container)
        click.echo(summary.render(url))
    if workers > 1:
        container.close()
        os.environ["KEFU_HOST"], os.environ["KEFU_PORT"] = host, str(port)
        uvicorn.run("kefu.main:create_app_from_env", factory=True, host=host, port=port,
                    workers=workers, log_level=settings.log_level)
        return
    click.echo(f"Kefu is listening on {url}  (API docs: {url}/api/docs)")
    uvicorn.run(create_app(container), host=host, port=port, log_level=settings.log_level)


@main.command()
@click.option("--host", default=None, help="Interface to listen on (default KEFU_HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default KEFU_PORT or 8000).")
@click.option("--workers", type=int, default=1, help="Web processes.")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Run the web server (migrating first) with the in-process job worker, without demo data."""
    settings = _settings()
    _serve(host or settings.host, port or settings.port, workers, demo=False)


@main.command()
@click.option("--host", default=None, help="Interface to listen on (default KEFU_HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default KEFU_PORT or 8000).")
def demo(host: str | None, port: int | None) -> None:
    """Migrate, load the demo workspace once, print the URL, logins and a token, and serve."""
    settings = _settings()
    _serve(host or settings.host, port or settings.port, 1, demo=True)


@main.command()
@click.option("--threads", type=int, default=2, help="Job worker threads.")
def worker(threads: int) -> None:
    """Run the job worker and outbox relay alone (for PostgreSQL + Redis scale-out)."""
    from kefu.wiring import build_container

    container = build_container(_settings())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    container.runtime.start(workers=threads)
    click.echo(f"worker running ({container.runtime.mode.value}); Ctrl-C to stop")
    stop.wait()
    container.close()


@main.command("create-admin")
@click.option("--workspace", "workspace_name", required=True, help="Workspace name (created if new).")
@click.option("--email", required=True)
@click.option("--name", "display_name", default="Administrator")
@click.password_option()
def create_admin(workspace_name: str, email: str, display_name: str, password: str) -> None:
    """Create a workspace (if needed) and an admin agent in it."""
    from kefu.accounts import service as accounts
    from kefu.accounts.enums import Role
    from kefu.accounts.schemas import AgentIn
    from kefu.core.errors import KefuError
    from kefu.wiring import build_container

    container = build_container(_settings())
    try:
        with container.session_factory() as session:
            workspace = accounts.get_workspace_by_slug(
                session, slug=accounts.slugify(workspace_name)
            ) or accounts.create_workspace(session, name=workspace_name)
            agent = accounts.create_agent(
                session,
                workspace_id=workspace.id,
                data=AgentIn(email=email, display_name=display_name, password=password,
                             role=Role.ADMIN),
            )
            session.commit()
            click.echo(f"admin {agent.email} created in workspace {workspace.slug}")
    except KefuError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        container.close()


@main.command("create-token")
@click.option("--workspace", "workspace_slug", required=True, help="Workspace slug.")
@click.option("--email", required=True, help="Agent the token acts as.")
@click.option("--name", default="cli", help="A label for the token.")
def create_token(workspace_slug: str, email: str, name: str) -> None:
    """Issue a personal API token for an agent and print it once."""
    from kefu.accounts import service as accounts
    from kefu.core.errors import KefuError
    from kefu.wiring import build_container

    container = build_container(_settings())
    try:
        with container.session_factory() as session:
            workspace = accounts.get_workspace_by_slug(session, slug=workspace_slug)
            if workspace is None:
                raise click.ClickException(f"no workspace {workspace_slug!r}")
            agent = accounts.find_agent_by_email(session, workspace_id=workspace.id, email=email)
            if agent is None:
                raise click.ClickException(f"no agent {email!r} in {workspace_slug!r}")
            issued = accounts.issue_api_token(
                session, workspace_id=workspace.id, agent_id=agent.id, name=name
            )
            session.commit()
            click.echo(issued.token)
    except KefuError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        container.close()


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@main.group(name="eval")
def eval_group() -> None:
    """Evaluate language-understanding models on labelled files; prints metrics."""


@main.group()
def train() -> None:
    """Train the bundled language-understanding models from ../shared/data."""


@main.group()
def bench() -> None:
    """Benchmarks that print their numbers."""


if __name__ == "__main__":
    main()
