"""`kefu eval intent` and the out-of-scope figures and threshold it relies on."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from kefu.cli import main
from kefu.nlp.evaluation.intent import oos_figures
from kefu.nlp.intent.calibration import choose_threshold
from kefu.nlp.intent.model import UNKNOWN

TRAIN = {
    "refund": ["I want a refund", "give me my money back", "refund my order", "how do I get a refund",
               "the refund never came", "money back please"],
    "password": ["I forgot my password", "reset my password", "can't log in", "password not working",
                 "new password please", "locked out of my account"],
    "delivery": ["where is my parcel", "track my package", "delivery is late",
                 "when will it arrive", "courier never came", "shipping status"],
    "greeting": ["hello", "hi there", "thanks", "thank you", "good morning", "bye"],
    "agent": ["talk to a human", "real person please", "connect me to an agent",
              "speak to staff", "human agent", "call me please"],
}
TEST = [
    ("please refund me", "refund"), ("my password is wrong", "password"),
    ("where's my package", "delivery"), ("hi!", "greeting"), ("I need a human", "agent"),
    ("what is the capital of Peru", "oos"), ("recommend me a movie", "oos"),
]


def _write_csv(path: Path, rows: list[tuple[str, str]]) -> None:
    lines = ["text,label"] + [f"{text},{label}" for text, label in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_eval_intent_json_is_one_line_with_the_agreed_keys(tmp_path: Path) -> None:
    train, test = tmp_path / "train.csv", tmp_path / "test.jsonl"
    _write_csv(train, [(t, label) for label, texts in TRAIN.items() for t in texts])
    test.write_text(
        "\n".join(json.dumps({"text": t, "label": label}) for t, label in TEST) + "\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["eval", "intent", "--train", str(train), "--test", str(test),
               "--unknown-label", "oos", "--json"],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    report = json.loads(lines[0])
    for key in ("accuracy", "macro_f1", "per_class", "n", "in_scope_accuracy", "unknown_recall"):
        assert key in report
    assert report["n"] == len(TEST)
    assert UNKNOWN in report["per_class"]
    assert report["in_scope_accuracy"] >= 0.8


def test_eval_intent_needs_files_or_a_suite() -> None:
    result = CliRunner().invoke(main, ["eval", "intent"])
    assert result.exit_code != 0
    assert "--suite" in result.output


def test_oos_figures() -> None:
    gold = ["a", "a", "b", UNKNOWN, UNKNOWN]
    predicted = ["a", UNKNOWN, "b", UNKNOWN, "a"]
    confidence = np.array([0.9, 0.2, 0.8, 0.1, 0.6])
    figures = oos_figures(gold, predicted, confidence)
    assert figures["in_scope_accuracy"] == round(2 / 3, 6)
    assert figures["unknown_recall"] == 0.5
    assert figures["in_scope_precision"] == round(2 / 3, 6)
    # Lowest threshold with answered messages >= 95 % in scope: 0.8 (answers rows 0 and 2).
    assert figures["unknown_recall_at_95_precision"] == 1.0
    # Answering all three in-scope rows means accepting down to 0.2: only row 3 is rejected.
    assert figures["unknown_recall_at_95_in_scope_recall"] == 0.5


def test_threshold_separates_confident_answers_from_pseudo_unknowns() -> None:
    sure = np.log(np.array([[0.97, 0.01, 0.01, 0.01]] * 8))
    unsure = np.log(np.array([[0.4, 0.3, 0.2, 0.1]] * 2))
    logits = np.vstack([sure, unsure])
    gold = np.array([0] * 8 + [-1] * 2)
    threshold = choose_threshold(logits, gold, target_precision=0.9, unknown_share=0.2)
    assert 0.4 < threshold <= 0.97 + 1e-9
