"""Language-aware word tokens: jieba for Chinese, PyThaiNLP newmm for Thai, regex elsewhere."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import cache

from kefu.nlp.text.normalise import EMOJI_CLASS, normalise

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_THAI = "\u0e00-\u0e7f"
_HAN_RE = re.compile(f"[{_HAN}]")
_THAI_RE = re.compile(f"[{_THAI}]")
# Words (with inner apostrophes/hyphens), numbers with separators, single emoji, ?/! runs.
_WORD_RE = re.compile(
    rf"[^\W\d{_HAN}{_THAI}]+(?:['’\-][^\W\d{_HAN}{_THAI}]+)*"
    r"|\d+(?:[.,:/]\d+)*"
    rf"|[{EMOJI_CLASS}]"
    r"|[?!]+"
)
# Runs handed to a segmenter inside otherwise non-Chinese / non-Thai text (code-mixing).
_SCRIPT_RUN_RE = re.compile(f"[{_HAN}]+|[{_THAI}]+")
_KEEP_RE = re.compile(rf"[\w{EMOJI_CLASS}?!]")


def tokenise(text: str, lang: str, *, normalised: bool = False) -> list[str]:
    """Split `text` into normalised word tokens for `lang` (zh, en, id, vi, th, ms or other).

    Chinese uses jieba, Thai uses PyThaiNLP newmm, other languages split on whitespace and
    punctuation; Chinese or Thai runs inside other-language text are still segmented.
    Punctuation is dropped except `?`/`!`; emoji are tokens. Pass `normalised=True` when the
    text already went through `normalise`.
    """
    if not normalised:
        text = normalise(text)
    if lang == "zh":
        return _keep(_jieba_cut()(text))
    if lang == "th":
        return _keep(_thai_cut()(text))
    if not (_HAN_RE.search(text) or _THAI_RE.search(text)):
        return _WORD_RE.findall(text)
    return _mixed(text)


def _mixed(text: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    for run in _SCRIPT_RUN_RE.finditer(text):
        tokens.extend(_WORD_RE.findall(text, pos, run.start()))
        cut = _jieba_cut() if _HAN_RE.match(run.group()) else _thai_cut()
        tokens.extend(_keep(cut(run.group())))
        pos = run.end()
    tokens.extend(_WORD_RE.findall(text, pos))
    return tokens


def _keep(pieces: list[str]) -> list[str]:
    return [p.strip() for p in pieces if _KEEP_RE.search(p)]


@cache
def _jieba_cut() -> Callable[[str], list[str]]:
    """jieba's `lcut`, initialised once with its start-up logging silenced."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.lcut


@cache
def _thai_cut() -> Callable[[str], list[str]]:
    """PyThaiNLP's newmm segmenter with its bundled dictionary."""
    from pythainlp.tokenize.newmm import segment

    return segment
