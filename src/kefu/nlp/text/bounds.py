"""Bounded analysis input: emoji floods and repeated characters squeezed, the length capped.

Customer text is analysed with a bounded budget (DESIGN.md): whatever a client sends, the
models see at most `MODEL_CHARS` characters and the linear stages (language ID, tokens, abuse)
at most `ANALYSED_CHARS`, after runs that carry no more meaning than their first few repeats
are squeezed. The squeezing itself only ever scans the first `SCAN_CHARS` characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kefu.nlp.text.normalise import EMOJI_CLASS

SCAN_CHARS = 4_000
"""Characters of the raw text the squeezing looks at (the rest cannot reach the models)."""
ANALYSED_CHARS = 1_000
"""Characters after squeezing seen by language ID, tokenising and abuse detection."""
MODEL_CHARS = 300
"""Characters after squeezing seen by the intent and sentiment models."""
EMOJI_RUN = 5
"""Emoji kept of a run of emoji (with the spaces and joiners between them)."""
CHAR_RUN = 3
"""Repeats kept of one non-digit character typed again and again ("!!!!!!" -> "!!!")."""
UNIT_RUN = 3
"""Repeats kept of a short unit typed again and again ("hahaha…", "😀a😀a…", "no no no …")."""

_EMOJI_UNIT = f"[{EMOJI_CLASS}][\u200d\ufe0f\\s]*"
_EMOJI_UNIT_RE = re.compile(_EMOJI_UNIT)
_EMOJI_RUN_RE = re.compile(f"(?:{_EMOJI_UNIT}){{{EMOJI_RUN + 1},}}")
_CHAR_RUN_RE = re.compile(f"(\\D)\\1{{{CHAR_RUN},}}", re.DOTALL)
_UNIT_RUN_RE = re.compile(f"(\\D.{{1,7}}?)\\1{{{UNIT_RUN},}}", re.DOTALL)


@dataclass(frozen=True)
class BoundedText:
    """The parts of a text the analysis stages see, and whether anything was squeezed or cut."""

    text: str
    model_text: str
    bounded: bool


def bound_text(text: str) -> BoundedText:
    """Squeeze emoji runs, repeated characters and repeated short units, then cap the length.

    Linear in the scanned prefix; a text of ordinary chat comes back unchanged.
    """
    scanned = text[:SCAN_CHARS]
    squeezed = _EMOJI_RUN_RE.sub(_first_emoji, scanned)
    squeezed = _CHAR_RUN_RE.sub(lambda m: m.group(1) * CHAR_RUN, squeezed)
    squeezed = _UNIT_RUN_RE.sub(lambda m: m.group(1) * UNIT_RUN, squeezed)
    analysed = squeezed[:ANALYSED_CHARS]
    model_text = analysed[:MODEL_CHARS]
    return BoundedText(text=analysed, model_text=model_text, bounded=model_text != text)


def _first_emoji(match: re.Match[str]) -> str:
    """The first `EMOJI_RUN` emoji of a run, as they were spaced."""
    return "".join(_EMOJI_UNIT_RE.findall(match.group(0))[:EMOJI_RUN])
