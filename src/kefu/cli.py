"""The `kefu` command: serve, demo, migrate, worker, create-admin, create-token, eval, train, bench."""

from __future__ import annotations

import click


@click.group()
def main() -> None:
    """Kefu (客服) intelligent customer-service platform."""


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
