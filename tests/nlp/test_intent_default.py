"""The shipped customer-service intent model: labels, multilingual messages, out of scope."""

from __future__ import annotations

import pytest

from kefu.nlp.intent.model import UNKNOWN, IntentModel, load_default_intent_model

SHIPPED_LABELS = {
    "order_status", "delivery", "refund_return", "payment", "account_password", "complaint",
    "cancellation", "pricing_exchange_rate", "human_agent", "greeting_thanks", "coupon", UNKNOWN,
}


@pytest.fixture(scope="module")
def model() -> IntentModel:
    """The shipped model, loaded once."""
    return load_default_intent_model()


def test_shipped_labels(model: IntentModel) -> None:
    assert set(model.labels) == SHIPPED_LABELS


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        ("Where is my parcel? It was supposed to arrive on Monday", "en", "delivery"),
        ("我的快递三天了还没到", "zh", "delivery"),
        ("我想退货，东西有质量问题", "zh", "refund_return"),
        ("kak, saya mau batalin pesanan yang tadi", "id", "cancellation"),
        ("Tôi quên mật khẩu đăng nhập rồi", "vi", "account_password"),
        ("ขอคุยกับเจ้าหน้าที่หน่อยครับ", "th", "human_agent"),
        ("boleh bayar guna kad kredit tak?", "ms", "payment"),
        ("what's the exchange rate from SGD to MYR today", "en", "pricing_exchange_rate"),
        ("谢谢你，再见", "zh", "greeting_thanks"),
        ("voucher gratis ongkir saya tidak bisa dipakai", "id", "coupon"),
    ],
)
def test_classifies_multilingual_messages(
    model: IntentModel, text: str, lang: str, label: str
) -> None:
    assert model.predict(text, lang).label == label


@pytest.mark.parametrize(
    "text",
    ["qwpoeiru zmxncbv lkjhg", "who painted the Mona Lisa?", "明天北京天气怎么样", "ไก่กับไข่อะไรเกิดก่อน"],
)
def test_off_topic_and_gibberish_are_unknown(model: IntentModel, text: str) -> None:
    assert model.predict(text).label == UNKNOWN
