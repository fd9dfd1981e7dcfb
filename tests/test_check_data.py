"""`pql check` against the stored data: names, property keys, values and fit traits the
data never has (with did-you-mean), a conversion event that never happens (an error), and
`sum` criteria over non-numeric values. Small hand-made projects through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from pqlengine.compute.checks import check_data, same_value
from pqlengine.config import load_project
from pqlengine.store import Store
from tests.support.cli import Ran, pql
from tests.support.config import base_config

ACCOUNTS = """\
account_id,created_at,employees,plan,country
A1,2026-01-01T00:00:00Z,10,pro,US
A2,2026-01-02T00:00:00Z,3,free,DE
"""
USERS = """\
user_id,account_id,email,signed_up_at,role
u1,A1,ann@example.com,2026-01-01T00:00:00Z,admin
"""


def _event(number: int, name: str, **properties: Any) -> dict[str, Any]:
    return {
        "event_id": str(number),
        "user_id": "u1",
        "account_id": "A1",
        "event": name,
        "ts": f"2026-01-{number + 1:02d}T00:00:00Z",
        "properties": properties,
    }


EVENTS = [
    _event(1, "Report Created", usage_pct=85, source="web"),
    _event(2, "Report Created", usage_pct="90", source="api"),
    _event(3, "File Uploaded", bytes=100, kind="pdf"),
    _event(4, "File Uploaded", bytes="lots"),
    _event(5, "File Uploaded", bytes="2.5e3"),
    _event(6, "File Uploaded", bytes=True),
    _event(7, "File Uploaded"),
    _event(8, "Page Viewed", plan=3.0, beta=True),
    _event(9, "Paid"),
]


def ingested_project(tmp_path: Path, criteria: list[dict[str, Any]], **overrides: Any) -> Path:
    """A project over ACCOUNTS and EVENTS with these criteria, ingested."""
    config = base_config(**overrides)
    config["definition"]["criteria"] = criteria
    config["definition"]["qualify"] = {"at_least": 1}
    (tmp_path / "pql.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (tmp_path / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    (tmp_path / "users.csv").write_text(USERS, encoding="utf-8")
    lines = "".join(json.dumps(event) + "\n" for event in EVENTS)
    (tmp_path / "events.jsonl").write_text(lines, encoding="utf-8")
    files = ("--accounts", "accounts.csv", "--users", "users.csv", "--events", "events.jsonl")
    done = pql("ingest", *files, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return tmp_path


def _warnings(done: Ran) -> list[str]:
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok pql.yaml")
    return [line.removeprefix("warning ") for line in done.stdout.splitlines()[1:]]


def test_a_correct_definition_has_no_warning(tmp_path: Path) -> None:
    criteria = [
        {"id": "power", "event": "Report Created", "where": {"usage_pct": {"gte": 80}}},
        {"id": "web", "event": "Report Created", "where": {"source": ["web", "api"]}},
        {"id": "three", "kind": "active_days", "where": {"plan": 3, "beta": True}},
        {"id": "storage", "kind": "distinct", "event": "File Uploaded", "property": "kind"},
    ]
    fit = {"where": {"country": "US", "employees": {"eq": 10}, "plan": {"in": ["pro"]}}}
    project = ingested_project(tmp_path, criteria, definition={"name": "d", "fit": fit})
    assert _warnings(pql("check", cwd=project)) == []


def test_event_name_typos_suggest_stored_names(tmp_path: Path) -> None:
    steps = [{"event": "Report Created"}, {"event": "File Uplaoded"}]
    criteria = [
        {"id": "reports", "event": "report created"},
        {"id": "flow", "kind": "sequence", "steps": steps},
    ]
    project = ingested_project(tmp_path, criteria, signup={"event": "Signed Up"})
    assert _warnings(pql("check", cwd=project)) == [
        "criterion 'flow': no event named 'File Uplaoded' in the store (did you mean "
        "'File Uploaded'?)",
        "criterion 'reports': no event named 'report created' in the store (did you mean "
        "'Report Created'?)",
        "signup: no event named 'Signed Up' in the store",
    ]


def test_property_key_typo_warns_with_did_you_mean(tmp_path: Path) -> None:
    """The issue's example: `usage_pcnt` for `usage_pct` matched nothing, silently."""
    steps = [{"event": "Report Created", "where": {"sorce": "web"}}, {"event": "Paid"}]
    criteria = [
        {"id": "power", "event": "Report Created", "where": {"usage_pcnt": {"gte": 80}}},
        {"id": "storage", "kind": "sum", "event": "File Uploaded", "property": "bytez",
         "at_least": 100},
        {"id": "flow", "kind": "sequence", "steps": steps},
        {"id": "paid", "event": "Paid", "where": {"plan": "pro"}},
        {"id": "anywhere", "kind": "users", "where": {"zzz": {"exists": True}}},
    ]  # fmt: skip
    assert _warnings(pql("check", cwd=ingested_project(tmp_path, criteria))) == [
        "criterion 'anywhere': no event has a property 'zzz' (events have beta, bytes, kind, "
        "plan, source, usage_pct)",
        "criterion 'flow' step 1: no 'Report Created' event has a property 'sorce' (did you "
        "mean 'source'?)",
        "criterion 'paid': no 'Paid' event has a property 'plan' ('Paid' events have no "
        "properties)",
        "criterion 'power': no 'Report Created' event has a property 'usage_pcnt' (did you "
        "mean 'usage_pct'?)",
        "criterion 'storage': no 'File Uploaded' event has a property 'bytez' (did you mean "
        "'bytes'?)",
    ]


