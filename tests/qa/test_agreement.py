"""Kappa math against textbook values worked by hand."""

from __future__ import annotations

import pytest

from kefu.qa.agreement import cohen_kappa, fleiss_from_counts, fleiss_kappa, observed_agreement


def _table(yes_yes: int, yes_no: int, no_yes: int, no_no: int) -> list[tuple[str, str]]:
    """Two raters' pairs from a 2 × 2 table (rows: rater A, columns: rater B)."""
    return [("y", "y")] * yes_yes + [("y", "n")] * yes_no + [("n", "y")] * no_yes + [("n", "n")] * no_no


@pytest.mark.parametrize(
    ("cells", "kappa"),
    [
        # p_o = 35/50 = 0.7; A says yes 25/50, B 30/50; p_e = .5·.6 + .5·.4 = .5; κ = .2/.5
        ((20, 5, 10, 15), 0.4),
        # p_o = .6; p_e = .6·.7 + .4·.3 = .54; κ = .06/.46
        ((45, 15, 25, 15), 0.06 / 0.46),
        # p_o = .6; p_e = .6·.3 + .4·.7 = .46; κ = .14/.54
        ((25, 35, 5, 35), 0.14 / 0.54),
    ],
)
def test_cohen_kappa_of_textbook_tables(cells: tuple[int, int, int, int], kappa: float) -> None:
    assert cohen_kappa(_table(*cells)) == pytest.approx(kappa, abs=1e-12)


def test_cohen_kappa_bounds_and_undefined_cases() -> None:
    assert cohen_kappa(_table(10, 0, 0, 10)) == pytest.approx(1.0)
    assert cohen_kappa(_table(0, 10, 10, 0)) == pytest.approx(-1.0)
    assert cohen_kappa([("y", "y")] * 5) is None  # chance agreement is 1: undefined
    assert cohen_kappa([]) is None
    assert observed_agreement(_table(20, 5, 10, 15)) == pytest.approx(0.7)


FLEISS_1971_STYLE = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]
"""Ten subjects, 14 raters, five categories (the worked example in Fleiss' kappa's usual presentation)."""


def test_fleiss_kappa_of_the_worked_example() -> None:
    # P̄ = 0.378 (sum of P_i 3.780 / 10); p_j = .143 .200 .279 .150 .229; P_e = 0.2128; κ = 0.2099
    n = 14
    p_i = [(sum(c * c for c in row) - n) / (n * (n - 1)) for row in FLEISS_1971_STYLE]
    assert sum(p_i) == pytest.approx(3.780, abs=5e-4)
    kappa = fleiss_from_counts(FLEISS_1971_STYLE)
    assert kappa == pytest.approx(0.20993, abs=5e-5)


def test_fleiss_with_two_raters_is_scotts_pi() -> None:
    # Scott's π of the first Cohen table: pooled yes = 55/100, no = 45/100; p_e = .3025 + .2025
    pairs = _table(20, 5, 10, 15)
    assert fleiss_kappa([list(p) for p in pairs]) == pytest.approx((0.7 - 0.505) / 0.495, abs=1e-12)


def test_fleiss_kappa_edge_cases() -> None:
    assert fleiss_kappa([["a", "a", "a"], ["b", "b", "b"]]) == pytest.approx(1.0)
    assert fleiss_kappa([["a", "b"], ["b", "a"]]) == pytest.approx(-1.0)
    assert fleiss_kappa([["a", "a"], ["a", "a"]]) is None
    assert fleiss_kappa([]) is None
    with pytest.raises(ValueError):
        fleiss_kappa([["a", "b"], ["a"]])
