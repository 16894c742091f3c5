"""Tokeniser promises: jieba for zh, newmm for th, word/number/emoji tokens elsewhere."""

from __future__ import annotations

from kefu.nlp.text.tokenise import tokenise


def test_chinese_is_segmented_into_words() -> None:
    tokens = tokenise("我的订单还没到，我要退款！", "zh")
    assert "退款" in tokens
    assert "订单" in tokens
    assert "，" not in tokens and "," not in tokens


def test_thai_is_segmented_with_newmm() -> None:
    tokens = tokenise("สวัสดีครับ ผมอยากยกเลิกโปรเน็ตค่ะๆๆ", "th")
    assert tokens[:2] == ["สวัสดี", "ครับ"]
    assert "ยกเลิก" in tokens
    assert tokens[-1] == "ๆ"
    assert " " not in tokens


def test_latin_languages_split_on_space_and_punctuation() -> None:
    tokens = tokenise("Sooooo slow!!! Where's order #12345? 3.5 days 😡", "en")
    assert tokens == ["soo", "slow", "!!", "where's", "order", "12345", "?", "3.5", "days", "😡"]


def test_reduplication_and_vietnamese_syllables_stay_whole() -> None:
    assert tokenise("Barang belum sampai-sampai", "id") == ["barang", "belum", "sampai-sampai"]
    assert tokenise("Tôi muốn hoàn tiền", "vi") == ["tôi", "muốn", "hoàn", "tiền"]


def test_code_mixed_runs_are_still_segmented() -> None:
    tokens = tokenise("I want 退款 now, ขอบคุณครับ", "en")
    assert tokens[:3] == ["i", "want", "退款"]
    assert tokens[-2:] == ["ขอบคุณ", "ครับ"]


def test_already_normalised_text_gives_same_tokens() -> None:
    from kefu.nlp.text.normalise import normalise

    raw = "WHY is my REFUND sooo late?!"
    assert tokenise(normalise(raw), "en", normalised=True) == tokenise(raw, "en")
