"""Classification metrics shared by every `kefu eval` command."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ClassReport:
    """Precision, recall, F1 and support of one class."""

    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class EvalReport:
    """Accuracy, macro-F1, per-class figures and the worst confusions of one evaluation."""

    n: int
    accuracy: float
    macro_f1: float
    micro_f1: float
    per_class: dict[str, ClassReport]
    worst_confusions: list[tuple[str, str, int]]
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Machine-readable form for `--json`."""
        return {
            "n": self.n,
            "accuracy": round(self.accuracy, 6),
            "macro_f1": round(self.macro_f1, 6),
            "micro_f1": round(self.micro_f1, 6),
            "per_class": {
                k: {"precision": round(v.precision, 6), "recall": round(v.recall, 6),
                    "f1": round(v.f1, 6), "support": v.support}
                for k, v in sorted(self.per_class.items())
            },
            "worst_confusions": [
                {"gold": g, "predicted": p, "count": c} for g, p, c in self.worst_confusions
            ],
            **self.extra,
        }

    def render(self, title: str) -> str:
        """Human-readable table."""
        lines = [
            f"{title}: n={self.n}  accuracy={self.accuracy:.4f}  macro-F1={self.macro_f1:.4f}"
            f"  micro-F1={self.micro_f1:.4f}",
        ]
        for key, value in self.extra.items():
            if isinstance(value, float):
                lines.append(f"  {key}={value:.4f}")
            elif isinstance(value, (int, str)):
                lines.append(f"  {key}={value}")
        lines.append(f"  {'class':<32} {'prec':>6} {'rec':>6} {'f1':>6} {'n':>6}")
        for name, c in sorted(self.per_class.items()):
            lines.append(
                f"  {name[:32]:<32} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f} {c.support:6d}"
            )
        if self.worst_confusions:
            lines.append("  worst confusions (gold -> predicted: count)")
            lines.extend(f"    {g} -> {p}: {c}" for g, p, c in self.worst_confusions)
        return "\n".join(lines)


def classification_report(
    gold: Sequence[str], predicted: Sequence[str], *, worst: int = 10
) -> EvalReport:
    """Compute accuracy, macro/micro F1, per-class figures and the most frequent confusions."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    n = len(gold)
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    confusions: Counter[tuple[str, str]] = Counter()
    for g, p in zip(gold, predicted, strict=True):
        if g == p:
            tp[g] += 1
        else:
            fp[p] += 1
            fn[g] += 1
            confusions[(g, p)] += 1
    per_class: dict[str, ClassReport] = {}
    for label in set(gold):
        prec = _ratio(tp[label], tp[label] + fp[label])
        rec = _ratio(tp[label], tp[label] + fn[label])
        f1 = _ratio(2 * prec * rec, prec + rec)
        per_class[label] = ClassReport(prec, rec, f1, tp[label] + fn[label])
    correct = sum(tp.values())
    accuracy = _ratio(correct, n)
    macro = sum(c.f1 for c in per_class.values()) / len(per_class) if per_class else 0.0
    worst_pairs = [(g, p, c) for (g, p), c in confusions.most_common(worst)]
    return EvalReport(n, accuracy, macro, accuracy, per_class, worst_pairs)


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0
