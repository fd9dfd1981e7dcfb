"""A demo product served by a real `pql serve`, with a second definition version stored and
one account made to qualify just now over the Segment API (a 'reach out within 24 h' lead).

Shared by the browser tests and scripts/dashboard_screenshots.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from pqlengine.config import load_project, semantic_json
from pqlengine.demo import write_demo
from pqlengine.store import Store
from tests.live.harness import LiveServer

LIVE_ACCOUNT = "acct_live_demo"
LIVE_USER = "user_live_demo"


def chromium() -> str | None:
    """The Debian `chromium` executable (Playwright's own download is not used)."""
    return shutil.which("chromium")


def make_demo(directory: Path, accounts: int) -> Path:
    """The demo project with a stricter variant definition recorded as an older version."""
    write_demo(directory, accounts, seed=7)
    project = load_project(directory)
    data = yaml.safe_load((directory / "pql.yaml").read_text(encoding="utf-8"))
    data["definition"]["qualify"] = {"fraction": 0.6}  # 4 of 6 criteria instead of 3
    variant_dir = directory / "variant"
    variant_dir.mkdir()
    (variant_dir / "pql.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    variant = load_project(variant_dir)
    store = Store.for_project(project)
    try:
        store.record_definition(variant.version, variant.definition.name, semantic_json(variant))
    finally:
        store.close()
    return directory


def write_report(
    directory: Path, out: Path, png: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    """`pql report` on the project (the store must not be served at the same time)."""
    command = [sys.executable, "-m", "pqlengine", "report", "-C", str(directory)]
    command += ["--out", str(out), "--png", str(png), *extra]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def qualify_one_account_now(server: LiveServer) -> None:
    """A new account that signed up yesterday and meets every criterion a minute ago."""
    now = datetime.now(UTC)
    yesterday = (now - timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)

    def at(moment: datetime) -> str:
        return moment.isoformat().replace("+00:00", "Z")

    def track(event: str, moment: datetime, number: int, **properties: Any) -> dict[str, Any]:
        return {
            "type": "track",
            "messageId": f"live-demo-{number}",
            "userId": LIVE_USER,
            "event": event,
            "properties": properties,
            "context": {"groupId": LIVE_ACCOUNT},
            "timestamp": at(moment),
        }

    recent = now - timedelta(minutes=1)
    batch = [
        {
            "type": "identify",
            "messageId": "live-demo-identify",
            "userId": LIVE_USER,
            "traits": {"email": "ada@lovelace-analytics.com", "createdAt": at(yesterday)},
            "context": {"groupId": LIVE_ACCOUNT},
            "timestamp": at(yesterday),
        },
        {
            "type": "group",
            "messageId": "live-demo-group",
            "userId": LIVE_USER,
            "groupId": LIVE_ACCOUNT,
            "traits": {
                "name": "Lovelace Analytics",
                "website": "https://lovelace-analytics.com",
                "employees": 240,
                "plan": "trial",
                "createdAt": at(yesterday),
            },
            "timestamp": at(yesterday),
        },
        track("Added Task", yesterday + timedelta(hours=1), 1, source="web"),
        track("Added Task", yesterday + timedelta(hours=2), 2, source="web"),
        track("Uploaded Asset", yesterday + timedelta(hours=3), 3, kind="image"),
        track("Uploaded Asset", yesterday + timedelta(hours=4), 4, kind="image"),
        track("Shared Document", yesterday + timedelta(hours=5), 5, channel="link"),
        # The last criteria a minute ago: every criterion met, so it leads the queue.
        track("Invited Member", recent, 6, role="editor"),
        track("Created Document", recent, 7, template="blank"),
        track("Created Document", recent, 8, template="blank"),
        track("Created Calendar", recent, 9),
        track("Uploaded Asset", recent, 10, kind="image"),
        track("Added Task", recent, 11, source="web"),
    ]
    response = server.post("/v1/batch", {"batch": batch})
    assert response.status_code == 200, response.text
    server.settled()
