"""`pql targets` and `pql calc` on a project with known cohorts (tests/targets/data.py):
the numbers are reproduced by hand; an off-track target queues one alert per change."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest

from tests.support.cli import pql
from tests.targets.data import PAID, PQLS, write_project

AS_OF = "2026-01-15"  # cohorts complete: 2025-01 .. 2025-11 (end + 30 days <= as_of)
TARGETS = """\
targets:
  - {name: paid, metric: pql_to_paid, value: 0.4, by: 2026-06-30, from: 0.1}
  - {name: pro-rate, metric: pql_rate, value: 0.3, by: 2026-03-31, segment: {plan: pro}}
  - {name: volume, metric: pql_count, value: 60, by: 2026-09-30}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("targets"), TARGETS)


def _json(project: Path, *args: str) -> dict[str, Any]:
    done = pql(*args, "--format", "json", cwd=project)
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def test_calc_typed_inputs_by_hand(project: Path) -> None:
    found = _json(project, "calc", "--pqls", "150", "--rate", "0.2", "--target-customers", "45")
    # 150 x 0.2 = 30 customers; 45 / 0.2 = 225 PQLs; a typed rate has no interval
    assert found["customers"]["value"] == pytest.approx(30.0)
    assert found["customers"]["interval"] is None and "typed" in found["customers"]["note"]
    assert found["pqls_needed"]["value"] == pytest.approx(225.0)
    revenue = _json(project, "calc", "--rate", "0.25", "--target-revenue", "1200", "--arpa", "60")
    # 1200 / 60 = 20 customers; 20 / 0.25 = 80 PQLs
    assert revenue["customers_needed"] == pytest.approx(20.0)
    assert revenue["pqls_needed"]["value"] == pytest.approx(80.0)


