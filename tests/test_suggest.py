"""suggest: a rule found on earlier cohorts must hold up on later ones."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from pqlengine.config import load_project
from pqlengine.demo import write_demo
from pqlengine.stats.suggest import Atom, Rule, score, search
from tests.test_handmade import pql


def test_rule_matching_and_scores_by_hand() -> None:
    counts = np.array([[3, 0], [1, 1], [0, 2], [5, 5], [0, 0]])
    converted = np.array([True, False, True, True, False])
    rule = Rule((Atom("a", 0, 2), Atom("b", 1, 1)), k=1)
    assert rule.matches(counts).tolist() == [True, True, True, True, False]
    both = Rule(rule.atoms, k=2)
    assert both.matches(counts).tolist() == [False, False, False, True, False]
    result = score(rule.matches(counts), converted)
    assert (result["pqls"], result["converted_pqls"]) == (4, 3)
    assert result["precision"] == 0.75 and result["recall"] == 1.0
    assert result["lift"] == 0.75 / 0.6
    best = search(counts, converted, list(rule.atoms), 2, "precision", min_support=1)
    assert best is not None and best[1]["precision"] == 1.0


def test_suggest_on_demo_holds_up_on_later_cohorts(tmp_path: Path) -> None:
    write_demo(tmp_path, 2000, 7)
    done = pql(
        "suggest",
        "-C",
        str(tmp_path),
        "--as-of",
        "2026-11-01",
        "--write",
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    test = result["test"]
    assert test["precision"] >= 2 * test["base_rate"]
    assert result["train"]["entities"] > 300 and test["entities"] > 300
    criteria = result["rule"]["definition"]["criteria"]
    assert 2 <= len(criteria) <= 4
    assert not any(c["event"] in ("Page Viewed", "Logged In", "Session Started") for c in criteria)
    adopted = load_project(tmp_path)
    assert adopted.definition.name == "suggested-f1"
    assert "# Who qualifies" in (tmp_path / "pql.yaml").read_text()  # comments kept
    kept = list((tmp_path / ".pql" / "definitions").glob("*.yaml"))
    assert len(kept) == 1 and load_project(kept[0]).definition.name == "activation"
    old_version = kept[0].stem
    replay = pql(
        "compare",
        old_version,
        "pql.yaml",
        "--as-of",
        "2026-11-01",
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert replay.returncode == 0, replay.stderr
    versions = json.loads(replay.stdout)
    assert versions["old"]["version"] == old_version
    assert versions["new"]["version"] == adopted.version
