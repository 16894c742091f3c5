"""UI languages of the console: gettext catalogues (Babel .po files), locale choice, localised formats."""

from __future__ import annotations

import contextvars
import functools
import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locales"
DEFAULT_LOCALE = "en"
LOCALES: dict[str, str] = {
    "en": "English",
    "zh_Hans": "简体中文",
    "id": "Bahasa Indonesia",
    "vi": "Tiếng Việt",
    "th": "ไทย",
    "ms": "Bahasa Melayu",
}
"""Catalogue name -> the language's own name (English and Simplified Chinese are complete)."""

_HTML_LANG = {"zh_Hans": "zh-Hans"}
_current: contextvars.ContextVar[str] = contextvars.ContextVar("kefu_ui_locale", default=DEFAULT_LOCALE)


@functools.cache
def translations(locale: str) -> Translations:
    """The compiled catalogue of a UI locale, read from its .po file once per process."""
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain="messages")


def catalogue_locale(code: str | None) -> str | None:
    """The UI locale serving a language code (`zh`, `zh-CN`, `th`, ...), or None."""
    if not code:
        return None
    base, _, region = code.replace("_", "-").partition("-")
    base = base.lower()
    if base == "zh":
        return "zh_Hans" if region.lower() in ("", "cn", "sg", "hans", "my") else None
    return base if base in LOCALES else None


def choose_locale(languages: Iterable[str], fallback: str | None = None) -> str:
    """The agent's UI locale: their first language with a catalogue, else the workspace's, else English."""
    for code in [*languages, fallback]:
        locale = catalogue_locale(code)
        if locale is not None:
            return locale
    return DEFAULT_LOCALE


def html_lang(locale: str) -> str:
    """The BCP 47 tag of a UI locale for the `lang` attribute."""
    return _HTML_LANG.get(locale, locale)


@contextmanager
def using_locale(locale: str) -> Iterator[None]:
    """Make `locale` the language of gettext calls in this context (one page render)."""
    token = _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)
    try:
        yield
    finally:
        _current.reset(token)


def current_locale() -> str:
    """The UI locale of the page being rendered."""
    return _current.get()


def gettext(message: str) -> str:
    """Translate a message into the current UI locale."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """Translate a message with a count into the current UI locale."""
    return translations(_current.get()).ngettext(singular, plural, count)


def duration(seconds: float) -> str:
    """A duration as agents read it: "45 s", "2 min 05 s", "3 h 12 min", "2 d 4 h" (localised)."""
    total = max(0, int(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return gettext("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return gettext("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    if minutes:
        return gettext("%(m)d min %(s)02d s") % {"m": minutes, "s": secs}
    return gettext("%(s)d s") % {"s": secs}


def babel_locale() -> Locale:
    """The Babel locale of the current UI locale (for dates and numbers)."""
    return Locale.parse(_current.get())


def date_time(value: datetime, timezone: str) -> str:
    """A moment in the workspace's time zone, in the agent's locale (short form)."""
    return format_datetime(value, format="short", tzinfo=ZoneInfo(timezone), locale=babel_locale())


def number(value: float) -> str:
    """A number in the agent's locale."""
    return format_decimal(value, locale=babel_locale())