def test_values_no_event_has_warn_with_the_engines_equality(tmp_path: Path) -> None:
    """Scalars, lists, eq and in are checked; 3 equals the stored 3.0 and "90" the string
    that spells it, true the JSON true; operators other than eq/in are not values."""
    criteria = [
        {"id": "source", "event": "Report Created", "where": {"source": ["web", "wbe"]}},
        {"id": "eq", "event": "Report Created", "where": {"source": {"eq": "API"}}},
        {"id": "in", "event": "Report Created", "where": {"usage_pct": {"in": [90, 91]}}},
        {"id": "number", "kind": "active_days", "where": {"plan": 3, "beta": True}},
        {"id": "flag", "kind": "active_days", "where": {"beta": False}},
        {"id": "operator", "event": "Report Created", "where": {"source": {"ne": "wbe"}}},
    ]
    assert _warnings(pql("check", cwd=ingested_project(tmp_path, criteria))) == [
        "criterion 'eq': no 'Report Created' event has source = 'API' (did you mean 'api'?)",
        "criterion 'flag': no event has beta = false",
        "criterion 'in': no 'Report Created' event has usage_pct = 91",
        "criterion 'source': no 'Report Created' event has source = 'wbe' (did you mean 'web'?)",
    ]


def test_fit_trait_typo_and_unknown_values_warn(tmp_path: Path) -> None:
    """A typo in a fit trait used to let everyone pass fit, silently."""
    fit = {
        "where": {"contry": "US", "plan": ["pro", "enterprise"], "employees": {"gte": 5}},
    }
    project = ingested_project(
        tmp_path, [{"id": "a", "event": "Paid"}], definition={"name": "d", "fit": fit}
    )
    assert _warnings(pql("check", cwd=project)) == [
        "fit.where: 'contry' is neither a column of accounts nor a trait of any account "
        "(did you mean 'country'?)",
        "fit.where: no account has plan = 'enterprise'",
    ]


def test_conversion_event_the_store_never_has_is_an_error(tmp_path: Path) -> None:
    project = ingested_project(
        tmp_path, [{"id": "a", "event": "Paid"}], conversion={"event": "paid"}
    )
    done = pql("check", cwd=project)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "error conversion.event: no event named 'paid' in the store, so every conversion, "
        "PQL-to-paid rate and model would be 0 (did you mean 'Paid'?)"
    ]
    assert "Traceback" not in done.stderr and "ok pql.yaml" not in done.stdout


def test_sum_reports_the_share_of_non_numeric_values(tmp_path: Path) -> None:
    """Of 5 'File Uploaded' events, "lots" and true are not numbers; 100 and "2.5e3" are,
    and an event without bytes is missing, not non-numeric."""
    criteria = [
        {"id": "storage", "kind": "sum", "event": "File Uploaded", "property": "bytes",
         "at_least": 100},
        {"id": "usage", "kind": "sum", "event": "Report Created", "property": "usage_pct",
         "at_least": 100},
    ]  # fmt: skip
    assert _warnings(pql("check", cwd=ingested_project(tmp_path, criteria))) == [
        "criterion 'storage': 2 of 5 'File Uploaded' events (40.0%) have a non-numeric "
        "bytes; they count 0",
    ]


def test_empty_store_only_says_so(tmp_path: Path) -> None:
    config = base_config()
    (tmp_path / "pql.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    assert _warnings(pql("check", cwd=tmp_path)) == [
        "the store has no events yet (run `pql ingest`)"
    ]


