"""Macro text: `{{ name }}` / `{{ name | fallback }}` placeholders and the choice of a language (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*(?:\|\s*([^}]*?)\s*)?\}\}")
KNOWN = frozenset(
    {
        "customer.name",
        "customer.first_name",
        "agent.name",
        "conversation.id",
        "conversation.subject",
        "workspace.name",
    }
)
"""Names a macro may use; anything else is refused when the macro is saved."""


def unknown_placeholders(template: str) -> list[str]:
    """Placeholder names in the template that are not known."""
    return sorted({m.group(1) for m in PLACEHOLDER.finditer(template)} - KNOWN)


def render(template: str, values: Mapping[str, str | None]) -> tuple[str, list[str]]:
    """Fill the placeholders; an empty value takes the fallback, else the name is reported missing."""
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        name, fallback = match.group(1), match.group(2)
        value = values.get(name)
        if value:
            return value
        if fallback is None:
            missing.append(name)
            return ""
        return fallback

    return PLACEHOLDER.sub(fill, template), sorted(set(missing))


def base_language(code: str) -> str:
    """The language without region or script (`zh-Hans` → `zh`)."""
    return code.split("-", 1)[0].lower()


def pick_variant(
    variants: Mapping[str, str], preferences: Sequence[tuple[str, str | None]]
) -> tuple[str, str]:
    """(language, source) of the first preference with a variant, exact first then by base language.

    `preferences` are (source, language) pairs in order, e.g. the conversation's detected
    language, the customer's, the workspace's default, the macro's default.
    """
    for source, language in preferences:
        if not language:
            continue
        if language in variants:
            return language, source
        wanted = base_language(language)
        for key in variants:
            if base_language(key) == wanted:
                return key, source
    first = next(iter(variants))
    return first, "first_variant"
