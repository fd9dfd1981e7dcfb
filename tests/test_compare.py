"""compare: two definitions over the same data and as_of."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import pql
from tests.test_handmade import AS_OF, ingested_copy


def test_compare_replays_both_definitions(tmp_path: Path) -> None:
    ingested_copy(tmp_path)
    loose = (tmp_path / "pql.yaml").read_text().replace("qualify: all", "qualify: {at_least: 1}")
    (tmp_path / "loose.yaml").write_text(loose)
    done = pql(
        "compare",
        "pql.yaml",
        "loose.yaml",
        "--as-of",
        AS_OF,
        "--period",
        "week",
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["old"]["version"] != result["new"]["version"]
    move = result["movement"]
    assert move["left"] == 0 and move["left_examples"] == []
    assert move["pql_in_both"] == 3  # A, D, E qualify under the original rule
    # C (create twice, invite outside the window) qualifies once one criterion is enough.
    assert "C" in move["entered_examples"]
    old_total = sum(p["old"] for p in result["pql_count_by_period"])
    new_total = sum(p["new"] for p in result["pql_count_by_period"])
    assert old_total == move["pql_in_both"] + move["left"]
    assert new_total == move["pql_in_both"] + move["entered"]
    same = pql(
        "compare", "pql.yaml", "pql.yaml", "--as-of", AS_OF, "--format", "json", cwd=tmp_path
    )
    identical = json.loads(same.stdout)
    assert all(c["old"] == c["new"] for c in identical["cohorts"])
    assert identical["movement"]["entered"] == identical["movement"]["left"] == 0


def test_compare_a_stored_version_with_the_current_file(tmp_path: Path) -> None:
    ingested_copy(tmp_path)
    first = pql("qualify", "--as-of", AS_OF, "--format", "json", cwd=tmp_path)
    old_version = json.loads(first.stdout)["definition"]["version"]
    text = (tmp_path / "pql.yaml").read_text().replace("qualify: all", "qualify: {at_least: 1}")
    (tmp_path / "pql.yaml").write_text(text)
    done = pql(
        "compare", old_version, "pql.yaml", "--as-of", AS_OF, "--format", "json", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["old"]["version"] == old_version != result["new"]["version"]
    assert result["movement"]["left"] == 0 and result["movement"]["entered"] >= 1
    unknown = pql("compare", "abc123", "pql.yaml", cwd=tmp_path)
    assert unknown.returncode == 1
    assert "neither a file nor a stored definition version" in unknown.stderr