def test_calc_from_store_by_hand(project: Path) -> None:
    found = _json(project, "calc", "--from-store", "--as-of", AS_OF, "--target-customers", "20",
                  "--target-revenue", "600")  # fmt: skip
    inputs, observed = found["inputs"], found["observed"]
    # PQLs qualified in 2025-10, -11, -12: 38 + 40 + 42 = 120, so 40 per month
    assert (PQLS[9], PQLS[10], PQLS[11]) == (38, 40, 42)
    assert inputs["pqls_per_month"] == pytest.approx(40.0)
    # PQL-to-paid over the last 3 cohorts whose conversion window is over at 2026-01-15
    # (end + 30 + 60 days <= as_of: 2025-09 is the last, 2025-10 ends 11-01 + 90 = 01-30):
    # 2025-07..09: (8 + 9 + 10) / (31 + 34 + 36) = 27 / 101
    assert observed["rate_cohorts"] == ["2025-07", "2025-08", "2025-09"]
    assert observed["rate_counts"] == [27, 101] and inputs["rate"] == pytest.approx(27 / 101)
    # Wilson by hand: p = 0.2673267, z^2 = 3.8414589, n = 101:
    # centre = (0.2673267 + 3.8414589 / 202) / (1 + 3.8414589 / 101) = 0.2758520
    # half = 1.959964 / 1.0380342 * sqrt(0.2673267 * 0.7326733 / 101 + 3.8414589 / 40804)
    #      = 0.0851424 -> [0.1907096, 0.3609945]
    low, high = observed["rate_ci"]
    assert (low, high) == pytest.approx((0.1907096, 0.3609945), abs=1e-6)
    # customers = 40 x 0.2673267 = 10.693069, interval 40 x [low, high]
    assert found["customers"]["value"] == pytest.approx(10.693069, abs=1e-5)
    assert found["customers"]["interval"] == pytest.approx([7.628384, 14.439778], abs=1e-5)
    # ARPA: 90 conversions, sum(ceil(P/2)) at 50 and sum(floor(P/2)) at 70
    even = sum(math.ceil(p / 2) for p in PAID)
    odd = sum(p // 2 for p in PAID)
    assert (even, odd) == (48, 42)
    arpa = (48 * 50 + 42 * 70) / 90  # = 59.333
    assert inputs["arpa"] == pytest.approx(arpa) and inputs["arpa_source"] == "store"
    # revenue 600 / 59.333 = 10.1124 customers; / 0.2673267 = 37.8277 PQLs,
    # interval [10.1124 / 0.3609945, 10.1124 / 0.1907096] = [28.0125, 53.0249]
    assert found["customers_needed"] == pytest.approx(600 / arpa)
    assert found["pqls_needed"]["value"] == pytest.approx(37.8277, abs=1e-3)
    assert found["pqls_needed"]["interval"] == pytest.approx([28.0125, 53.0249], abs=1e-3)


def test_calc_without_mrr_says_give_arpa(tmp_path: Path) -> None:
    root = write_project(tmp_path)
    lines = (root / "conversions.csv").read_text().splitlines()
    (root / "conversions.csv").write_text(
        "\n".join(",".join(line.split(",")[:3]) for line in lines) + "\n"
    )
    duckdb.connect(str(root / ".pql" / "targets.duckdb")).execute(
        "UPDATE conversions SET mrr = NULL"
    ).close()
    done = pql("calc", "--from-store", "--as-of", AS_OF, "--target-revenue", "600", cwd=root)
    assert done.returncode == 1 and "give --arpa" in done.stderr, done.stderr


def test_targets_json_by_hand(project: Path) -> None:
    found = _json(project, "targets", "--as-of", AS_OF)
    paid, pro, volume = found["targets"]
    # pql_to_paid counts cohorts whose conversion window is over too (end + 90 days).
    assert paid["window"] == ["2025-07", "2025-08", "2025-09"]
    assert paid["current"] == pytest.approx(27 / 101)
    assert paid["current_ci"] == pytest.approx([0.1907096, 0.3609945], abs=1e-6)
    # progress = (0.2673267 - 0.1) / (0.4 - 0.1) = 0.5577558
    assert paid["progress"] == pytest.approx(0.5577558, abs=1e-6)
    assert paid["direction"] == "up" and paid["baseline_source"] == "from"
    # The target cohort at 2026-06-30 is 2026-03: its end 04-01 + 90 days = 06-30 <= 06-30,
    # while 2026-04's end 05-01 + 90 days = 07-30 is later.
    assert paid["target_cohort"] == "2026-03"
    # Trend: the two-step weighted fit of the 9 final cohorts, as statsmodels computes it.
    sm = pytest.importorskip("statsmodels.api")
    x = np.arange(9) + (2025 - 1970) * 12
    y = np.array(PAID[:9]) / np.array(PQLS[:9])
    n = np.array(PQLS[:9], dtype=float)
    first = sm.WLS(y, sm.add_constant(x), weights=n).fit()
    mu = np.clip(first.params[0] + first.params[1] * x, 0.01, 0.99)
    second = sm.WLS(y, sm.add_constant(x), weights=n / (mu * (1 - mu))).fit()
    assert paid["trend"]["slope_per_month"] == pytest.approx(second.params[1], rel=1e-9)
    assert paid["trend"]["slope_ci"] == pytest.approx(list(second.conf_int()[1]), rel=1e-9)
    x_f = (2026 - 1970) * 12 + 2
    assert paid["projected"] == pytest.approx(second.params[0] + second.params[1] * x_f, rel=1e-9)
    assert 0 < paid["probability"] < 1 and paid["status"] in ("on_track", "off_track")
    assert paid["status"] == ("on_track" if paid["probability"] >= 0.5 else "off_track")
    # Segment plan=pro (odd k): PQLs 18 + 19 + 20 = 57 of 150 signups -> 38%, Wilson
    # lower bound 0.306 >= 0.30: reached.
    assert pro["current"] == pytest.approx(57 / 150) and pro["status"] == "reached"
    # pql_count: (36 + 38 + 40) / 3 = 38 per cohort; Garwood interval of 114 (chi-square
    # quantiles chi2(0.025, 228) / 2 = 94.0359, chi2(0.975, 230) / 2 = 136.9488), / 3.
    assert volume["current"] == pytest.approx(38.0)
    assert volume["current_ci"] == pytest.approx([94.0359 / 3, 136.9488 / 3], abs=1e-3)


def test_small_cohorts_are_flagged(project: Path) -> None:
    found = _json(project, "targets", "--as-of", AS_OF)
    paid, pro, volume = found["targets"]
    # pql_to_paid's denominators are the PQLs: 21, 20, 24, ... 40, all below 30 until 2025-06
    assert [n["code"] for n in paid["notes"]] == ["small_cohorts"]
    assert paid["notes"][0]["message"].startswith("5 of 9 cohorts")
    assert [n["code"] for n in pro["notes"]] == [] and volume["notes"] == []


def test_targets_cannot_say_with_too_few_cohorts(project: Path) -> None:
    found = _json(project, "targets", "--as-of", "2025-05-15")  # cohorts 01..03 complete
    paid = found["targets"][0]
    assert paid["status"] == "cannot_say" and paid["reason"]["code"] == "too_few_cohorts"
    assert paid["probability"] is None


def _outbox(root: Path) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(root / ".pql" / "targets.duckdb"), read_only=True)
    try:
        return con.execute(
            "SELECT destination, kind, entity_id, body, status FROM outbox ORDER BY created_at"
        ).fetchall()
    finally:
        con.close()


