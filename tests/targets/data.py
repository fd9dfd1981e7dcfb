"""A small project whose monthly cohorts have known counts, for `pql targets` and `pql calc`.

Month i (0 = 2025-01 .. 11 = 2025-12) has 100 signups (on days 1-25), PQLS[i] of them
invite a member one day after signup (so they qualify in their signup month), and PAID[i]
of those convert 5 days after qualifying, with mrr 50 for even and 70 for odd entities.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import pql

SIGNUPS = 100
# A steady climb with noise in the first 8 months (the last 4 are exact, for hand checks).
PQLS = [20 + 2 * i + d for i, d in enumerate([1, -2, 0, 2, -1, 1, -1, 0, 0, 0, 0, 0])]
PAID = [2 + i for i in range(12)]  # 2, 3, .., 13

PROJECT = """\
project: targets
entity: account
signup: {source: accounts}
conversion: {source: conversions}
observation_days: 30
conversion_window_days: 60
definition:
  name: invite
  criteria:
    - {id: invited, event: "Invited Member", at_least: 1}
"""


def write_project(root: Path, targets: str = "", destinations: str = "") -> Path:
    """Write and ingest the project; return its directory."""
    accounts = ["account_id,created_at,plan"]
    users = ["user_id,account_id,email,signed_up_at"]
    events = []
    conversions = ["entity_id,converted_at,amount,mrr"]
    for month in range(12):
        for k in range(SIGNUPS):
            account = f"a{month:02d}-{k:03d}"
            day = 1 + k % 25
            signed = f"2025-{month + 1:02d}-{day:02d}"
            accounts.append(f"{account},{signed}T00:00:00Z,{'pro' if k % 2 else 'free'}")
            users.append(f"u{account},{account},{account}@corp.example,{signed}T00:00:00Z")
            if k < PQLS[month]:
                events.append(
                    {
                        "event_id": f"e{account}",
                        "user_id": f"u{account}",
                        "event": "Invited Member",
                        "ts": f"2025-{month + 1:02d}-{day + 1:02d}T00:00:00Z",
                    }
                )
            if k < PAID[month]:
                mrr = 50 if k % 2 == 0 else 70
                # converted 5 days after qualifying
                when = f"2025-{month + 1:02d}-{day + 6:02d}T00:00:00Z"
                conversions.append(f"{account},{when},{mrr},{mrr}")
    (root / "pql.yaml").write_text(PROJECT + targets + destinations)
    (root / "accounts.csv").write_text("\n".join(accounts) + "\n")
    (root / "users.csv").write_text("\n".join(users) + "\n")
    (root / "events.jsonl").write_text("\n".join(json.dumps(e) for e in events) + "\n")
    (root / "conversions.csv").write_text("\n".join(conversions) + "\n")
    done = pql(
        "ingest", "--accounts", "accounts.csv", "--users", "users.csv", "--events",
        "events.jsonl", "--conversions", "conversions.csv", cwd=root,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return root
