"""Malicious-complaint signals: repeat complainant, cross-customer copy-paste, extortion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kefu.complaints.malicious import ComplaintRecord, NearDuplicateIndex, assess_complaint

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TEMPLATE = (
    "My parcel arrived damaged and the screen is cracked. I demand a full refund of "
    "1299 dollars immediately or compensation."
)


def test_near_duplicate_from_another_customer_is_found_and_own_text_is_not() -> None:
    index = NearDuplicateIndex()
    index.add("c1", TEMPLATE, customer_id="alice", at=NOW - timedelta(days=1))
    index.add("c2", "Where is my order? It has been two weeks and nobody replies.",
              customer_id="bob", at=NOW - timedelta(days=1))
    edited = TEMPLATE.replace("1299", "1350").upper() + "!!"
    matches = index.query(edited, at=NOW, exclude_customer="carol")
    assert [m.key for m in matches] == ["c1"]
    assert matches[0].similarity >= 0.7
    assert index.query(edited, at=NOW, exclude_customer="alice") == []


def test_old_and_short_texts_do_not_match() -> None:
    index = NearDuplicateIndex(window=timedelta(days=30))
    index.add("old", TEMPLATE, customer_id="alice", at=NOW - timedelta(days=45))
    assert index.query(TEMPLATE, at=NOW) == []
    index.add("short", "refund please", customer_id="bob", at=NOW)
    assert len(index) == 0
    assert index.query("refund please", at=NOW) == []


def test_entries_expire_as_newer_ones_arrive() -> None:
    index = NearDuplicateIndex(window=timedelta(days=7))
    index.add("a", TEMPLATE, customer_id="alice", at=NOW - timedelta(days=10))
    index.add("b", TEMPLATE + " Second copy.", customer_id="bob", at=NOW)
    assert len(index) == 1


def test_copy_paste_chinese_complaints_match() -> None:
    index = NearDuplicateIndex()
    text = "你们的快递把我的手机摔坏了，屏幕全碎了，必须全额退款并赔偿我的损失，否则我就投诉"
    index.add("z1", text, customer_id="li", at=NOW)
    assert index.query(text.replace("手机", "平板"), at=NOW, exclude_customer="wang")


def test_assessment_combines_signals_with_reasons() -> None:
    index = NearDuplicateIndex()
    index.add("c1", TEMPLATE, customer_id="alice", at=NOW - timedelta(days=2))
    history = [ComplaintRecord(NOW - timedelta(days=d), 300.0) for d in (3, 10, 20, 90)]
    signals = assess_complaint(
        TEMPLATE.replace("or compensation.", "or I will post it."),
        "en", customer_id="mallory", now=NOW, history=history, amount=1299.0, index=index,
    )
    codes = [r.split(":")[0] for r in signals.reasons]
    assert codes == [
        "repeat_complainant", "high_claimed_amount", "copy_paste_across_customers",
        "extortion_phrasing",
    ]
    assert signals.complaints_in_window == 4
    assert signals.amount_in_window == 2199.0
    assert signals.extortion
    assert 0.7 < signals.score <= 1.0


def test_an_ordinary_first_complaint_scores_zero() -> None:
    signals = assess_complaint(
        "My order is late, can you check it please?", "en", customer_id="bob", now=NOW,
        index=NearDuplicateIndex(),
    )
    assert signals.score == 0.0
    assert signals.reasons == ()
