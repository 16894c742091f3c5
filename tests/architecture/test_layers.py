"""The import-layer contract and the public-surface rule of DESIGN.md, checked on the source."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "kefu"

KERNEL = {"core": 0, "config": 1, "db": 1, "jobs": 2, "outbound": 2, "audit": 2}
DOMAIN_RANK = {
    "accounts": 0,
    "nlp": 1, "customers": 1, "channels": 1, "sso": 1,
    "conversations": 2,
    "routing": 3, "sla": 3, "knowledge": 3, "bot": 3, "qa": 3, "webhooks": 3,
    "privacy": 3,
    "automation": 4,
    "complaints": 5,
    "analytics": 6,
    "wfm": 7,
}
PUBLIC = {"service", "schemas", "enums", "events", "exceptions"}
COMPOSITION_EXTRA = {"api", "receivers", "handlers", "tasks", "dependencies", "evaluation", "training"}
# Tool code: imported by the CLI only, never on the run-time path of a domain.
TOOLS = {"training", "evaluation"}
TOP = {"realtime", "web", "main", "wiring", "cli", "demo", "bench"}


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        yield ".".join(["kefu", *parts]), path


def _kefu_imports(path: Path) -> Iterator[tuple[int, list[str]]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("kefu."):
                    yield node.lineno, alias.name.split(".")[1:]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "kefu":
                for alias in node.names:
                    yield node.lineno, [alias.name]
            elif node.module.startswith("kefu."):
                parts = node.module.split(".")[1:]
                if len(parts) == 1 and parts[0] in DOMAIN_RANK:
                    for alias in node.names:
                        yield node.lineno, [parts[0], alias.name]
                else:
                    yield node.lineno, parts


def _violation(source: list[str], target: list[str]) -> str | None:
    """Why an import from package path `source` of `target` breaks the rules, or None."""
    src_pkg, dst_pkg = source[0], target[0]
    if src_pkg == dst_pkg or not target or dst_pkg == "__version__":
        return None
    if src_pkg in KERNEL:
        if dst_pkg not in KERNEL or KERNEL[dst_pkg] > KERNEL[src_pkg] or (
            KERNEL[dst_pkg] == KERNEL[src_pkg] and src_pkg != dst_pkg
        ):
            return f"kernel package {src_pkg} may not import {dst_pkg}"
        return None
    if dst_pkg in KERNEL:
        return None
    if dst_pkg in TOP and src_pkg not in TOP:
        return f"{src_pkg} may not import the upper layer {dst_pkg}"
    if dst_pkg in DOMAIN_RANK:
        module = target[1] if len(target) > 1 else ""
        if src_pkg in TOP:
            allowed = PUBLIC | COMPOSITION_EXTRA
            return None if module in allowed else f"{src_pkg} may not import {dst_pkg}.{module}"
        if src_pkg in DOMAIN_RANK:
            if DOMAIN_RANK[dst_pkg] >= DOMAIN_RANK[src_pkg]:
                return f"domain {src_pkg} may not import {dst_pkg} (same or higher layer)"
            public = PUBLIC | ({"dependencies"} if dst_pkg == "accounts" else set())
            if module not in public:
                return f"{src_pkg} may import only public modules of {dst_pkg}, not {module}"
    return None


def _tool_violation(source: list[str], target: list[str]) -> str | None:
    """Why run-time code importing `target` pulls training or evaluation code in, or None."""
    if len(target) < 2 or target[1] not in TOOLS:
        return None
    if source[0] == "cli" or (source[0] == target[0] and len(source) > 1 and source[1] in TOOLS):
        return None
    return f"{'.'.join(source)} may not import the tool package {target[0]}.{target[1]}"


def _all_violations() -> list[str]:
    found = []
    for name, path in _modules():
        source = name.split(".")[1:]
        if not source:
            continue
        for line, target in _kefu_imports(path):
            why = _violation(source, target) or _tool_violation(source, target)
            if why:
                found.append(f"{path.relative_to(SRC)}:{line}: {why}")
    return found


def test_packages_respect_layers_and_public_surfaces() -> None:
    assert _all_violations() == []


@pytest.mark.parametrize(
    ("source", "target", "broken"),
    [
        (["core", "ids"], ["db", "base"], True),
        (["db", "outbox"], ["core", "events"], False),
        (["customers", "service"], ["conversations", "service"], True),
        (["conversations", "service"], ["customers", "models"], True),
        (["conversations", "service"], ["customers", "service"], False),
        (["conversations", "api"], ["accounts", "dependencies"], False),
        (["accounts", "service"], ["web", "health"], True),
        (["wiring"], ["conversations", "handlers"], False),
        (["wiring"], ["conversations", "models"], True),
        (["channels", "service"], ["conversations", "service"], True),
        (["channels", "service"], ["customers", "service"], True),
        (["conversations", "service"], ["channels", "schemas"], False),
        (["wiring"], ["channels", "adapters"], True),
        (["qa", "checks"], ["nlp", "text", "tokenise"], True),
        (["qa", "checks"], ["nlp", "service"], False),
        (["wiring"], ["nlp", "analyzer"], True),
        (["cli"], ["nlp", "evaluation", "language"], False),
        (["cli"], ["nlp", "sentiment", "model"], True),
    ],
)
def test_the_rule_itself_catches_violations(source: list[str], target: list[str], broken: bool) -> None:
    assert (_violation(source, target) is not None) is broken


@pytest.mark.parametrize(
    ("source", "target", "broken"),
    [
        (["nlp", "service"], ["nlp", "training", "datasets"], True),
        (["nlp", "sentiment", "model"], ["nlp", "evaluation", "sentiment"], True),
        (["qa", "service"], ["qa", "evaluation"], True),
        (["nlp", "evaluation", "language"], ["nlp", "training", "datasets"], False),
        (["cli"], ["nlp", "training", "intent_data"], False),
    ],
)
def test_the_tool_rule_itself(source: list[str], target: list[str], broken: bool) -> None:
    assert (_tool_violation(source, target) is not None) is broken


def test_every_module_has_a_docstring() -> None:
    missing = [
        str(path.relative_to(SRC))
        for _, path in _modules()
        if path.stat().st_size and ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None
    ]
    assert missing == []


def test_no_grab_bag_modules() -> None:
    assert [p.name for p in SRC.rglob("*.py") if p.stem in {"utils", "helpers", "misc", "common"}] == []
