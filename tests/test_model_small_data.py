"""`pql model` on small or degenerate data: it works, or it exits with one line naming what is
missing (a reason code and a sentence), never a scikit-learn traceback. Real CLI, hand-made
CSV projects."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.support.cli import Ran, pql

T0 = datetime(2026, 1, 1)
HOUR = timedelta(hours=1)
AS_OF = "2026-12-31"
YAML = """\
project: small
conversion: {source: conversions}
conversion_window_days: 60
definition:
  name: d
  criteria: [{id: a, event: A}]
"""


def write_project(
    directory: Path, accounts: int, converting: int, signup_spread_days: float
) -> Path:
    """`accounts` accounts signing up over `signup_spread_days` (0: all at once), the first
    `converting` of every 2 converting on day 20; converters do A more often. No employees,
    plan or user emails, so those features are unknown for everyone (as in the Planday
    trials)."""
    (directory / "pql.yaml").write_text(YAML, encoding="utf-8")
    with (
        (directory / "accounts.csv").open("w", newline="") as a,
        (directory / "events.csv").open("w", newline="") as e,
        (directory / "conversions.csv").open("w", newline="") as c,
    ):
        acc, ev, conv = csv.writer(a), csv.writer(e), csv.writer(c)
        acc.writerow(["account_id", "created_at"])
        ev.writerow(["event_id", "user_id", "account_id", "event", "ts"])
        conv.writerow(["entity_id", "converted_at"])
        for i in range(accounts):
            entity = f"acc{i:04d}"
            start = T0 + timedelta(days=signup_spread_days * i / max(accounts, 1))
            acc.writerow([entity, start.isoformat()])
            converts = i % 2 == 0 and i // 2 < converting
            for k in range((i * 7) % 5 + (3 if converts else 1)):
                ev.writerow([f"{entity}-{k}", entity, entity, "AB"[k % 2], start + k * HOUR])
            if converts:
                conv.writerow([entity, (start + timedelta(days=20)).isoformat()])
    done = pql(
        "ingest",
        "-C",
        str(directory),
        "--accounts",
        "accounts.csv",
        "--events",
        "events.csv",
        "--conversions",
        "conversions.csv",
        cwd=directory,
    )
    assert done.returncode == 0, done.stderr
    return directory


def one_line_error(done: Ran, code: str) -> None:
    """Exit 1 with exactly one stderr line `error <code>: ...`."""
    assert done.returncode == 1
    # The as-of is months past these events on purpose (conversions must mature): the
    # stale-data warning (compute/freshness.py) is expected and is not the error.
    lines = [x for x in done.stderr.strip().splitlines() if not x.startswith("warning: data ")]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error {code}: "), lines[0]
    assert "Traceback" not in lines[0]


@pytest.mark.parametrize(
    ("name", "accounts", "converting", "spread", "code"),
    [
        ("no conversions", 120, 0, 100.0, "too_few_conversions"),
        ("one cohort", 120, 60, 0.0, "too_few_cohorts"),
        ("three entities", 3, 1, 10.0, "too_few_conversions"),
    ],
)
def test_degenerate_data_gives_one_line_reasons(
    tmp_path: Path, name: str, accounts: int, converting: int, spread: float, code: str
) -> None:
    directory = write_project(tmp_path, accounts, converting, spread)
    done = pql("model", "train", "-C", str(directory), "--as-of", AS_OF, cwd=directory)
    one_line_error(done, code)


def test_nothing_matured_and_no_model_give_one_line_reasons(tmp_path: Path) -> None:
    directory = write_project(tmp_path, 120, 60, 100.0)
    early = pql("model", "train", "-C", str(directory), "--as-of", "2026-01-05", cwd=directory)
    one_line_error(early, "no_population")
    for command in ("score", "check"):
        done = pql("model", command, "-C", str(directory), "--as-of", AS_OF, cwd=directory)
        one_line_error(done, "no_model")


def test_features_nobody_has_do_not_crash_train_score_or_check(tmp_path: Path) -> None:
    """No employees or emails: those columns are all missing, which made scikit-learn's
    binning fail ("window shape cannot be larger than input array shape"); now they are left
    out and the small project trains, scores and checks."""
    directory = write_project(tmp_path, 240, 120, 100.0)
    args = ["-C", str(directory), "--as-of", AS_OF, "-f", "json"]
    trained = pql("model", "train", *args, cwd=directory)
    assert trained.returncode == 0, trained.stderr
    result = json.loads(trained.stdout)
    unused = {result["features"][i] for i in result["model"]["unused_columns"]}
    assert {"employees", "free_email_domain"} <= unused
    assert result["validation"]["model"]["top_decile_calibration"]["entities"] > 0
    scored = pql("model", "score", *args, cwd=directory)
    assert scored.returncode == 0, scored.stderr
    checked = pql("model", "check", *args, cwd=directory)
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["action"] == "not_checked"  # nothing new matured
