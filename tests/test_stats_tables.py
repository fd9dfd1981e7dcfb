"""2x2 table statistics against SciPy and statsmodels, plus notes for degenerate tables."""

from __future__ import annotations

import itertools
import math
from dataclasses import fields

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2_contingency, fisher_exact
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from pqlengine.stats.intervals import Proportion, Unavailable
from pqlengine.stats.tables import (
    HALDANE_ANSCOMBE,
    TableStats,
    TwoByTwo,
    analyse,
    benjamini_hochberg,
    two_proportion_ztest,
)
from tests.support.examples import examples

TOLERANCE = 1e-9  # relative and absolute


def close(expected: object) -> object:
    """pytest.approx at the reference tolerance."""
    return pytest.approx(expected, rel=TOLERANCE, abs=TOLERANCE)


# (with_converted, with_total, without_converted, without_total)
TABLES = {
    "tiny": TwoByTwo(1, 3, 0, 4),
    "tiny_balanced": TwoByTwo(2, 4, 2, 4),
    "small_expected_below_5": TwoByTwo(3, 8, 1, 30),
    "textbook": TwoByTwo(12, 20, 5, 25),
    "moderate": TwoByTwo(30, 60, 25, 70),
    "large_weak_effect": TwoByTwo(55, 500, 480, 5_000),
    "large": TwoByTwo(480, 5_000, 1_900, 95_000),
    "very_large": TwoByTwo(31_234, 200_000, 88_001, 1_800_000),
    "negative_association": TwoByTwo(10, 200, 90, 300),
    "zero_cell_with_converted": TwoByTwo(0, 15, 9, 40),
    "zero_cell_without_converted": TwoByTwo(6, 10, 0, 50),
    "zero_cell_large": TwoByTwo(200, 200, 700, 1_000),
    "all_converted": TwoByTwo(5, 5, 7, 7),
    "nobody_converted": TwoByTwo(0, 9, 0, 11),
    "nobody_with": TwoByTwo(0, 0, 4, 10),
    "everybody_with": TwoByTwo(3, 10, 0, 0),
    "empty": TwoByTwo(0, 0, 0, 0),
}
DEGENERATE = {"all_converted", "nobody_converted", "nobody_with", "everybody_with", "empty"}
COMPARABLE = {name: table for name, table in TABLES.items() if name not in DEGENERATE}
WITHOUT_ZERO_CELLS = {
    name: table for name, table in COMPARABLE.items() if min(min(row) for row in table.cells()) > 0
}


def expected_counts(table: TwoByTwo) -> np.ndarray:
    cells = np.array(table.cells(), dtype=float)
    return np.outer(cells.sum(axis=1), cells.sum(axis=0)) / cells.sum()


def missing_fields(result: TableStats) -> set[str]:
    """Fields that are None, except `test`, which follows `p_value`."""
    return {
        field.name
        for field in fields(result)
        if field.name not in {"test", "notes"} and getattr(result, field.name) is None
    }


def noted_fields(result: TableStats) -> set[str]:
    return {note.code.split(".")[0] for note in result.notes if note != HALDANE_ANSCOMBE}


two_by_two = st.builds(
    lambda with_total, without_total, with_share, without_share: TwoByTwo(
        round(with_share * with_total),
        with_total,
        round(without_share * without_total),
        without_total,
    ),
    st.integers(0, 400),
    st.integers(0, 400),
    st.floats(0, 1),
    st.floats(0, 1),
)
p_value_lists = st.lists(st.one_of(st.none(), st.floats(0, 1)), max_size=40)


# --- reference tests ---------------------------------------------------------------


@pytest.mark.parametrize("table", COMPARABLE.values(), ids=COMPARABLE.keys())
def test_fisher_matches_scipy(table: TwoByTwo) -> None:
    result = analyse(table)
    if expected_counts(table).min() < 5:
        assert result.test == "fisher"
        assert result.p_value == close(fisher_exact(table.cells()).pvalue)
    else:
        assert result.test == "chi2"


def test_fisher_path_is_exercised() -> None:
    assert sum(analyse(t).test == "fisher" for t in COMPARABLE.values()) >= 4


@pytest.mark.parametrize("table", COMPARABLE.values(), ids=COMPARABLE.keys())
def test_chi2_matches_scipy_without_yates(table: TwoByTwo) -> None:
    result = analyse(table)
    if expected_counts(table).min() >= 5:
        assert result.test == "chi2"
        reference = chi2_contingency(table.cells(), correction=False)
        assert result.p_value == close(reference.pvalue)
        # phi^2 * N is Pearson's chi-square statistic.
        assert result.phi is not None
        assert result.phi**2 * table.entities == close(reference.statistic)


@pytest.mark.parametrize("table", TABLES.values(), ids=TABLES.keys())
def test_wilson_matches_statsmodels(table: TwoByTwo) -> None:
    result = analyse(table)
    for proportion, interval in (
        (table.rate_with, result.rate_with_ci),
        (table.rate_without, result.rate_without_ci),
    ):
        if proportion.trials == 0:
            assert interval is None
            continue
        low, high = proportion_confint(
            proportion.successes, proportion.trials, alpha=0.05, method="wilson"
        )
        assert interval == close((low, high))


