"""The README's recipes (section "Recipes"), each run on hand-made events with the
expected qualification worked out by hand in the comments."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from pqlengine.compute.qualify import qualify_entities
from pqlengine.config import Project
from pqlengine.ingest import ingest_records
from pqlengine.store import Store

README = Path(__file__).resolve().parents[1] / "README.md"
START = datetime(2026, 3, 2)  # a Monday
AS_OF = START + timedelta(days=60)


def recipes() -> dict[str, dict[str, Any]]:
    """Recipe letter -> its YAML block in the README."""
    found = {}
    for block in re.findall(r"```yaml\n(# recipe: (\w)\n.*?)```", README.read_text(), re.S):
        text, letter = block
        found[letter] = yaml.safe_load(text)
    return found


def at(day: int, hour: float = 9.0) -> datetime:
    """Day `day` (0 = signup day) at `hour` o'clock."""
    return START + timedelta(days=day, hours=hour)


class Log:
    """Hand-made events of a few accounts (each user belongs to one account)."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.accounts: dict[str, dict[str, Any]] = {}

    def account(self, account_id: str, **columns: Any) -> None:
        traits = columns.pop("traits", {})
        self.accounts[account_id] = {
            "account_id": account_id,
            "created_at": START,
            "domain": f"{account_id}.com",
            "employees": 100,
            "plan": "pro",
            **columns,
            "traits": traits,
        }

    def add(
        self, account_id: str, name: str, when: datetime, user: str = "u1", **props: Any
    ) -> None:
        if account_id not in self.accounts:
            self.account(account_id)
        self.events.append(
            {
                "event_id": f"e{len(self.events)}",
                "user_id": f"{account_id}-{user}",
                "account_id": account_id,
                "event": name,
                "ts": when,
                "properties": props,
            }
        )

    def many(self, account_id: str, name: str, count: int, first: datetime, **props: Any) -> None:
        for index in range(count):
            self.add(account_id, name, first + timedelta(minutes=index), **props)


def _qualify(recipe: str, log: Log, as_of: datetime) -> list[dict[str, Any]]:
    """The recipe's qualification records of the accounts of `log` at `as_of`."""
    config: dict[str, Any] = {
        "project": f"recipe-{recipe}",
        "signup": {"source": "accounts"},
        "conversion": {"source": "conversions"},
        **recipes()[recipe],
    }
    store = Store.open(":memory:")
    try:
        ingest_records(store, "accounts", list(log.accounts.values()))
        ingest_records(store, "events", log.events)
        return qualify_entities(store, Project.from_dict(config), as_of)
    finally:
        store.close()


def qualified(recipe: str, log: Log) -> dict[str, datetime | None]:
    return {row["entity_id"]: _naive(row["qualified_at"]) for row in _qualify(recipe, log, AS_OF)}


def test_every_recipe_is_in_the_readme_and_valid() -> None:
    found = recipes()
    assert sorted(found) == list("abcdefghijkl")
    for letter, block in found.items():
        Project.from_dict({"project": "p", **block})  # raises on any problem
        assert "definition" in block, letter


def test_a_activation_checklist_at_40_percent() -> None:
    log = Log()
    # yes: created (day 0), invited (day 1), the 2nd document (day 3): 3 of 7 on day 3.
    log.add("yes", "Account Created", at(0))
    log.add("yes", "Invited Member", at(1))
    log.add("yes", "Created Document", at(2))
    log.add("yes", "Created Document", at(3))
    # no: created + invited + 2 of 3 assets + 1 doc: only 2 of 7 met.
    log.add("no", "Account Created", at(0))
    log.add("no", "Invited Member", at(1))
    log.many("no", "Uploaded Asset", 2, at(2))
    log.add("no", "Created Document", at(2))
    got = qualified("a", log)
    assert got == {"yes": at(3), "no": None}


def test_b_invite_and_connect() -> None:
    log = Log()
    log.add("both", "Connected Data Source", at(0))
    log.add("both", "Invited Member", at(4))  # all met at day 4
    log.add("one", "Invited Member", at(1))
    log.add("one", "Invited Member", at(2))
    assert qualified("b", log) == {"both": at(4), "one": None}


