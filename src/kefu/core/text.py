"""Text that can deceive: control characters, ANSI escapes and bidi overrides.

Customer text is kept as sent; `display_form` gives the form shown to people, with controls made
visible (ESC → ␛, so an ANSI sequence prints as inert text) and bidi embeddings, overrides and
isolates removed (they can reorder what an agent reads, e.g. a file name or a link). Text that
agents author (tags, subjects, names) must not contain them at all: `deceptive_characters`.
"""

from __future__ import annotations

import re
import unicodedata

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI. The marks LRM, RLM and ALM stay: they only nudge."""
_LINE_BREAKS = frozenset("\n\t")
_CONTROL_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)} | {0x7F: "\u2421"}
_DECEPTIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029" + "".join(sorted(BIDI_CONTROLS)) + "]")


def deceptive_characters(text: str, *, multi_line: bool = False) -> list[str]:
    """The control, bidi-override and unpaired-surrogate characters of a text (newline and tab allowed
    when multi-line), as `U+XXXX` names for an error message."""
    allowed = _LINE_BREAKS if multi_line else frozenset()
    found = {
        ch for ch in text
        if ch not in allowed and (unicodedata.category(ch) in {"Cc", "Cs"} or ch in BIDI_CONTROLS
                                  or ch in "\u2028\u2029")
    }
    return [f"U+{ord(ch):04X}" for ch in sorted(found)]


def refuse_deceptive_line(value: str) -> str:
    """Validator of agent-authored one-line text (subjects, tags, names): no control or bidi characters."""
    found = deceptive_characters(value)
    if found:
        raise ValueError(f"control or bidi-override characters are not allowed ({', '.join(found)})")
    return value


def refuse_deceptive_text(value: str) -> str:
    """Validator of agent-authored text of several lines (macro texts): as above, newline and tab allowed."""
    found = deceptive_characters(value, multi_line=True)
    if found:
        raise ValueError(f"control or bidi-override characters are not allowed ({', '.join(found)})")
    return value


def display_form(text: str) -> str | None:
    """The text as shown to people, or None when it needs no change (the common case, checked fast).

    CR LF and lone CR become LF, line and paragraph separators LF; other C0 controls and DEL become
    their Control Pictures symbol, C1 controls U+FFFD; bidi embeddings, overrides and isolates go.
    """
    if not _DECEPTIVE.search(text):
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _LINE_BREAKS:
            out.append(ch)
        elif code in _CONTROL_PICTURES:
            out.append(_CONTROL_PICTURES[code])
        elif 0x80 <= code <= 0x9F:
            out.append("\ufffd")
        elif ch not in BIDI_CONTROLS:
            out.append(ch)
    return "".join(out)


def displayed(text: str) -> str:
    """`display_form` of a text, or the text itself when it needs no change."""
    shown = display_form(text)
    return text if shown is None else shown