@pytest.mark.parametrize("table", WITHOUT_ZERO_CELLS.values(), ids=WITHOUT_ZERO_CELLS.keys())
def test_odds_ratio_ci_matches_statsmodels_table2x2(table: TwoByTwo) -> None:
    result = analyse(table)
    reference = Table2x2(np.array(table.cells()))
    assert result.odds_ratio == close(reference.oddsratio)
    assert result.odds_ratio_ci == close(reference.oddsratio_confint())
    assert HALDANE_ANSCOMBE not in result.notes


@pytest.mark.parametrize(
    "name", ["zero_cell_with_converted", "zero_cell_without_converted", "zero_cell_large"]
)
def test_odds_ratio_with_zero_cell_is_haldane_anscombe_corrected(name: str) -> None:
    table = TABLES[name]
    result = analyse(table)
    # statsmodels' own shift_zeros replaces only the zero cells, so shift all cells by hand.
    reference = Table2x2(np.array(table.cells()) + 0.5, shift_zeros=False)
    assert result.odds_ratio == close(reference.oddsratio)
    assert result.odds_ratio_ci == close(reference.oddsratio_confint())
    assert HALDANE_ANSCOMBE in result.notes


@pytest.mark.parametrize(
    "p_values",
    [
        [0.01, 0.04, 0.03, 0.2, 0.5],
        [0.001, 0.001, 0.9, 0.04, 1.0, 0.0],
        [0.5],
        [0.02, 0.02, 0.02],
        [0.8, 0.9, 0.95],
    ],
)
def test_bh_matches_statsmodels(p_values: list[float]) -> None:
    reference = multipletests(p_values, method="fdr_bh")[1]
    assert benjamini_hochberg(p_values) == close(list(reference))


def test_bh_skips_none_and_does_not_count_it() -> None:
    with_gaps = benjamini_hochberg([0.01, None, 0.04, None, 0.03])
    assert with_gaps[1] is None and with_gaps[3] is None
    reference = multipletests([0.01, 0.04, 0.03], method="fdr_bh")[1]
    assert [with_gaps[0], with_gaps[2], with_gaps[4]] == close(list(reference))
    assert benjamini_hochberg([None, None]) == [None, None]
    assert benjamini_hochberg([]) == []


@pytest.mark.parametrize("bad", [[-0.1], [1.5], [math.nan]])
def test_bh_rejects_p_values_outside_unit_interval(bad: list[float]) -> None:
    with pytest.raises(ValueError):
        benjamini_hochberg(bad)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (Proportion(12, 20), Proportion(5, 25)),
        (Proportion(5, 83), Proportion(12, 99)),
        (Proportion(480, 5_000), Proportion(1_900, 95_000)),
        (Proportion(0, 10), Proportion(3, 10)),
        (Proportion(10, 10), Proportion(9, 10)),
        (Proportion(1, 3), Proportion(1, 3)),
    ],
)
def test_ztest_matches_statsmodels(a: Proportion, b: Proportion) -> None:
    result = two_proportion_ztest(a, b)
    assert not isinstance(result, Unavailable)
    z, p = proportions_ztest([a.successes, b.successes], [a.trials, b.trials])
    assert result == close((z, p))


def test_ztest_says_why_when_it_cannot_run() -> None:
    empty = two_proportion_ztest(Proportion(0, 0), Proportion(3, 10))
    constant = two_proportion_ztest(Proportion(10, 10), Proportion(4, 4))
    assert isinstance(empty, Unavailable) and empty.code == "empty"
    assert isinstance(constant, Unavailable) and constant.code == "no_variance"
    with pytest.raises(ValueError):
        two_proportion_ztest(Proportion(5, 4), Proportion(1, 4))


# --- hand-checked values ---------------------------------------------------------------


def test_textbook_table_by_hand() -> None:
    table = TABLES["textbook"]  # a=12, b=8, c=5, d=20
    result = analyse(table)
    assert result.rate_with == result.precision == pytest.approx(12 / 20)
    assert result.rate_without == pytest.approx(5 / 25)
    assert result.lift == pytest.approx((12 / 20) / (5 / 25))
    assert result.odds_ratio == pytest.approx(12 * 20 / (8 * 5))
    assert result.recall == pytest.approx(12 / 17)
    assert result.phi == pytest.approx((12 * 20 - 8 * 5) / math.sqrt(20 * 25 * 17 * 28))
    assert result.notes == ()


def test_phi_sign_follows_association() -> None:
    positive, negative = analyse(TABLES["textbook"]), analyse(TABLES["negative_association"])
    assert positive.phi is not None and positive.phi > 0
    assert negative.phi is not None and negative.phi < 0
    assert negative.odds_ratio is not None and negative.odds_ratio < 1