def test_c_three_consecutive_days() -> None:
    log = Log()
    # days 0, 1, (gap), 3, 4, 5 at 9:00 and 8:00 on day 5: the run 3-4-5 ends on day 5,
    # at its first event (8:00).
    for day in (0, 1, 3, 4):
        log.add("streak", "Logged In", at(day))
    log.add("streak", "Edited", at(5, 10))
    log.add("streak", "Logged In", at(5, 8))
    # days 0, 1, 3, 4 only: never 3 in a row.
    for day in (0, 1, 3, 4):
        log.add("gappy", "Logged In", at(day))
    assert qualified("c", log) == {"streak": at(5, 8), "gappy": None}


def episodes(recipe: str, log: Log, as_of: datetime) -> dict[str, Any]:
    """entity -> (status, episodes as naive [start, end or None]) at `as_of`."""
    return {
        row["entity_id"]: (row["status"], [[_naive(a), _naive(b)] for a, b in row["episodes"]])
        for row in _qualify(recipe, log, as_of)
    }


def _naive(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=None)


def test_d_regular_and_recent() -> None:
    log = Log()
    # steady: days 0, 2, 4 at 9:00 -> 3 days in the window from day 4 9:00. Then nothing:
    # day 0 leaves the window at day 7 9:00 (W = 2), before the expiry (day 8 9:00, 4 days
    # after the last event): it lapses at day 7 9:00 through the window.
    for day in (0, 2, 4):
        log.add("steady", "Logged In", at(day))
    # back: days 0, 1, 2 -> PQL at day 2 9:00; last event day 2 -> expires day 6 9:00 (the
    # window would hold until day 7 9:00). Back on days 20, 21, 22: re-qualified day 22.
    for day in (0, 1, 2, 20, 21, 22):
        log.add("back", "Logged In", at(day))
    # spread: days 0, 5, 10: never 3 of the last 7 days.
    for day in (0, 5, 10):
        log.add("spread", "Logged In", at(day))
    got = episodes("d", log, at(25))
    assert got == {
        "steady": ("lapsed", [[at(4), at(7)]]),
        "back": ("pql", [[at(2), at(6)], [at(22), None]]),
        "spread": ("not_qualified", []),
    }
    # Before day 7 9:00 steady is still open; at exactly day 7 9:00 it has lapsed.
    assert episodes("d", log, at(7) - timedelta(microseconds=1))["steady"][0] == "pql"
    assert episodes("d", log, at(7))["steady"] == ("lapsed", [[at(4), at(7)]])


def test_e_usage_limit_approaching() -> None:
    log = Log()
    log.add("high", "Usage Reported", at(1), usage_pct=79.5)
    log.add("high", "Usage Reported", at(2), usage_pct=80)  # 80 >= 80
    log.add("text", "Usage Reported", at(3), usage_pct="85")  # a string spelling 85
    log.add("low", "Usage Reported", at(1), usage_pct=79)
    log.add("low", "Usage Reported", at(2), usage_pct="high")  # not a number: no match
    log.add("low", "Usage Reported", at(3))  # missing: no match
    assert qualified("e", log) == {"high": at(2), "text": at(3), "low": None}


def test_f_team_adoption() -> None:
    log = Log()
    # 2,000 messages by u1 from day 1 (one a minute), users u1, u2 (day 2), u3 (day 5),
    # an integration on day 3: all met when u3 arrives on day 5.
    log.many("team", "Message Sent", 2000, at(1))
    log.add("team", "Logged In", at(2), user="u2")
    log.add("team", "Integration Added", at(3))
    log.add("team", "Logged In", at(5), user="u3")
    # 1,999 messages: one short.
    log.many("short", "Message Sent", 1999, at(1))
    log.add("short", "Logged In", at(2), user="u2")
    log.add("short", "Logged In", at(2), user="u3")
    log.add("short", "Integration Added", at(3))
    assert qualified("f", log) == {"team": at(5), "short": None}


