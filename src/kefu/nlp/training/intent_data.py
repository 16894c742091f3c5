"""Intent training and benchmark data: the shipped examples, Bitext mapping, shared-data suites."""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from kefu.nlp.intent.model import DEFAULT_MODEL, UNKNOWN, IntentModel
from kefu.nlp.text.labelled import Example
from kefu.nlp.training.datasets import shared_data_dir

SUITES = ("banking77", "banking77-oos", "bitext", "truevoice", "crosslingual", "shipped")
OOS_SEED = 77
OOS_HELD_OUT = 10
BITEXT_CAP = 100
"""Bitext rows kept per mapped intent (seeded sample), so no intent swamps the others."""

BITEXT_TO_INTENT = {
    "track_order": "order_status",
    "change_order": "order_status",
    "place_order": "order_status",
    "delivery_options": "delivery",
    "delivery_period": "delivery",
    "change_shipping_address": "delivery",
    "set_up_shipping_address": "delivery",
    "get_refund": "refund_return",
    "track_refund": "refund_return",
    "check_refund_policy": "refund_return",
    "check_payment_methods": "payment",
    "payment_issue": "payment",
    "check_invoice": "payment",
    "get_invoice": "payment",
    "create_account": "account_password",
    "delete_account": "account_password",
    "edit_account": "account_password",
    "recover_password": "account_password",
    "registration_problems": "account_password",
    "switch_account": "account_password",
    "complaint": "complaint",
    "cancel_order": "cancellation",
    "check_cancellation_fee": "cancellation",
    "contact_human_agent": "human_agent",
    "contact_customer_service": "human_agent",
}
"""Bitext customer-service intents mapped to the shipped labels (review, newsletter dropped)."""


class IntentDataError(FileNotFoundError):
    """A shared data set or the shipped examples file is missing."""


@dataclass(frozen=True)
class IntentSuite:
    """A train/test pair of labelled examples, with the label that marks out-of-scope rows."""

    name: str
    train: list[Example]
    test: list[Example]
    unknown_label: str | None = None
    note: str = ""
    test_groups: list[str] | None = None


def shipped_examples() -> list[tuple[Example, str]]:
    """The hand-written multilingual examples shipped with the package, with their language."""
    path = resources.files("kefu.nlp").joinpath("artifacts", "intent", "examples.jsonl")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [(Example(r["text"], r["label"]), r["lang"]) for r in rows]


def bitext_examples(
    root: Path, *, seed: int = 0, split: str = "train", cap: int | None = BITEXT_CAP
) -> list[Example]:
    """Bitext customer-service utterances mapped to shipped labels, at most `cap` per label."""
    by_label: dict[str, list[Example]] = {}
    for row in _csv(root / "bitext_cs_intent" / f"{split}.csv"):
        label = BITEXT_TO_INTENT.get(row["intent"])
        if label:
            by_label.setdefault(label, []).append(Example(row["utterance"], label))
    rng = random.Random(seed)
    out: list[Example] = []
    for label in sorted(by_label):
        rows = by_label[label]
        out.extend(rng.sample(rows, cap) if cap is not None and len(rows) > cap else rows)
    return out


def default_training_examples(root: Path | None = None, *, seed: int = 0) -> list[Example]:
    """Training set of the shipped model: mapped Bitext train rows plus the shipped examples."""
    return bitext_examples(root or shared_data_dir(), seed=seed) + [e for e, _ in shipped_examples()]


def train_default_model(root: Path | None = None, *, seed: int = 0) -> IntentModel:
    """Train the shipped customer-service model (seeded: same data and seed, same model)."""
    return IntentModel.fit(default_training_examples(root, seed=seed), seed=seed)


def shipped_model_path() -> Path:
    """Where the shipped intent model lives inside the installed package."""
    return Path(str(resources.files("kefu.nlp").joinpath("artifacts", "intent", DEFAULT_MODEL)))


