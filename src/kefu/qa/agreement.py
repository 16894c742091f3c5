"""Inter-rater agreement: observed agreement, Cohen's kappa (two raters) and Fleiss' kappa (n raters).

Both kappas are undefined when chance agreement is 1 (every rating in one category): they return
None then, and callers show the observed agreement beside them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence


def observed_agreement(pairs: Sequence[tuple[Hashable, Hashable]]) -> float | None:
    """The share of items on which two raters gave the same category (None without items)."""
    if not pairs:
        return None
    return sum(a == b for a, b in pairs) / len(pairs)


def cohen_kappa(pairs: Sequence[tuple[Hashable, Hashable]]) -> float | None:
    """Cohen's kappa of two raters from (rater A's category, rater B's category) per item.

    κ = (p_o − p_e) / (1 − p_e), with p_e = Σ_k p_A(k) · p_B(k) from each rater's own marginals.
    """
    n = len(pairs)
    if n == 0:
        return None
    p_o = sum(a == b for a, b in pairs) / n
    left, right = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    p_e = sum(left[k] * right.get(k, 0) for k in left) / (n * n)
    if p_e >= 1.0:
        return None
    return (p_o - p_e) / (1 - p_e)


def fleiss_kappa(subjects: Sequence[Sequence[Hashable]]) -> float | None:
    """Fleiss' kappa from each subject's ratings (every subject rated by the same number n ≥ 2 of raters).

    P_i = (Σ_j n_ij² − n) / (n(n − 1)); P̄ the mean of P_i; p_j the share of all ratings in
    category j; P_e = Σ_j p_j²; κ = (P̄ − P_e) / (1 − P_e).
    """
    if not subjects:
        return None
    n = len(subjects[0])
    if n < 2 or any(len(s) != n for s in subjects):
        raise ValueError("Fleiss' kappa needs the same number (at least two) of ratings per subject")
    totals: Counter[Hashable] = Counter()
    p_bar = 0.0
    for ratings in subjects:
        counts = Counter(ratings)
        totals.update(counts)
        p_bar += (sum(c * c for c in counts.values()) - n) / (n * (n - 1))
    p_bar /= len(subjects)
    all_ratings = len(subjects) * n
    p_e = sum((c / all_ratings) ** 2 for c in totals.values())
    if p_e >= 1.0:
        return None
    return (p_bar - p_e) / (1 - p_e)


def fleiss_from_counts(table: Sequence[Sequence[int]]) -> float | None:
    """Fleiss' kappa from a subjects × categories table of rating counts (rows sum to n)."""
    subjects = [[j for j, count in enumerate(row) for _ in range(count)] for row in table]
    return fleiss_kappa(subjects)
