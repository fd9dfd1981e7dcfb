"""`targets:` in pql.yaml: located errors, defaults, and outside the definition's version."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pqlengine.config import ConfigError, load_project

PROJECT = """\
project: acme
conversion: {source: conversions}
definition:
  name: activation
  criteria:
    - {id: invited, event: "Invited Member", at_least: 1}
"""


def _load(tmp_path: Path, targets: str) -> object:
    (tmp_path / "pql.yaml").write_text(PROJECT + targets)
    return load_project(tmp_path)


def test_targets_parse_with_defaults(tmp_path: Path) -> None:
    project = _load(
        tmp_path,
        "targets:\n"
        "  - {metric: pql_to_paid, value: 0.2, by: 2027-06-30, from: 0.1}\n"
        "  - {metric: pql_count, value: 120, by: 2027-01-31, segment: {plan: pro}, name: vol}\n",
    )
    first, second = project.targets  # type: ignore[attr-defined]
    assert (first.metric, first.value, first.by, first.baseline) == (
        "pql_to_paid",
        0.2,
        date(2027, 6, 30),
        0.1,
    )
    assert first.label == "pql_to_paid-2027-06-30" and first.segment is None
    assert second.label == "vol" and second.segment == {"plan": "pro"}


def test_targets_do_not_change_the_version(tmp_path: Path) -> None:
    without = _load(tmp_path, "")
    with_targets = _load(tmp_path, "targets:\n  - {metric: pql_rate, value: 0.3, by: 2027-01-01}\n")
    assert without.version == with_targets.version  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{metric: pql_to_pay, value: 0.2, by: 2027-06-30}", "targets[0].metric"),
        ("{metric: pql_to_paid, value: 20, by: 2027-06-30}", "20 is not a rate"),
        ("{metric: pql_rate, value: 0.2, by: 2027-06-30, from: 1.5}", "from 1.5 is not a rate"),
        ("{metric: pql_count, value: -3, by: 2027-06-30}", "targets[0].value"),
        ("{metric: pql_count, value: 3, by: someday}", "targets[0].by"),
        ("{metric: pql_count, value: 3, by: 2027-01-01, segment: {a: 1, b: 2}}", "exactly one"),
        ("{metric: pql_count, value: 3, by: 2027-01-01, goal: 5}", "unknown key 'goal'"),
    ],
)
def test_target_errors_are_located(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, f"targets:\n  - {line}\n")
    text = str(caught.value)
    assert message in text and text.endswith("in pql.yaml, line 8"), text


def test_duplicate_target_names_are_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"targets\[1\].*used twice.*line 9"):
        _load(
            tmp_path,
            "targets:\n"
            "  - {metric: pql_rate, value: 0.3, by: 2027-01-01}\n"
            "  - {metric: pql_rate, value: 0.4, by: 2027-01-01}\n",
        )


def test_direction_defaults_by_metric_and_can_be_given(tmp_path: Path) -> None:
    from pqlengine.stats.targets import direction_of

    project = _load(
        tmp_path,
        "targets:\n"
        "  - {metric: pql_rate, value: 0.2, by: 2027-01-01, from: 0.4}\n"
        "  - {metric: time_to_pql, value: 3, by: 2027-01-01, name: fast}\n"
        "  - {metric: pql_rate, value: 0.2, by: 2027-01-01, direction: down, name: stricter}\n",
    )
    rate, fast, stricter = project.targets  # type: ignore[attr-defined]
    # A lower target than the baseline is still "at least 20%" unless said otherwise.
    assert direction_of(rate.metric, rate.direction) == "up"
    assert direction_of(fast.metric, fast.direction) == "down"
    assert direction_of(stricter.metric, stricter.direction) == "down"
