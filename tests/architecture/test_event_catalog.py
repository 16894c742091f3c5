"""The event catalog in ARCHITECTURE.md lists exactly the events the code publishes, with their payloads."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from kefu.core.events import event_class, event_types

ROOT = Path(__file__).resolve().parents[2]
DOMAINS_WITH_EVENTS = sorted(path.parent.name for path in (ROOT / "src" / "kefu").glob("*/events.py")
                             if path.parent.name != "core")


def _catalog() -> dict[str, tuple[str, set[str]]]:
    """Event type → (publishing domain, payload field names) from the catalog table."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text.split("## Event catalog", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, tuple[str, set[str]]] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 4 or not cells[0].startswith("`"):
            continue
        payload = re.sub(r"\([^)]*\)", "", cells[2])  # explanations in parentheses are not fields
        fields = {item.strip().split(" ")[0] for item in payload.split(",") if item.strip()}
        if "actor" in fields:  # the catalog's shorthand
            fields = (fields - {"actor"}) | {"actor_kind", "actor_id"}
        for name in re.findall(r"`([^`]+)`", cells[0]):
            rows[name] = (cells[1], fields)
    return rows


def _published() -> dict[str, tuple[str, set[str]]]:
    for domain in DOMAINS_WITH_EVENTS:
        importlib.import_module(f"kefu.{domain}.events")
    published = {}
    for name in event_types():
        cls = event_class(name)
        if not cls.__module__.startswith("kefu."):
            continue  # events declared by tests
        published[name] = (cls.__module__.split(".")[1], set(cls.model_fields) - {"workspace_id"})
    return published


def test_every_published_event_is_in_the_catalog_and_nothing_else() -> None:
    assert sorted(_catalog()) == sorted(_published())


def test_the_catalog_names_the_publisher_and_payload_of_each_event() -> None:
    catalog = _catalog()
    wrong = {name: (catalog[name], found) for name, found in _published().items()
             if name in catalog and catalog[name] != found}
    assert wrong == {}
