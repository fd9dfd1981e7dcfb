"""Discovery and suggest over the criterion kinds beyond counts: planted effects on the sum
of a numeric property and on a distinct count are found, their 2x2s match a recomputation
from the planted events and the engine's own verdict, their labels are words, they join the
multiple-testing family, and suggest writes them as criteria that validate and qualify the
entities it counted."""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from statsmodels.stats.multitest import multipletests

from pqlengine.compute.discovery import discover, discovery_data
from pqlengine.compute.model_features import matured_matrix
from pqlengine.compute.qualify import qualify_entities
from pqlengine.compute.suggest import adopt_suggestion, suggest
from pqlengine.config import Project, load_project
from pqlengine.ingest import ingest_records
from pqlengine.stats.discovery import evaluate
from pqlengine.store import Store
from tests.support.config import base_config

T0 = datetime(2026, 1, 1)
AS_OF = PLANTED_AS_OF = datetime(2027, 3, 1)  # every window and conversion window over
DAY = timedelta(days=1)
ACCOUNTS = 400


def _planted(seed: int = 11) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """Accounts whose conversion after the window depends on uploading a lot (bytes, some
    given as numeric strings, some not numbers) and on syncing from 3+ devices; every account
    does the same number of events, so neither effect is a volume effect."""
    rng = random.Random(seed)
    accounts, events = [], []
    truth: dict[str, Any] = {"bytes": {}, "devices": {}, "converted": set()}
    for i in range(ACCOUNTS):
        account, signup = f"a{i:03d}", T0 + timedelta(hours=17 * i)
        accounts.append({"account_id": account, "created_at": signup})
        heavy, many = rng.random() < 0.4, rng.random() < 0.4
        running = best = 0.0
        for k in range(3):
            size = rng.uniform(5e8, 9e8) if heavy else rng.uniform(1e6, 5e7)
            value: Any = str(round(size)) if k == 1 else round(size)
            if i % 10 == 0 and k == 2:
                value = "n/a"  # not a number: counts 0
            running += 0 if value == "n/a" else float(value)
            best = max(best, running)
            events.append((account, "File Uploaded", signup + (k + 1) * DAY, {"bytes": value}))
        if i % 25 == 0:  # a refund: the highest running total still counts
            events.append((account, "File Uploaded", signup + 5 * DAY, {"bytes": -3e9}))
        devices = [f"{account}-d{k}" for k in range(4)] if many else [f"{account}-d0"] * 4
        for k, device in enumerate(devices):
            events.append((account, "Synced", signup + (k + 2) * DAY, {"device_id": device}))
        if i % 3 == 0:  # a teammate, unrelated to converting
            events.append((account, "Commented", signup + DAY, {"by": "teammate", "user": "b"}))
        truth["bytes"][account] = best
        truth["devices"][account] = len(set(devices))
        if rng.random() < 0.05 + 0.45 * heavy + 0.35 * many:
            events.append((account, "Paid", signup + 20 * DAY, None))
            truth["converted"].add(account)
    rows = [
        {
            "event_id": f"e{n}",
            "user_id": f"u{a}" + (props or {}).get("user", ""),
            "event": name,
            "ts": ts,
            "properties": props,
        }
        for n, (a, name, ts, props) in enumerate(events)
    ]
    return accounts, rows, truth


def ingest_planted(store: Store) -> dict[str, Any]:
    """Ingest the planted product into `store`; the truth behind it (also for the parity
    suite)."""
    accounts, events, truth = _planted()
    ingest_records(store, "accounts", accounts)
    users = [
        {"user_id": f"u{a['account_id']}{suffix}", "account_id": a["account_id"]}
        for a in accounts
        for suffix in ("", "b")
    ]
    ingest_records(store, "users", users)
    ingest_records(store, "events", events)
    return truth


@pytest.fixture(scope="module")
def planted() -> Any:
    store = Store.open(":memory:")
    truth = ingest_planted(store)
    project = Project.from_dict(base_config())
    yield store, project, truth, discover(store, project, AS_OF, window_days=14)
    store.close()