def test_off_track_alert_is_queued_once_per_change(tmp_path: Path) -> None:
    destinations = (
        "destinations:\n"
        "  - {type: webhook, url: 'http://127.0.0.1:9/hook'}\n"
        "  - {type: slack, url: 'http://127.0.0.1:9/slack'}\n"
    )
    off = "targets:\n  - {name: far, metric: pql_to_paid, value: 0.9, by: 2026-06-30}\n"
    root = write_project(tmp_path, off, destinations)
    alert = ("targets", "--as-of", AS_OF, "--alert")
    assert pql(*alert, cwd=root).returncode == 0
    rows = _outbox(root)
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("webhook", "target_off_track", "far"),
        ("slack", "target_off_track", "far"),
    ]
    body = json.loads(rows[0][3])
    assert body["type"] == "pql.target_off_track" and body["target"]["value"] == 0.9
    assert body["probability"] < 0.5 and body["previous_status"] is None
    assert "far is off track" in json.loads(rows[1][3])["text"]
    assert pql(*alert, cwd=root).returncode == 0
    assert len(_outbox(root)) == 2  # still off track: nothing new
    reachable = off.replace("value: 0.9", "value: 0.15, from: 0.1")
    (root / "pql.yaml").write_text((root / "pql.yaml").read_text().replace(off, reachable))
    assert pql(*alert, cwd=root).returncode == 0
    assert len(_outbox(root)) == 2  # reached: no alert
    (root / "pql.yaml").write_text((root / "pql.yaml").read_text().replace(reachable, off))
    assert pql(*alert, cwd=root).returncode == 0
    rows = _outbox(root)
    assert len(rows) == 4 and json.loads(rows[2][3])["previous_status"] == "reached"


def test_no_alert_for_a_past_as_of(tmp_path: Path) -> None:
    destinations = "destinations:\n  - {type: webhook, url: 'http://127.0.0.1:9/hook'}\n"
    off = "targets:\n  - {name: far, metric: pql_to_paid, value: 0.9, by: 2030-06-30}\n"
    root = write_project(tmp_path, off, destinations)
    assert pql("targets", "--as-of", AS_OF, cwd=root).returncode == 0
    con = duckdb.connect(str(root / ".pql" / "targets.duckdb"), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    finally:
        con.close()
    assert "target_status" not in tables


def test_without_alert_destinations_nothing_is_recorded(tmp_path: Path) -> None:
    root = write_project(tmp_path, TARGETS)
    assert pql("targets", "--as-of", AS_OF, "--alert", cwd=root).returncode == 0
    con = duckdb.connect(str(root / ".pql" / "targets.duckdb"), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    finally:
        con.close()
    assert "target_status" not in tables and "outbox" not in tables


def test_a_missing_secret_warns_and_still_shows_the_targets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PQL_TARGETS_TEST_SECRET", raising=False)
    destinations = (
        "destinations:\n  - {type: webhook, url: 'http://127.0.0.1:9/h', "
        "secret: '${PQL_TARGETS_TEST_SECRET}'}\n"
    )
    root = write_project(tmp_path, TARGETS, destinations)
    done = pql("targets", "--as-of", AS_OF, "--alert", "-f", "json", cwd=root)
    assert done.returncode == 0 and "warning: no target alerts recorded" in done.stderr
    assert "PQL_TARGETS_TEST_SECRET" in done.stderr
    assert [t["name"] for t in json.loads(done.stdout)["targets"]] == ["paid", "pro-rate", "volume"]


def test_zero_observed_conversions_give_no_upper_bound() -> None:
    from pqlengine.stats.calc import Estimate, volume_needed
    from pqlengine.stats.intervals import Proportion, wilson_interval

    # 0 of 20 PQLs converted: Wilson [0, 0.1611]; with a typed point rate of 0.05 the
    # volume for 4 customers is 80, its interval [4 / 0.1611, no bound].
    interval = wilson_interval(Proportion(0, 20))
    assert isinstance(interval, tuple) and interval[0] == 0.0
    found = volume_needed(4, 0.05, interval)
    assert isinstance(found, Estimate) and found.interval is not None
    assert found.value == pytest.approx(80.0)
    assert found.interval[0] == pytest.approx(4 / 0.16112515, rel=1e-6)
    assert found.interval[1] is None and "no upper bound" in str(found.note)