def load_suite(name: str, root: Path | None = None) -> IntentSuite:
    """Build a named benchmark suite from the shared data."""
    root = root or shared_data_dir()
    if name == "banking77":
        return IntentSuite(name, _banking(root, "train"), _banking(root, "test"))
    if name == "banking77-oos":
        return _banking_oos(root)
    if name == "bitext":
        return IntentSuite(name, _bitext_raw(root, "train"), _bitext_raw(root, "test"))
    if name == "truevoice":
        return IntentSuite(name, _truevoice(root, "train"), _truevoice(root, "test"))
    if name == "crosslingual":
        own = shipped_examples()
        train = bitext_examples(root) + [e for e, lang in own if lang == "en"]
        rows = [(e, lang) for e, lang in own if lang != "en"]
        return IntentSuite(
            name, [e for e in train if e.label != UNKNOWN], [e for e, _ in rows],
            unknown_label=UNKNOWN,
            note="trained on English in-scope examples only (Bitext + shipped en); tested on "
            "the shipped zh/id/vi/th/ms examples, off-topic ones as unknown",
            test_groups=[lang for _, lang in rows],
        )
    if name == "shipped":
        return _shipped_split(root)
    raise IntentDataError(f"unknown suite {name!r}; expected one of {', '.join(SUITES)}")


def _shipped_split(root: Path) -> IntentSuite:
    """The shipped model's recipe with a third of the shipped examples and Bitext test held out."""
    own = shipped_examples()
    held = set(random.Random(OOS_SEED).sample(range(len(own)), len(own) // 3))
    train = bitext_examples(root) + [e for i, (e, _) in enumerate(own) if i not in held]
    bitext_test = bitext_examples(root, split="test", cap=None)
    test = bitext_test + [own[i][0] for i in sorted(held)]
    return IntentSuite(
        "shipped", train, test, unknown_label=UNKNOWN,
        note="Bitext train + 2/3 of the shipped examples; tested on mapped Bitext test and "
        f"the other third (seed {OOS_SEED})",
        test_groups=["bitext"] * len(bitext_test) + [own[i][1] for i in sorted(held)],
    )


def bitext_test_texts(root: Path | None = None) -> list[str]:
    """The Bitext test utterances (never used for training), for latency measurements."""
    return [r["utterance"] for r in _csv((root or shared_data_dir()) / "bitext_cs_intent" / "test.csv")]


def oos_intents(labels: Sequence[str]) -> list[str]:
    """The Banking77 intents held out as unknown: a seeded sample of OOS_HELD_OUT of them."""
    return sorted(random.Random(OOS_SEED).sample(sorted(set(labels)), OOS_HELD_OUT))


def _banking_oos(root: Path) -> IntentSuite:
    train, test = _banking(root, "train"), _banking(root, "test")
    held = set(oos_intents([e.label for e in train]))
    return IntentSuite(
        "banking77-oos",
        [e for e in train if e.label not in held],
        [Example(e.text, UNKNOWN) if e.label in held else e for e in test],
        unknown_label=UNKNOWN,
        note=f"held out as unknown (seed {OOS_SEED}): {', '.join(sorted(held))}",
    )


def _banking(root: Path, split: str) -> list[Example]:
    return [Example(r["text"], r["category"]) for r in _csv(root / "banking77" / f"{split}.csv")]


def _bitext_raw(root: Path, split: str) -> list[Example]:
    return [
        Example(r["utterance"], r["intent"])
        for r in _csv(root / "bitext_cs_intent" / f"{split}.csv")
    ]


def _truevoice(root: Path, split: str) -> list[Example]:
    return [
        Example(r["texts"].strip(), r["destination"])
        for r in _csv(root / "truevoice_intent" / f"mari_{split}.csv")
        if r["texts"].strip()
    ]


def _csv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise IntentDataError(f"missing data file {path} (set KEFU_SHARED_DATA)")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))