def test_table_adds_cellwise_and_has_margins() -> None:
    total = TwoByTwo(1, 3, 2, 5) + TwoByTwo(4, 6, 0, 1)
    assert total == TwoByTwo(5, 9, 2, 6)
    assert (total.entities, total.conversions) == (15, 7)
    assert total.support == pytest.approx(9 / 15)
    assert total.rate_with == Proportion(5, 9)
    assert total.rate_without == Proportion(2, 6)
    assert TwoByTwo(0, 0, 0, 0).support is None


@pytest.mark.parametrize("cells", [(4, 3, 0, 1), (-1, 3, 0, 1), (0, 1, 2, 1), (0, -1, 0, 0)])
def test_table_rejects_impossible_counts(cells: tuple[int, int, int, int]) -> None:
    with pytest.raises(ValueError):
        TwoByTwo(*cells)


def test_table_rejects_non_integers_and_stores_plain_ints() -> None:
    with pytest.raises(TypeError):
        TwoByTwo(1.0, 2, 0, 1)  # type: ignore[arg-type]
    counts = np.array([3_000_000, 4_000_000, 5, 7], dtype=np.int64)
    table = TwoByTwo(*counts)
    assert type(table.with_total) is int


# --- notes for degenerate tables ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected_codes"),
    [
        (
            "nobody_with",
            {
                "rate_with.no_doers",
                "rate_with_ci.no_doers",
                "precision.no_doers",
                "lift.no_doers",
                "odds_ratio.no_doers",
                "odds_ratio_ci.no_doers",
                "p_value.no_doers",
                "phi.no_doers",
            },
        ),
        (
            "everybody_with",
            {
                "rate_without.no_non_doers",
                "rate_without_ci.no_non_doers",
                "lift.no_non_doers",
                "odds_ratio.no_non_doers",
                "odds_ratio_ci.no_non_doers",
                "p_value.no_non_doers",
                "phi.no_non_doers",
            },
        ),
        (
            "nobody_converted",
            {
                "lift.zero_baseline",
                "recall.no_conversions",
                "odds_ratio.no_conversions",
                "odds_ratio_ci.no_conversions",
                "p_value.no_conversions",
                "phi.no_conversions",
            },
        ),
        (
            "all_converted",
            {
                "odds_ratio.all_converted",
                "odds_ratio_ci.all_converted",
                "p_value.all_converted",
                "phi.all_converted",
            },
        ),
        ("zero_cell_without_converted", {"lift.zero_baseline", HALDANE_ANSCOMBE.code}),
    ],
)
def test_degenerate_tables_say_why(name: str, expected_codes: set[str]) -> None:
    result = analyse(TABLES[name])
    assert {note.code for note in result.notes} == expected_codes
    assert all(note.message.endswith(".") for note in result.notes)
    assert missing_fields(result) == noted_fields(result)
    assert (result.test is None) == (result.p_value is None)


def test_empty_table_has_nothing_but_notes() -> None:
    result = analyse(TABLES["empty"])
    assert missing_fields(result) == {f.name for f in fields(result)} - {"test", "notes"}
    assert noted_fields(result) == missing_fields(result)
    assert len(result.notes) == len(missing_fields(result))


def test_all_converted_keeps_rates_and_lift() -> None:
    result = analyse(TABLES["all_converted"])
    assert (result.rate_with, result.rate_without, result.lift, result.recall) == (1, 1, 1, 5 / 12)


# --- properties over random tables -----------------------------------------------------


@settings(max_examples=examples(150), deadline=None)
@given(two_by_two)
def test_analyse_never_raises_and_explains_every_none(table: TwoByTwo) -> None:
    result = analyse(table)
    assert missing_fields(result) == noted_fields(result)
    assert (result.test is None) == (result.p_value is None)
    if result.p_value is not None:
        assert 0 <= result.p_value <= 1
    if result.phi is not None:
        assert -1 - 1e-12 <= result.phi <= 1 + 1e-12
    if result.odds_ratio_ci is not None:
        assert result.odds_ratio is not None
        assert result.odds_ratio_ci[0] <= result.odds_ratio <= result.odds_ratio_ci[1]


@settings(max_examples=examples(150), deadline=None)
@given(p_value_lists)
def test_bh_properties_and_equality_with_statsmodels(p_values: list[float | None]) -> None:
    q_values = benjamini_hochberg(p_values)
    assert [q is None for q in q_values] == [p is None for p in p_values]
    pairs = sorted((p, q) for p, q in zip(p_values, q_values, strict=True) if p is not None)
    present = [p for p, _ in pairs]
    adjusted = [q for _, q in pairs]
    assert all(q is not None and p <= q <= 1 for p, q in pairs)
    assert all(x is not None and y is not None and x <= y for x, y in itertools.pairwise(adjusted))
    if present:
        ordered = [p for p in p_values if p is not None]
        reference = multipletests(ordered, method="fdr_bh")[1]
        assert [q for q in q_values if q is not None] == close(list(reference))
        # Slow, obviously correct definition: q_i = min over p_j >= p_i of m * p_j / rank_j.
        m = len(present)
        for p, q in pairs:
            slow = min(min(1.0, m * present[j] / (j + 1)) for j in range(m) if present[j] >= p)
            assert q == close(slow)
