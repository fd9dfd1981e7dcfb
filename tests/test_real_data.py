"""Real, messy data from ../shared/data/real (skipped when that folder is absent)."""

from __future__ import annotations

import csv
import json
import textwrap
from pathlib import Path

import pytest

from tests.test_handmade import pql

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
SHOPIFY = REAL / "shopify-segment" / "events.csv"

pytestmark = pytest.mark.skipif(
    not SHOPIFY.exists(), reason=f"real data not available at {REAL} (shared folder absent)"
)

SHOPIFY_YAML = textwrap.dedent("""\
    project: shopify
    entity: user
    signup: {source: users}          # no users file: each user's first event
    conversion: {event: "Order Completed"}
    observation_days: 30
    conversion_window_days: 60
    definition:
      name: shopper-intent
      criteria:
        - {id: viewed, event: "Product Viewed", at_least: 3}
        - {id: added, event: "Product Added"}
        - {id: checkout, event: "Checkout Started"}
      qualify: {at_least: 2}
      min_active_days: 2
    columns:
      events: {event: event_type}
    """)


@pytest.fixture(scope="module")
def shopify(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("shopify")
    (project / "pql.yaml").write_text(SHOPIFY_YAML)
    done = pql(
        "ingest", "-C", str(project), "--events", str(SHOPIFY), "--format", "json", cwd=project
    )
    assert done.returncode == 0, done.stderr
    # 16,008 rows but 31 repeated Segment messageIds (some under two different user ids):
    # the first occurrence wins.
    assert json.loads(done.stdout)[0]["rows_added"] == len(first_occurrences()) == 15_977
    return project


def first_occurrences() -> dict[str, dict[str, str]]:
    """The events file deduplicated by event_id in plain Python (first one wins)."""
    with SHOPIFY.open(newline="") as handle:
        kept: dict[str, dict[str, str]] = {}
        for row in csv.DictReader(handle):
            kept.setdefault(row["event_id"], row)
    return kept


def test_segment_events_qualify_consistently(shopify: Path) -> None:
    done = pql(
        "qualify", "-C", str(shopify), "--as-of", "2024-05-01", "--format", "json", cwd=shopify
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    entities = result["entities"]
    users = {row["user_id"] for row in first_occurrences().values()}
    assert {e["entity_id"] for e in entities} == users
    assert sum(result["status_counts"].values()) == len(users)
    for entity in entities:
        if entity["qualified_at"] is not None and entity["converted_at"] is not None:
            assert entity["qualified_at"] < entity["converted_at"]
        if entity["qualified_at"] is not None:
            assert entity["qualified_at"] >= entity["signup_at"]
            assert len(entity["criteria_met"]) >= 2 and entity["active_days"] >= 2
    converted = [e for e in entities if e["converted_at"] is not None]
    assert converted and any(e["status"] == "converted_pql" for e in converted)


def test_segment_metrics_are_internally_consistent(shopify: Path) -> None:
    done = pql(
        "metrics", "-C", str(shopify), "--as-of", "2024-05-01", "--format", "json", cwd=shopify
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    users = {row["user_id"] for row in first_occurrences().values()}
    assert sum(c["signups"] for c in result["cohorts"]) == len(users)
    overall = result["overall"]
    assert overall["signups"] == sum(c["signups"] for c in result["cohorts"] if c["complete"])
    assert overall["pqls"] == sum(c["pqls"] for c in result["cohorts"] if c["complete"])
    low, high = overall["pql_rate_ci"]
    assert low <= overall["pql_rate"] <= high