@pytest.mark.parametrize("cache", ["on", "off"])
def test_cached_and_uncached_runs_agree(tmp_path: Path, cache: str) -> None:
    """The second run reads the compiled SQL from the cache; PQL_SQL_CACHE=off compiles
    the expressions (the path of stores we do not own) and must say the same."""
    criteria = [
        {"id": "power", "event": "Report Created", "where": {"usage_pcnt": 1, "source": "x"}},
        {"id": "storage", "kind": "sum", "event": "File Uploaded", "property": "bytes",
         "at_least": 100},
    ]  # fmt: skip
    project = ingested_project(
        tmp_path, criteria, definition={"name": "d", "fit": {"where": {"x": 1}}}
    )
    env = {"PQL_SQL_CACHE": cache}
    runs = [pql("check", cwd=project, env=env).stdout for _ in range(2)]
    assert runs[0] == runs[1] and len(runs[0].splitlines()) == 5


def test_same_value_follows_the_engines_equality() -> None:
    assert same_value(3, "3") and same_value(3, "3.0") and same_value(2500, "2.5e3")
    assert same_value(True, "true") and not same_value(True, "1")
    assert same_value("web", "web") and not same_value("3", "3.0")
    assert not same_value(3, " 3") and not same_value(3, "+3")


def test_check_data_returns_facts(tmp_path: Path) -> None:
    project = ingested_project(tmp_path, [{"id": "a", "event": "Paid", "where": {"k": 1}}])
    loaded = load_project(project)
    store = Store.for_project(loaded)
    try:
        checked = check_data(store, loaded)
    finally:
        store.close()
    assert checked.errors == ()
    assert checked.to_json() == {
        "errors": [],
        "warnings": ["criterion 'a': no 'Paid' event has a property 'k' ('Paid' events have "
                     "no properties)"],
    }  # fmt: skip


def test_the_cached_sql_depends_on_the_keys_compared(tmp_path: Path) -> None:
    """Values are listed only for the keys a definition compares: a definition comparing
    another key must not reuse the SQL compiled for the first (the cache key has them)."""
    first = [{"id": "a", "event": "Report Created", "where": {"source": "web"}}]
    project = ingested_project(tmp_path, first)
    assert _warnings(pql("check", cwd=project)) == []
    config = yaml.safe_load((project / "pql.yaml").read_text(encoding="utf-8"))
    config["definition"]["criteria"][0]["where"] = {"usage_pct": 85}
    (project / "pql.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    assert _warnings(pql("check", cwd=project)) == []


def test_a_used_value_is_found_beyond_the_values_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the most frequent values are listed for did-you-mean, but one the definition
    compares is always looked up: with one value listed per key, both sources are found."""
    from pqlengine.compute import stored_queries

    monkeypatch.setattr(stored_queries, "VALUES_LISTED", 1)
    monkeypatch.setenv("PQL_SQL_CACHE", "off")
    criteria = [{"id": "a", "event": "Report Created", "where": {"source": ["web", "api"]}}]
    project = ingested_project(tmp_path, criteria)
    loaded = load_project(project)
    store = Store.for_project(loaded)
    try:
        assert check_data(store, loaded).warnings == ()
        wrong = loaded.definition.criteria[0].model_copy(update={"where": {"source": "wbe"}})
        definition = loaded.definition.model_copy(update={"criteria": [wrong]})
        changed = loaded.model_copy(update={"definition": definition})
        assert check_data(store, changed).warnings == (
            "criterion 'a': no 'Report Created' event has source = 'wbe'",
        )  # 'web' is not listed (only 'api', first of the two by count then text)
    finally:
        store.close()


def test_user_entity_fit_reads_users_columns_and_traits(tmp_path: Path) -> None:
    fit = {"where": {"rol": "admin", "role": "Admin", "email": "ann@example.com"}}
    project = ingested_project(
        tmp_path,
        [{"id": "a", "event": "Paid"}],
        entity="user",
        signup={"source": "users"},
        definition={"name": "d", "fit": fit},
    )
    assert _warnings(pql("check", cwd=project)) == [
        "fit.where: 'rol' is neither a column of users nor a trait of any user (did you "
        "mean 'role'?)",
        "fit.where: no user has role = 'Admin' (did you mean 'admin'?)",
    ]


def test_an_activity_event_nobody_does_warns(tmp_path: Path) -> None:
    """Valid (it may come in later data), but until then nobody is active, so no PQL."""
    criteria = [{"id": "reports", "event": "Report Created", "in_last_days": 7}]
    definition = {
        "name": "d",
        "expire_after_inactive_days": 14,
        "activity": {"event": "report created"},
    }
    project = ingested_project(tmp_path, criteria, definition=definition)
    assert _warnings(pql("check", cwd=project)) == [
        "activity: no event named 'report created' in the store, so nobody is active and "
        "nobody is a PQL (did you mean 'Report Created'?)"
    ]
