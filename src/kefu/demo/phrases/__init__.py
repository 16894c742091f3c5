"""Demo phrasebooks in the six languages of the platform (own templates with slots)."""

from __future__ import annotations

from kefu.demo.phrases import en, ms, th, vi, zh
from kefu.demo.phrases import id as indonesian
from kefu.demo.phrases.book import Intent, IntentLines, Phrasebook

BOOKS: dict[str, Phrasebook] = {book.language: book for book in
                                (zh.BOOK, en.BOOK, indonesian.BOOK, vi.BOOK, th.BOOK, ms.BOOK)}
"""Language code -> phrasebook."""

__all__ = ["BOOKS", "Intent", "IntentLines", "Phrasebook"]
