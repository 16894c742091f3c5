"""Abuse detection promises: per-language profanity/insult/threat/extortion, obfuscation, negatives."""

from __future__ import annotations

import pytest

from kefu.nlp.moderation.abuse import detect_abuse


@pytest.mark.parametrize(
    ("text", "lang", "category"),
    [
        ("this is f*cking ridiculous", "en", "profanity"),
        ("what an a$$hole", "en", "profanity"),
        ("sh1t service", "en", "profanity"),
        ("F.U.C.K you", "en", "profanity"),
        ("fuuuuuck", "en", "profanity"),
        ("you are a bunch of idiots", "en", "insult"),
        ("你们这些傻逼", "zh", "insult"),
        ("anjing lu", "id", "profanity"),
        ("bodoh betul korang ni", "ms", "insult"),
        ("đm shop lừa đảo", "vi", "profanity"),
        ("ไอ้ควาย", "th", "insult"),
        ("I will kill you", "en", "threat"),
        ("我要弄死你", "zh", "threat"),
    ],
)
def test_flags_abuse_in_every_language(text: str, lang: str, category: str) -> None:
    result = detect_abuse(text, lang)
    assert result.flagged
    assert category in result.categories
    assert result.terms


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Refund me or I will post this everywhere on social media", "en"),
        ("If you don't refund me I'll sue", "en"),
        ("不赔钱就曝光你们", "zh"),
        ("再不退款我就去12315投诉", "zh"),
        ("kalau tak refund aku tularkan kat facebook", "ms"),
        ("kalau tidak dikembalikan uangnya saya viralkan", "id"),
        ("không hoàn tiền thì tôi bóc phốt lên mạng", "vi"),
        ("ถ้าไม่คืนเงินจะฟ้อง สคบ", "th"),
    ],
)
def test_extortion_phrasing_is_flagged(text: str, lang: str) -> None:
    result = detect_abuse(text, lang)
    assert result.flagged
    assert "extortion" in result.categories
    assert result.score >= 0.8


def test_mild_venting_is_reported_but_not_flagged() -> None:
    damn = detect_abuse("this is damn slow", "en")
    assert damn.categories == ("profanity_mild",)
    assert not damn.flagged
    threat = detect_abuse("this is damn slow and I will kill you", "en")
    assert threat.flagged and threat.score > damn.score


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("hello, I want to check my class schedule", "en"),
        ("I will post a review tomorrow", "en"),
        ("Please assess the shell script", "en"),
        ("怎么操作退款？", "zh"),
        ("我妈妈的手机坏了，靠谱吗", "zh"),
        ("สัดส่วนของสินค้า", "th"),
        ("Saya mahu pulangan wang kerana barang rosak", "ms"),
        ("Tôi muốn hoàn tiền các đơn hàng", "vi"),
    ],
)
def test_ordinary_messages_are_not_flagged(text: str, lang: str) -> None:
    result = detect_abuse(text, lang)
    assert not result.flagged
    assert result.categories == ()
    assert result.score == 0.0


def test_english_abuse_is_found_inside_other_language_messages() -> None:
    assert detect_abuse("shop ini bullshit", "id").flagged
    assert detect_abuse("你们是idiots", "zh").flagged
