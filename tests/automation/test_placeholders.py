"""Macro placeholders and the choice of a language variant."""

from __future__ import annotations

from kefu.automation.placeholders import pick_variant, render, unknown_placeholders

VARIANTS = {"en": "Hello", "zh-Hans": "你好", "th": "สวัสดี"}


def test_render_fills_falls_back_and_reports_missing() -> None:
    text, missing = render(
        "Hi {{ customer.first_name | there }}, I am {{agent.name}} ({{conversation.id}})",
        {"customer.first_name": "", "agent.name": None, "conversation.id": "c1"},
    )
    assert text == "Hi there, I am  (c1)"
    assert missing == ["agent.name"]
    assert render("{{ customer.name }} {x}", {"customer.name": "Ann"}) == ("Ann {x}", [])


def test_unknown_placeholders_are_named() -> None:
    assert unknown_placeholders("{{customer.name}} {{customer.password}} {{ order.id|?}}") == [
        "customer.password",
        "order.id",
    ]


def test_language_preferences_in_order_exact_then_base() -> None:
    assert pick_variant(VARIANTS, [("conversation", "th"), ("customer", "en")]) == ("th", "conversation")
    assert pick_variant(VARIANTS, [("conversation", "zh"), ("customer", "en")]) == ("zh-Hans", "conversation")
    assert pick_variant(VARIANTS, [("conversation", None), ("customer", "vi"), ("workspace", "en")]) == (
        "en",
        "workspace",
    )
    assert pick_variant(VARIANTS, [("conversation", "und")]) == ("en", "first_variant")
