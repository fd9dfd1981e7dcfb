"""validate: PQL vs non-PQL conversion on earlier and later cohorts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from statsmodels.stats.proportion import proportions_ztest

from pqlengine.compute.validation import validate
from pqlengine.config import load_project
from pqlengine.demo import write_demo
from pqlengine.stats.validation import PeriodCounts, judge
from pqlengine.store import Store


def test_judge_matches_statsmodels_and_says_what_it_means() -> None:
    result = judge(PeriodCounts(pql_converted=30, pqls=100, other_converted=40, others=400))
    z, p = proportions_ztest([30, 40], [100, 400])
    assert result["z"] == pytest.approx(z, rel=1e-9) and result["p_value"] == pytest.approx(p)
    assert result["lift"] == pytest.approx(3.0)
    assert result["recall"] == pytest.approx(30 / 70)
    assert result["verdict"] == "PQLs convert 3.0x more than non-PQLs (p < 0.001)"
    flat = judge(PeriodCounts(10, 100, 40, 400))
    assert flat["verdict"].startswith("no significant difference (p = 1.000)")
    empty = judge(PeriodCounts(0, 0, 5, 50))
    assert empty["p_value"] is None and empty["verdict"].startswith("cannot test")


def test_demo_definition_predicts_conversion_on_later_cohorts(tmp_path: Path) -> None:
    write_demo(tmp_path, 2000, 7)
    project = load_project(tmp_path)
    store = Store.for_project(project)
    try:
        result = validate(
            store, project, datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC)
        )
    finally:
        store.close()
    for period in ("train", "test"):
        assert result[period]["lift"] > 2 and result[period]["p_value"] < 0.001
    assert result["train"]["pql"]["entities"] + result["train"]["non_pql"]["entities"] > 300
    assert result["warnings"] == []