def _best(result: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(c for c in result["candidates"] if c["kind"] == kind)


def _qualified(store: Store, criterion: dict[str, Any]) -> set[str]:
    config = base_config()
    config["definition"].update(criteria=[criterion], qualify="all")
    rows = qualify_entities(store, Project.from_dict(config), AS_OF)
    return {r["entity_id"] for r in rows if r["qualified_at"] is not None}


def test_a_planted_sum_is_found_with_the_sum_kinds_semantics(planted: Any) -> None:
    store, _, truth, result = planted
    best = _best(result, "sum")
    assert (best["event"], best["property"]) == ("File Uploaded", "bytes")
    assert best["flags"] == [] and best["q_value"] < 1e-6 and best["lift"] > 2
    assert re.fullmatch(r"sum of bytes in File Uploaded ≥ [0-9.]+ (GB|MB)", best["label"])
    criterion = best["criterion"]
    assert criterion["kind"] == "sum" and criterion["within_days"] == 14
    assert criterion["at_least"] == best["threshold"]
    # the group recomputed from the planted values (numeric strings count, 'n/a' is 0, the
    # highest running total holds) and the engine's verdict on the written criterion agree
    group = {a for a, total in truth["bytes"].items() if total >= best["threshold"]}
    assert best["with_total"] == len(group)
    assert best["with_converted"] == len(group & truth["converted"])
    assert _qualified(store, criterion) == group


def test_a_planted_distinct_count_is_found(planted: Any) -> None:
    store, _, truth, result = planted
    best = _best(result, "distinct")
    assert (best["event"], best["property"]) == ("Synced", "device_id")
    assert best["flags"] == [] and best["q_value"] < 1e-6 and best["lift"] > 2
    assert best["label"] == f"{best['threshold']} distinct device_id in Synced"
    group = {a for a, n in truth["devices"].items() if n >= best["threshold"]}
    assert (best["with_total"], best["with_converted"]) == (
        len(group),
        len(group & truth["converted"]),
    )
    assert _qualified(store, best["criterion"]) == group
    # a wide property is a distinct count, not 1,600 value pairs
    assert not any(c["kind"] == "property" and c["event"] == "Synced" for c in result["candidates"])


def test_every_candidate_criterion_validates_and_labels_are_words(planted: Any) -> None:
    _, _, _, result = planted
    kinds = {c["kind"] for c in result["candidates"]}
    assert {"sum", "distinct", "users", "consecutive_days"} <= kinds
    for candidate in result["candidates"]:
        assert candidate["label"] and "None" not in candidate["label"]
        if candidate["kind"] in ("property", "trait"):
            assert candidate["criterion"] is None
            continue
        config = base_config()
        config["definition"]["criteria"] = [candidate["criterion"]]
        Project.from_dict(config)  # raises when the criterion is not valid pql.yaml
    run = next(c for c in result["candidates"] if c["kind"] == "consecutive_days")
    assert run["label"] == f"active {run['threshold']} days in a row"
    team = next(c for c in result["candidates"] if c["kind"] == "users")
    assert (team["label"], team["with_total"]) == ("2 users", ACCOUNTS // 3 + 1)


def test_the_new_candidates_join_the_multiple_testing_family(planted: Any) -> None:
    store, project, _, result = planted
    ranked = [c for c in result["candidates"] if c["p_value"] is not None]
    assert {"sum", "distinct"} <= {c["kind"] for c in ranked}
    expected = multipletests([c["p_value"] for c in ranked], method="fdr_bh")[1]
    for candidate, q in zip(ranked, expected, strict=True):
        assert candidate["q_value"] == pytest.approx(q, rel=1e-9, abs=1e-15)
    # the family is every supported candidate: dropping the new kinds would shrink it
    data = discovery_data(store, project, AS_OF, 14)
    tested = [r for r in evaluate(data) if r.q_value is not None]
    assert len(tested) == len(ranked)
    assert sum(r.candidate.kind in ("sum", "distinct") for r in tested) >= 2


def test_suggest_writes_a_sum_or_distinct_criterion_that_qualifies_what_it_counted(
    tmp_path: Path,
) -> None:
    config = base_config(store=".pql/t.duckdb")
    (tmp_path / "pql.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    project = load_project(tmp_path)
    store = Store.for_project(project)
    try:
        ingest_planted(store)
        result = suggest(store, project, AS_OF, window_days=14)
        criteria = result["rule"]["definition"]["criteria"]
        assert {"sum", "distinct"} & {c.get("kind") for c in criteria}, criteria
        assert {"sum", "distinct"} & {s["kind"] for s in result["shortlist"]}
        checked = base_config()
        checked["definition"] = result["rule"]["definition"]
        Project.from_dict(checked)
        adopt_suggestion(store, project, result["rule"]["definition"])
        adopted = load_project(tmp_path)
        assert [c.kind for c in adopted.definition.criteria] == [
            c.get("kind", "count") for c in criteria
        ]
        matrix = matured_matrix(store, adopted, AS_OF, 14, [], with_rule=True)
    finally:
        store.close()
    split = datetime.fromisoformat(result["train_until"].replace("Z", "+00:00")).timestamp()
    later = matrix.signup_epoch_s >= split
    assert matrix.rule_pql is not None
    assert int(matrix.rule_pql[later].sum()) == result["test"]["pqls"]


def test_suggested_criteria_ids_stay_unique_when_slugs_collide() -> None:
    from pqlengine.compute.suggest import definition_of
    from pqlengine.stats.suggest import Atom, Rule

    rule = Rule((Atom("Users", 0, 2), Atom(None, 1, 3, "users"), Atom("users!", 2, 1)), k=2)
    written = definition_of(rule, 14, "f1")
    assert [c["id"] for c in written["criteria"]] == ["users", "users_2", "users_3"]
    config = base_config()
    config["definition"] = written
    assert len(Project.from_dict(config).definition.criteria) == 3
