"""Intent models: training from examples, out-of-scope answers, cross-lingual use, serialisation."""

from __future__ import annotations

import pytest

from kefu.nlp.intent.model import UNKNOWN, IntentModel, IntentModelError
from kefu.nlp.text.labelled import Example

TRAINING = {
    "refund": [
        "I want a refund", "please give me my money back", "how do I get refunded",
        "refund my order please", "when will I get my money back", "I need a refund for this",
        "can you return my money", "the refund has not arrived", "I'd like my money back",
        "request a refund",
    ],
    "password": [
        "I forgot my password", "how do I reset my password", "I can't log in",
        "reset password please", "my password does not work", "I need a new password",
        "the login says wrong password", "help me change my password", "locked out of my account",
        "password reset link",
    ],
    "delivery": [
        "where is my parcel", "when will my package arrive", "the courier has not come",
        "track my delivery", "my shipment is late", "has my package been shipped",
        "delivery is taking too long", "give me the tracking number", "parcel not delivered yet",
        "how long is shipping",
    ],
    "greeting": [
        "hello", "hi there", "good morning", "hey", "thanks a lot", "thank you", "bye",
        "good evening", "hello again", "many thanks",
    ],
    "agent": [
        "I want to talk to a human", "connect me to an agent", "let me speak to a person",
        "real person please", "transfer me to staff", "can someone call me",
        "I need a human agent", "put me through to support staff", "talk to customer service",
        "I don't want a bot",
    ],
    "payment": [
        "my payment failed", "I was charged twice", "which payment methods do you accept",
        "my card was declined", "can I pay by bank transfer", "payment error at checkout",
        "do you take credit cards", "the payment did not go through", "can I pay with paypal",
        "money was taken but no order",
    ],
}
EXAMPLES = [Example(text, label) for label, texts in TRAINING.items() for text in texts]


@pytest.fixture(scope="module")
def small_model() -> IntentModel:
    """A model trained once on the six-intent English fixture."""
    return IntentModel.fit(EXAMPLES, seed=0)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("could you refund me", "refund"),
        ("my password is not accepted", "password"),
        ("where's my package?", "delivery"),
        ("I'd like to speak with a real agent", "agent"),
        ("the card payment keeps failing", "payment"),
    ],
)
def test_small_model_classifies_unseen_paraphrases(
    small_model: IntentModel, text: str, label: str
) -> None:
    prediction = small_model.predict(text)
    assert prediction.label == label
    assert 0.0 < prediction.confidence <= 1.0


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("我忘记密码了", "password"),
        ("我的包裹什么时候到", "delivery"),
        ("我要退款", "refund"),
        ("ลืมรหัสผ่าน", "password"),
    ],
)
def test_english_trained_model_understands_other_languages(
    small_model: IntentModel, text: str, label: str
) -> None:
    """Words the examples never used fall back to the multilingual embedding head."""
    prediction = small_model.predict(text)
    ranked = [prediction.label] + [name for name, _ in prediction.alternatives]
    assert label == prediction.label or (prediction.label == UNKNOWN and ranked[1] == label)


def test_off_topic_messages_are_unknown(small_model: IntentModel) -> None:
    for text in ["what is the capital of Peru", "how do I bake bread", "", "   "]:
        assert small_model.predict(text).label == UNKNOWN


def test_alternatives_are_ranked_other_labels(small_model: IntentModel) -> None:
    prediction = small_model.predict("I was charged twice for my order")
    probabilities = [p for _, p in prediction.alternatives]
    assert probabilities == sorted(probabilities, reverse=True)
    assert prediction.label not in [name for name, _ in prediction.alternatives]
    assert all(p <= prediction.confidence for p in probabilities)


def test_bytes_round_trip_gives_identical_predictions(small_model: IntentModel) -> None:
    restored = IntentModel.from_bytes(small_model.to_bytes())
    texts = ["refund please", "我要退款", "hi!", "zzzz", "card declined again"]
    assert restored.labels == small_model.labels
    assert restored.predict_many(texts) == small_model.predict_many(texts)


def test_training_is_reproducible(small_model: IntentModel) -> None:
    assert IntentModel.fit(EXAMPLES, seed=0).to_bytes() == small_model.to_bytes()


def test_explicit_unknown_examples_are_learned() -> None:
    noise = ["tell me a joke", "what's the weather", "who won the match", "sing a song",
             "recommend a movie", "how tall is everest", "write a poem", "do you like cats",
             "what time is it in Paris", "best pizza recipe"]
    model = IntentModel.fit(EXAMPLES + [Example(t, UNKNOWN) for t in noise], seed=0)
    assert UNKNOWN in model.labels
    assert model.predict("tell me a funny joke").label == UNKNOWN
    assert model.predict("I want a refund now").label == "refund"


def test_one_label_is_not_enough() -> None:
    with pytest.raises(IntentModelError):
        IntentModel.fit([Example("hello", "greeting"), Example("hi", "greeting")])


def test_garbage_bytes_are_rejected() -> None:
    with pytest.raises(IntentModelError):
        IntentModel.from_bytes(b"not a model")
