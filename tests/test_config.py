"""pql.yaml loading: every problem at once, each with its line, and stable versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from pqlengine.config import ConfigError, Project, load_project, write_template
from tests.support.config import base_config

BROKEN = """\
project: acme
entity: acount
signup: {source: accounts}
conversion: {event: "Subscription Started"}
definition:
  name: activation
  criteria:
    - {id: invited, event: "Invited Member", at_least: 1}
    - {id: docs,    event: "Created Document", at_leest: 2}
    - {id: shared,  event: "Shared Document", at_least: 0}
  qualify: {fraction: 0.4}
  fit:
    min_employes: 5
"""


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "pql.yaml").write_text(text)
    return tmp_path


def test_every_problem_reported_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_project(_write(tmp_path, BROKEN))
    messages = [str(p) for p in caught.value.problems]
    assert len(messages) == 4
    assert messages[0].startswith("entity: ") and messages[0].endswith("in pql.yaml, line 2")
    assert "unknown key 'at_leest'; did you mean 'at_least'?" in messages[1]
    assert messages[1].endswith("line 9")
    assert "definition.criteria[2].at_least" in messages[2] and messages[2].endswith("line 10")
    assert "did you mean 'min_employees'?" in messages[3] and messages[3].endswith("line 13")


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_project(_write(tmp_path, "project: a\ndefinition:\n  name: [unclosed\n"))
    assert "not valid YAML" in str(caught.value)
    assert "line" in str(caught.value)


def test_duplicate_key_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"duplicate key 'entity'.*line 3"):
        load_project(_write(tmp_path, "project: a\nentity: user\nentity: account\n"))


def test_missing_required_key_points_at_parent() -> None:
    with pytest.raises(ConfigError, match="definition: Field required"):
        Project.from_dict({"project": "x"})


def test_the_live_cache_size_is_bounded_and_named_when_wrong() -> None:
    assert Project.from_dict(base_config()).live.cache_rows == 5_000_000
    sized = Project.from_dict(base_config(live={"cache_rows": 20_000_000}))
    assert sized.live.cache_rows == 20_000_000
    with pytest.raises(ConfigError, match=r"live\.cache_rows"):
        Project.from_dict(base_config(live={"cache_rows": 0}))


def test_cross_field_rules_are_checked() -> None:
    config = base_config()
    config["definition"]["qualify"] = {"at_least": 3}
    with pytest.raises(ConfigError, match="only 1 criteria"):
        Project.from_dict(config)
    config["definition"]["qualify"] = {"score": 5}
    with pytest.raises(ConfigError, match="weights only sum to 1"):
        Project.from_dict(config)
    config["definition"]["qualify"] = {"at_least": 1, "fraction": 0.5}
    with pytest.raises(ConfigError, match="exactly one of"):
        Project.from_dict(config)
    config["definition"]["qualify"] = "most"
    with pytest.raises(ConfigError, match="'most' is not a rule"):
        Project.from_dict(config)


def test_duplicate_criterion_ids_rejected() -> None:
    config = base_config()
    config["definition"]["criteria"] = [{"id": "a", "event": "A"}, {"id": "a", "event": "B"}]
    with pytest.raises(ConfigError, match="criterion id 'a' is used twice"):
        Project.from_dict(config)


@pytest.mark.parametrize(
    ("rule", "n", "threshold"),
    [
        ("all", 6, 6),
        ({"at_least": 2}, 6, 2),
        ({"fraction": 0.4}, 6, 3),
        ({"fraction": 0.7}, 10, 7),
        ({"fraction": 0.5}, 6, 3),
        ({"fraction": 1.0}, 3, 3),
    ],
)
def test_rule_threshold(rule: object, n: int, threshold: int) -> None:
    config = base_config()
    config["definition"]["criteria"] = [{"id": f"c{i}", "event": "A"} for i in range(n)]
    config["definition"]["qualify"] = rule
    assert Project.from_dict(config).definition.threshold == threshold


def test_version_is_stable_and_tracks_semantics_only() -> None:
    first = Project.from_dict(base_config())
    again = Project.from_dict(base_config())
    assert first.version == again.version and len(first.version) == 12
    renamed_store = Project.from_dict(base_config(store="elsewhere.duckdb"))
    assert renamed_store.version == first.version
    longer = Project.from_dict(base_config(observation_days=60))
    assert longer.version != first.version


def test_template_loads_and_refuses_to_overwrite(tmp_path: Path) -> None:
    write_template(tmp_path / "acme")
    project = load_project(tmp_path / "acme")
    assert project.project == "acme"
    assert [c.id for c in project.definition.criteria][:2] == ["invited", "docs"]
    assert project.store_path == str((tmp_path / "acme").resolve() / ".pql/acme.duckdb")
    with pytest.raises(FileExistsError):
        write_template(tmp_path / "acme")


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_project(tmp_path)


def test_column_mapping_keys_must_be_canonical(tmp_path: Path) -> None:
    text = "project: a\ndefinition:\n  name: d\n  criteria: [{id: a, event: A}]\n"
    text += "columns:\n  events: {event_id: messageId, timestamp: ts, evnt: name}\n"
    with pytest.raises(ConfigError) as caught:
        load_project(_write(tmp_path, text))
    message = str(caught.value)
    assert "columns.events: unknown column 'timestamp', 'evnt' (did you mean 'event'?)" in message
    assert message.endswith("line 6")


def test_cross_field_problems_come_with_field_problems(tmp_path: Path) -> None:
    text = (
        "project: a\n"
        "entity: acount\n"
        "definition:\n"
        "  name: d\n"
        "  criteria:\n"
        "    - {id: a, event: A, at_leest: 2}\n"
        "    - {id: a, event: B}\n"
        "  qualify: {at_least: 5}\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_project(_write(tmp_path, text))
    lines = [str(p) for p in caught.value.problems]
    assert len(lines) == 4
    assert lines[0].endswith("line 2") and "at_leest" in lines[1]
    assert "used twice" in lines[2] and lines[2].endswith("line 7")
    assert "only 2 criteria" in lines[3] and lines[3].endswith("line 8")
