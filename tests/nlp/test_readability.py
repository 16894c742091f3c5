"""Readability promises: Flesch for English, calibrated 0-100 proxy elsewhere, easy > hard."""

from __future__ import annotations

import pytest

from kefu.nlp.text.readability import readability

PAIRS = {
    "en": (
        "My order has not come. Can you help?",
        "Notwithstanding the aforementioned contractual obligations, reimbursement eligibility "
        "determinations necessitate comprehensive documentation verification procedures.",
    ),
    "id": (
        "Barang saya belum sampai. Tolong bantu.",
        "Sehubungan dengan ketidaksesuaian administratif, permohonan pengembalian dana Anda "
        "memerlukan verifikasi dokumentasi komprehensif sebelum diproses lebih lanjut.",
    ),
    "ms": (
        "Barang saya belum sampai. Tolong bantu.",
        "Berikutan ketidakselarasan pentadbiran, permohonan pemulangan wang tuan memerlukan "
        "pengesahan dokumentasi menyeluruh sebelum diproses selanjutnya.",
    ),
    "zh": (
        "我的订单还没到。请帮我看看。",
        "鉴于行政管理程序的不一致性，您的退款申请需要进行全面的文件核查与多级审批流程。",
    ),
    "vi": (
        "Đơn hàng của tôi chưa đến. Giúp tôi với.",
        "Do sự không nhất quán trong quy trình hành chính, yêu cầu hoàn tiền của quý khách cần "
        "được xác minh toàn diện các tài liệu liên quan trước khi được xử lý tiếp theo.",
    ),
    "th": (
        "ของยังไม่มาครับ ช่วยดูให้หน่อย",
        "เนื่องจากความไม่สอดคล้องของกระบวนการทางการบริหารจัดการเอกสารประกอบการพิจารณาคำร้องขอคืนเงินของท่านจำเป็นต้องได้รับการตรวจสอบอย่างละเอียดถี่ถ้วนก่อนดำเนินการต่อไป",
    ),
}


@pytest.mark.parametrize("lang", sorted(PAIRS))
def test_plain_text_scores_easier_than_bureaucratic_text(lang: str) -> None:
    easy, hard = PAIRS[lang]
    easy_score = readability(easy, lang).score
    hard_score = readability(hard, lang).score
    assert 0.0 <= hard_score < easy_score <= 100.0
    assert easy_score >= 60.0


def test_english_is_flesch_and_others_are_the_proxy() -> None:
    assert readability("Where is my order?", "en").method == "flesch"
    assert readability("Di mana pesanan saya?", "id").method == "flesch-proxy"


def test_english_matches_textstat_flesch() -> None:
    import textstat

    text = "The parcel was sent on Monday. It should arrive within three working days."
    assert readability(text, "en").score == pytest.approx(textstat.flesch_reading_ease(text), 0.01)


def test_text_without_words_is_trivially_easy() -> None:
    assert readability("😀 123", "zh").score == 100.0
