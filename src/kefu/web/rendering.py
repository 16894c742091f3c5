"""Jinja2 environment of the console: auto-escaping templates, gettext, formats and asset URLs."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from kefu.web import i18n

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


@functools.cache
def asset_url(name: str) -> str:
    """The URL of a static file with a content hash, so browsers may cache it for long."""
    digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]
    return f"/static/{name}?v={digest}"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        asset=asset_url, duration=i18n.duration, date_time=i18n.date_time, number=i18n.number,
        locales=i18n.LOCALES,
    )
    return env


ENV = _environment()


def render(template: str, *, locale: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a template in a UI locale into an HTML response."""
    with i18n.using_locale(locale):
        html = ENV.get_template(template).render(
            lang=i18n.html_lang(i18n.current_locale()), locale=i18n.current_locale(), **context
        )
    return HTMLResponse(html, status_code=status_code)
