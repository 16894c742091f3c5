"""Chat-text normalisation promises: NFKC, lowercase, squeezed elongations, emoji tokens."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.nlp.text.normalise import normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Sooooo SLOW!!!!!", "soo slow!!"),
        ("ＦＵＬＬ　ｗｉｄｔｈ", "full width"),
        ("hahahaha wkwkwkwk", "haha wkwk"),
        ("哈哈哈哈哈 好好", "哈哈 好好"),
        ("มากกกกก ค่ะะะะ", "มาก ค่ะ"),
        ("ดีๆๆๆ ดีๆ ๆ ๆ", "ดีๆ ดีๆ"),
        ("ตลกมาก 5555555", "ตลกมาก 555"),
        ("😡😡😡😡terrible👍🏽", "😡 😡 terrible 👍"),
    ],
)
def test_normalise_examples(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_amounts_and_order_numbers_survive() -> None:
    assert normalise("I paid 1000000 VND for order 5555") == "i paid 1000000 vnd for order 5555"
    assert normalise("โอนไป 5555 บาท") == "โอนไป 5555 บาท"


def test_thai_sara_am_survives_nfkc() -> None:
    assert normalise("ทำไม น้ำ") == "ทำไม น้ำ"


def test_zero_width_characters_are_dropped() -> None:
    assert normalise("re\u200bfund\ufeff") == "refund"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