def test_g_storage_habit() -> None:
    log = Log()
    # bytes: 400 MB (day 1) + "600000000" (day 2) = 1 GB exactly on day 2; shares: 5 on
    # day 3; devices: mac (day 0), ipad (day 4) -> all at day 4.
    log.add("yes", "File Uploaded", at(1), bytes=400_000_000)
    log.add("yes", "File Uploaded", at(2), bytes="600000000")
    log.many("yes", "File Shared", 5, at(3))
    log.add("yes", "Logged In", at(0), device_id="mac")
    log.add("yes", "Logged In", at(4), device_id="ipad")
    # 999,999,999 bytes ("unknown" counts 0); the same device twice.
    log.add("no", "File Uploaded", at(1), bytes=999_999_999)
    log.add("no", "File Uploaded", at(1), bytes="unknown")
    log.many("no", "File Shared", 5, at(3))
    log.add("no", "Logged In", at(0), device_id="mac")
    log.add("no", "Logged In", at(4), device_id="mac")
    got = qualified("g", log)
    assert got == {"yes": at(4), "no": None}


def test_h_binge_household() -> None:
    log = Log()
    # 5 titles of 100 minutes by u1 on days 1-5, a 6th by u2 on day 6 (600 minutes, 2
    # profiles): all met on day 6.
    for day in range(1, 6):
        log.add("home", "Video Watched", at(day), minutes=100, title_id=f"t{day}")
    log.add("home", "Video Watched", at(6), user="u2", minutes=100, title_id="t1")
    # 600 minutes of one title by two profiles: titles never reach 5.
    for day in range(1, 7):
        log.add("rewatch", "Video Watched", at(day), user=f"u{day % 2}", minutes=100, title_id="t1")
    assert qualified("h", log) == {"home": at(6), "rewatch": None}


def test_i_workflow_in_order_within_a_day() -> None:
    log = Log()
    # first project day 1 9:00, invite day 1 12:00, task day 2 8:59 (< 24 h): done day 2 8:59.
    log.add("quick", "Created Project", at(1, 9))
    log.add("quick", "Invited Member", at(1, 12))
    log.add("quick", "Created Task", at(2, 8.99))
    # task exactly 24 h after the project: outside the half-open bound; out of order otherwise.
    log.add("slow", "Created Project", at(1, 9))
    log.add("slow", "Invited Member", at(1, 12))
    log.add("slow", "Created Task", at(2, 9))
    log.add("slow", "Created Task", at(3, 8))
    log.add("slow", "Created Project", at(3, 9))
    log.add("slow", "Invited Member", at(3, 10))
    assert qualified("i", log) == {"quick": at(2, 8.99), "slow": None}


def test_j_engagement_score() -> None:
    log = Log()
    # logins: 15 (capped at 10) from day 1; features: 8 x 3 = 24 (capped at 30) on day 2;
    # milestones: 10 + 24 + 5 = 39 after the first milestone on day 3, 44 after the
    # second on day 4 -> qualified at the second milestone.
    log.many("engaged", "Logged In", 15, at(1))
    log.many("engaged", "Used Key Feature", 8, at(2))
    log.add("engaged", "Reached Milestone", at(3))
    log.add("engaged", "Reached Milestone", at(4))
    # 40 logins alone reach only the cap of 10.
    log.many("lurker", "Logged In", 40, at(1))
    assert qualified("j", log) == {"engaged": at(4), "lurker": None}


def test_k_sales_readiness() -> None:
    log = Log()
    for index, day in enumerate((1, 2, 3)):
        log.add("ready", "Logged In", at(day), user=f"u{index}")
        log.add("small", "Logged In", at(day), user=f"u{index}")
        log.add("gmail", "Logged In", at(day), user=f"u{index}")
    log.accounts["small"]["employees"] = 49
    log.accounts["gmail"]["domain"] = "gmail.com"
    assert qualified("k", log) == {"ready": at(3), "small": None, "gmail": None}


def test_l_plan_country_and_deal_size() -> None:
    log = Log()
    log.account("de", plan="team", traits={"country": "DE"})
    log.account("us", plan="pro", traits={"country": "US"})
    log.account("free", plan="free", traits={"country": "FR"})
    for account in ("de", "us", "free"):
        log.add(account, "Cart Updated", at(1), amount=100)  # not > 100
        log.add(account, "Cart Updated", at(2), amount=100.5)
    assert qualified("l", log) == {"de": at(2), "us": None, "free": None}
