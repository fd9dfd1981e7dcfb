"""pql.yaml criterion kinds: every misuse gets a located error (all at once), and the
definitions written before kinds existed keep their versions."""

from __future__ import annotations

from typing import Any

import pytest

from pqlengine.config import ConfigError, Project, load_project
from tests.support.config import base_config

FIXTURE = "tests/fixtures/handmade/pql.yaml"


def _config(criteria: list[dict[str, Any]], **top: Any) -> dict[str, Any]:
    config = base_config(**top)
    config["definition"]["criteria"] = criteria
    return config


@pytest.mark.parametrize(
    ("criterion", "message"),
    [
        (
            {"id": "s", "kind": "sum", "event": "A", "at_least": 5},
            "criteria[0].property: Field required",
        ),
        ({"id": "s", "kind": "distinct", "event": "A"}, "criteria[0].property: Field required"),
        (
            {"id": "s", "kind": "sum", "event": "A", "property": "b", "at_least": 0},
            "criteria[0].at_least: Input should be greater than 0",
        ),
        ({"id": "s", "kind": "summ", "event": "A"}, "unknown kind 'summ' (one of count, sum"),
        ({"id": "s", "kind": "summ", "event": "A"}, "did you mean sum?"),
        ({"id": "q", "kind": "sequence", "steps": [{"event": "A"}]}, "at least 2 items"),
        (
            {
                "id": "q",
                "kind": "sequence",
                "event": "A",
                "steps": [{"event": "A"}, {"event": "B"}],
            },
            "names its events in steps",
        ),
        (
            {
                "id": "q",
                "kind": "sequence",
                "at_least": 2,
                "steps": [{"event": "A"}, {"event": "B"}],
            },
            "at_least is not used",
        ),
        (
            {
                "id": "q",
                "kind": "sequence",
                "within_hours": 2,
                "within_days": 1,
                "steps": [{"event": "A"}, {"event": "B"}],
            },
            "within_hours or within_days, not both",
        ),
        (
            {"id": "c", "kind": "consecutive_days", "at_least": 3, "points": 2},
            "points are for kinds count, sum",
        ),
        ({"id": "c", "event": "A", "property": "x"}, "property is for kind sum or distinct"),
        ({"id": "c", "event": "A", "max_points": 3}, "max_points caps points: give points too"),
        (
            {"id": "c", "event": "A", "where": {"usage_pct": ">= 80"}},
            "write the comparison as {gte: 80}",
        ),
        (
            {"id": "c", "event": "A", "where": {"country": "!US"}},
            "write the comparison as {ne: US}",
        ),
        ({"id": "c", "event": "A", "where": {"n": "> 3"}}, "write the comparison as {gt: 3}"),
        ({"id": "c", "event": "A", "where": {"n": {"gtee": 3}}}, "did you mean gte?"),
        (
            {"id": "c", "kind": "consecutive_days", "at_least": 3, "in_last_days": 7},
            "in_last_days is for kinds count, sum, distinct, users and active_days",
        ),
        (
            {
                "id": "c",
                "kind": "sequence",
                "steps": [{"event": "A"}, {"event": "B"}],
                "in_last_days": 7,
            },
            "in_last_days is for kinds count, sum, distinct, users and active_days",
        ),
        ({"id": "c", "event": "A", "in_last_days": 0}, "greater than 0"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_each_misuse_is_a_located_error(criterion: dict[str, Any], message: str) -> None:
    config = _config([criterion])
    with pytest.raises(ConfigError) as caught:
        Project.from_dict(config)
    text = str(caught.value)
    assert message in text
    assert "definition.criteria[0]" in text
    assert "[0].sum" not in text and "[0].count" not in text  # no pydantic union tags


def test_users_needs_an_account_entity() -> None:
    config = _config([{"id": "t", "kind": "users", "at_least": 3}], entity="user")
    with pytest.raises(ConfigError, match="kind users counts the users of an account"):
        Project.from_dict(config)
    Project.from_dict(_config([{"id": "t", "kind": "users", "at_least": 3}]))


def test_points_need_a_score_rule_and_not_a_weight() -> None:
    config = _config([{"id": "l", "event": "A", "points": 1, "weight": 2}])
    with pytest.raises(ConfigError) as caught:
        Project.from_dict(config)
    text = str(caught.value)
    assert "points only count under a score rule" in text
    assert "give weight (while the criterion holds) or points" in text


def test_a_score_no_entity_can_reach_is_refused() -> None:
    config = _config([{"id": "l", "event": "A", "points": 1, "max_points": 10}])
    config["definition"]["qualify"] = {"score": 11}
    with pytest.raises(ConfigError, match="weights and max_points only sum to 10"):
        Project.from_dict(config)
    config["definition"]["criteria"][0].pop("max_points")
    Project.from_dict(config)  # uncapped points can reach any score


def test_every_problem_is_reported_at_once_with_its_line(tmp_path: Any) -> None:
    (tmp_path / "pql.yaml").write_text(
        "project: p\n"
        "definition:\n"
        "  name: d\n"
        "  criteria:\n"
        "    - {id: a, kind: sum, event: A, at_least: 5}\n"
        "    - {id: b, event: B, where: {country: '!US'}}\n"
        "    - {id: c, kind: streak, at_least: 3}\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_project(tmp_path)
    lines = {p.line for p in caught.value.problems}
    assert lines == {5, 6, 7}, caught.value


def test_every_kind_and_operator_validates() -> None:
    criteria = [
        {
            "id": "n",
            "event": "A",
            "where": {"p": {"gte": 80}, "c": {"ne": "US"}, "x": {"exists": False}},
        },
        {"id": "s", "kind": "sum", "event": "A", "property": "bytes", "at_least": 1.5e9},
        {"id": "d", "kind": "distinct", "event": "A", "property": "device", "at_least": 2},
        {"id": "u", "kind": "users", "at_least": 3},
        {"id": "a", "kind": "active_days", "at_least": 3},
        {"id": "c", "kind": "consecutive_days", "event": "A", "at_least": 3},
        {
            "id": "q",
            "kind": "sequence",
            "within_hours": 24,
            "steps": [{"event": "A"}, {"event": "B", "where": {"k": {"in": [1, 2]}}}],
        },
    ]
    project = Project.from_dict(_config(criteria))
    kinds = [c.kind for c in project.definition.criteria]
    assert kinds == [
        "count",
        "sum",
        "distinct",
        "users",
        "active_days",
        "consecutive_days",
        "sequence",
    ]


def test_versions_of_existing_definitions_are_unchanged() -> None:
    # Recorded with the engine before kinds existed (commit f744e09).
    assert load_project(FIXTURE).version == "87df380f9143"
    config = base_config()
    plain = Project.from_dict(config).version
    config["definition"]["criteria"][0]["kind"] = "count"
    assert Project.from_dict(config).version == plain
    config["definition"]["criteria"][0]["kind"] = "active_days"
    assert Project.from_dict(config).version != plain


def test_demo_definition_keeps_its_version(tmp_path: Any) -> None:
    from pqlengine.demo import write_demo

    write_demo(tmp_path, 50, 7)
    assert load_project(tmp_path / "pql.yaml").version == "77471bfbdeb0"


def test_a_dumped_project_loads_again() -> None:
    """Every key written out (defaults and nulls included) reads back to the same project,
    points included."""
    config = _config(
        [
            {"id": "l", "event": "A", "points": 1, "max_points": 5},
            {"id": "s", "kind": "sum", "event": "A", "property": "b", "at_least": 2.5},
            {"id": "q", "kind": "sequence", "steps": [{"event": "A"}, {"event": "B"}]},
        ]
    )
    config["definition"]["qualify"] = {"score": 3}
    project = Project.from_dict(config)
    again = Project.from_dict(project.model_dump(mode="json", exclude={"root"}))
    assert again == project and again.version == project.version
