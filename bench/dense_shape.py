"""A second data shape for bench/bench_peers.py: accounts active on many days.

    .venv/bin/python bench/dense_shape.py --dir bench/out/dense-50m
    .venv/bin/python bench/dense_shape.py --dir bench/out/peers-check-dense --accounts 5000 \\
        --events 1000000

Writes the layout `pql demo` writes (data/accounts.parquet, data/users.parquet,
data/events/part-*.parquet with the canonical columns, pql.yaml from
bench/peers/shapes.py's DENSE) and ingests it into the project's store the way `pql demo`
does. Unlike the demo (about 1 row of the event_days registry per 7 events), every account
has several users and is active on tens of the ~90 days after its signup, with several users
a day and few events per user and day: about 3 registry rows per 5 events.

Per account (numpy, seeded, one chunk of accounts in memory at a time):
- 1 + Poisson(3) users (at most 12); signup uniform over SIGNUP_FIRST..SIGNUP_LAST;
- active days: the signup day plus distinct days among the next ACTIVE_SPAN_DAYS - 1 (before
  AS_OF), as many as a lognormal engagement times a base scaled so the expected number of
  events meets --events;
- each active day, every user is active with probability USER_DAY_P (at least one is); a
  user-day has 1 + Poisson(EXTRA_EVENTS) events at uniform times of the day (after signup;
  --early-share of the accounts, default 2%, also have events up to two hours before it on
  the signup day: the engine's active-day registry cannot settle those days alone);
- events named from a fixed mix; the optional features (the criteria's events among them)
  occur only in accounts that adopted them, so about half of the accounts meet 3 of 5;
- a conversion ("Subscription Started") for a share growing with the adopted criteria, on
  one of the account's active days; activity goes on after it;
- firmographics: a quarter on free-mail domains, some unknown domains and sizes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.peers.common import AS_OF  # noqa: E402
from bench.peers.shapes import DENSE, FREE_DOMAINS  # noqa: E402

from pqlengine.demo.columns import JSON_TYPE, _as_json, _decode, _prefixed  # noqa: E402

DAY_US = 86_400_000_000
EPOCH = datetime(1970, 1, 1)
SIGNUP_FIRST = datetime(2026, 4, 1)
SIGNUP_LAST = datetime(2026, 10, 15)
ACTIVE_SPAN_DAYS = 90
USER_DAY_P = 0.55
EXTRA_EVENTS = 0.667  # a user-day has 1 + Poisson(EXTRA_EVENTS) events
EARLY_SHARE = 0.02  # default of --early-share
CHUNK_ACCOUNTS = 25_000
MAX_USERS = 12

# Event mix: (name, weight, share of accounts that use it; 1.0: every account).
EVENTS = (
    ("Page Viewed", 0.40, 1.0),
    ("Searched", 0.10, 1.0),
    ("Opened Dashboard", 0.10, 1.0),
    ("Updated Settings", 0.04, 1.0),
    ("Commented", 0.12, 0.6),
    ("Created Project", 0.06, 0.7),
    ("Exported Report", 0.06, 0.5),
    ("Invited Teammate", 0.015, 0.5),
    ("Connected Integration", 0.01, 0.35),
    ("Uploaded File", 0.05, 0.5),
)
EVENT_NAMES = [name for name, _, _ in EVENTS] + [DENSE.conversion_event]
CRITERION_CODES = [EVENT_NAMES.index(c.event) for c in DENSE.criteria]
# properties: code 0 is none; paths of Page Viewed, formats of Exported Report.
PATHS = ["/home", "/projects", "/reports", "/settings", "/inbox"]
FORMATS = [("csv", 0.4), ("pdf", 0.4), ("xlsx", 0.2)]
PROPERTY_TEXTS = [""] + [json.dumps({"path": p}) for p in PATHS]
PROPERTY_TEXTS += [json.dumps({"format": f}) for f, _ in FORMATS]
PLANS = ["free", "trial", "team"]

EVENTS_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("user_id", pa.string()),
        ("account_id", pa.string()),
        ("event", pa.string()),
        ("ts", pa.timestamp("us")),
        ("properties", JSON_TYPE),
    ]
)


@dataclass
class Accounts:
    """Per-account parameters of the whole data set (small: a few arrays of n)."""

    signup_us: np.ndarray  # int64 microseconds since the epoch
    users: np.ndarray  # number of users
    engagement: np.ndarray
    adopted: np.ndarray  # bool (n, len(EVENTS))
    available_days: np.ndarray  # days from the signup day on before AS_OF, at most the span
    active_days: np.ndarray  # how many of them are active (>= 1)
    converts: np.ndarray  # bool
    first_user: np.ndarray  # global number of each account's first user (0-based)

    def __len__(self) -> int:
        return len(self.signup_us)


def _micros(moment: datetime) -> int:
    """Microseconds since the epoch of a naive UTC datetime."""
    return int((moment - EPOCH).total_seconds()) * 1_000_000 + moment.microsecond


def simulate_accounts(rng: np.random.Generator, n: int, target_events: int) -> Accounts:
    """Draw every account's parameters; scale active days to meet `target_events`."""
    first, last, end = _micros(SIGNUP_FIRST), _micros(SIGNUP_LAST), _micros(AS_OF)
    signup = np.sort(rng.integers(first, last, n))
    users = np.minimum(1 + rng.poisson(3.0, n), MAX_USERS)
    engagement = rng.lognormal(0.0, 0.5, n)
    shares = np.array([share for _, _, share in EVENTS])
    adopted = rng.random((n, len(EVENTS))) < shares
    signup_day = signup // DAY_US
    available = np.minimum(ACTIVE_SPAN_DAYS, (end - 1) // DAY_US - signup_day + 1)
    # Expected events of an active day: users active (at least one) times events per user-day.
    per_day = (users * USER_DAY_P + (1 - USER_DAY_P) ** users) * (1 + EXTRA_EVENTS)

    def days(base: float) -> np.ndarray:
        return np.clip(np.rint(base * engagement), 1, available).astype(np.int64)

    low, high = 0.0, float(ACTIVE_SPAN_DAYS * 4)
    for _ in range(60):  # bisection on the base number of active days
        middle = (low + high) / 2
        if float((days(middle) * per_day).sum()) < target_events:
            low = middle
        else:
            high = middle
    active = days(high)
    adopted_criteria = adopted[:, [EVENT_NAMES.index(c.event) for c in DENSE.criteria]].sum(1)
    converts = rng.random(n) < 0.03 + 0.04 * adopted_criteria
    first_user = np.concatenate([[0], np.cumsum(users)[:-1]])
    return Accounts(signup, users, engagement, adopted, available, active, converts, first_user)


def _chunk_events(
    rng: np.random.Generator, acc: Accounts, start: int, stop: int, early_share: float
) -> dict[str, np.ndarray]:
    """The events of accounts start..stop-1 as arrays: account, user (global numbers),
    code (index into EVENT_NAMES), property code, ts (microseconds)."""
    index = np.arange(start, stop)
    n_days = acc.active_days[index]
    # Active days: day 0 (signup) plus n_days - 1 distinct days of 1..available-1, chosen by
    # sorting random keys (days beyond an account's available ones sort last).
    keys = rng.random((len(index), ACTIVE_SPAN_DAYS - 1))
    offsets = np.arange(1, ACTIVE_SPAN_DAYS)
    keys[offsets[None, :] >= acc.available_days[index][:, None]] = 2.0
    order = np.argsort(keys, axis=1) + 1
    take = np.arange(ACTIVE_SPAN_DAYS - 1)[None, :] < (n_days - 1)[:, None]
    day_account = np.concatenate([index, np.repeat(index, n_days - 1)])
    day_offset = np.concatenate([np.zeros(len(index), np.int64), order[take]])
    # User-days: every user of the account, active with USER_DAY_P, one forced if none.
    users = acc.users[day_account]
    row_day = np.repeat(np.arange(len(day_account)), users)
    row_start = np.concatenate([[0], np.cumsum(users)[:-1]])
    row_user = np.arange(len(row_day)) - row_start[row_day]
    on = rng.random(len(row_day)) < USER_DAY_P
    nobody = np.add.reduceat(on, row_start) == 0
    forced = row_start[nobody] + rng.integers(0, users[nobody])
    on[forced] = True
    ud_day = row_day[on]
    ud_user = acc.first_user[day_account[ud_day]] + row_user[on]
    # Events of each user-day, at uniform times of its day (day 0: after the signup, or up
    # to two hours before it for `early_share` of the accounts).
    per = 1 + rng.poisson(EXTRA_EVENTS, len(ud_day))
    ev_day = np.repeat(ud_day, per)
    account = day_account[ev_day]
    signup = acc.signup_us[account]
    day_start = (signup // DAY_US + day_offset[ev_day]) * DAY_US
    early = (rng.random(len(index)) < early_share)[account - start]
    lower = np.where(
        day_offset[ev_day] == 0,
        np.maximum(day_start, signup - np.where(early, 2 * 3600 * 1_000_000, 0)),
        day_start,
    )
    ts = lower + (rng.random(len(ev_day)) * (day_start + DAY_US - lower)).astype(np.int64)
    code = _event_codes(rng, acc.adopted[index], account - start)
    conversion = _conversions(rng, acc, index, day_account, day_offset)
    return {
        "account": np.concatenate([account, conversion["account"]]),
        "user": np.concatenate([np.repeat(ud_user, per), conversion["user"]]),
        "code": np.concatenate([code, conversion["code"]]),
        "property": np.concatenate([_properties(rng, code), conversion["property"]]),
        "ts": np.concatenate([ts, conversion["ts"]]),
    }


def _event_codes(rng: np.random.Generator, adopted: np.ndarray, row: np.ndarray) -> np.ndarray:
    """An event name per event, from the mix restricted to the features its account adopted
    (`adopted`: the chunk's accounts; `row`: each event's account in it). One search in the
    accounts' cumulative mixes laid end to end (account k's in k..k+1): memory per event,
    not per event and name."""
    weights = adopted * np.array([w for _, w, _ in EVENTS])
    cumulative = np.cumsum(weights, axis=1)
    cumulative /= cumulative[:, -1:]
    flat = (np.arange(len(adopted))[:, None] + cumulative).ravel()
    position = np.searchsorted(flat, row + rng.random(len(row)), side="right")
    return position - row * len(EVENTS)


def _properties(rng: np.random.Generator, code: np.ndarray) -> np.ndarray:
    """Property code per event: a path for Page Viewed, a format for Exported Report."""
    prop = np.zeros(len(code), np.int64)
    viewed = code == EVENT_NAMES.index("Page Viewed")
    prop[viewed] = 1 + rng.integers(0, len(PATHS), int(viewed.sum()))
    exported = code == EVENT_NAMES.index("Exported Report")
    chosen = rng.choice(len(FORMATS), int(exported.sum()), p=[p for _, p in FORMATS])
    prop[exported] = 1 + len(PATHS) + chosen
    return prop


def _conversions(
    rng: np.random.Generator,
    acc: Accounts,
    index: np.ndarray,
    day_account: np.ndarray,
    day_offset: np.ndarray,
) -> dict[str, np.ndarray]:
    """One conversion event per converting account, on a random one of its active days,
    by its first user, after the signup."""
    converting = index[acc.converts[index]]
    # day_account lists each account's day 0 first (in index order), then its other days.
    other_start = len(index) + np.concatenate([[0], np.cumsum(acc.active_days[index] - 1)])
    pick = rng.integers(0, acc.active_days[converting])
    position = np.where(
        pick == 0, converting - index[0], other_start[converting - index[0]] + pick - 1
    )
    assert (day_account[position] == converting).all()
    signup = acc.signup_us[converting]
    day_start = (signup // DAY_US + day_offset[position]) * DAY_US
    lower = np.maximum(day_start, signup)
    ts = lower + (rng.random(len(converting)) * (day_start + DAY_US - lower)).astype(np.int64)
    return {
        "account": converting,
        "user": acc.first_user[converting],
        "code": np.full(len(converting), len(EVENTS)),
        "property": np.zeros(len(converting), np.int64),
        "ts": ts,
    }


def events_table(arrays: dict[str, np.ndarray], first_event: int) -> pa.Table:
    """The canonical events columns, in time order, with ids from `first_event` + 1."""
    order = np.argsort(arrays["ts"], kind="stable")
    a = {k: v[order] for k, v in arrays.items()}
    return pa.table(
        {
            "event_id": _prefixed("evt_", first_event + 1 + np.arange(len(order)), 11),
            "user_id": _prefixed("user_", a["user"] + 1, 8),
            "account_id": _prefixed("acct_", a["account"] + 1, 7),
            "event": _decode(a["code"], pa.array(EVENT_NAMES)),
            "ts": pa.array(a["ts"], type=pa.timestamp("us")),
            "properties": _as_json(
                _decode(a["property"], pa.array(PROPERTY_TEXTS), null=a["property"] == 0)
            ),
        },
        schema=EVENTS_SCHEMA,
    )


def accounts_table(rng: np.random.Generator, acc: Accounts) -> pa.Table:
    """accounts.parquet: a quarter on free-mail domains (some spelled in capitals), 3%
    without a domain, 8% without a size; sizes lognormal around 10."""
    n = len(acc)
    number = np.arange(1, n + 1)
    company = _prefixed("co-", number, 7).to_pylist()
    free_pick = rng.integers(0, len(FREE_DOMAINS), n)
    kind = rng.random(n)
    domains: list[str | None] = [
        None
        if k < 0.03
        else (FREE_DOMAINS[f].upper() if k < 0.05 else FREE_DOMAINS[f])
        if k < 0.28
        else f"{c}.com"
        for k, f, c in zip(kind, free_pick, company, strict=True)
    ]
    employees = np.floor(rng.lognormal(2.3, 1.2, n)).astype(np.int64) + 1
    unknown_size = rng.random(n) < 0.08
    return pa.table(
        {
            "account_id": _prefixed("acct_", number, 7),
            "name": pa.array([f"Company {i}" for i in number]),
            "domain": pa.array(domains, pa.string()),
            "employees": pa.array(employees, mask=unknown_size),
            "plan": _decode(rng.integers(0, len(PLANS), n), pa.array(PLANS)),
            "created_at": pa.array(acc.signup_us, type=pa.timestamp("us")),
            "traits": _as_json(pa.array(['{"region": "eu"}'] * n)),
        }
    )


def users_table(acc: Accounts) -> pa.Table:
    """users.parquet: every account's users, signed up with the account."""
    account = np.repeat(np.arange(len(acc)), acc.users)
    number = np.arange(len(account)) + 1
    return pa.table(
        {
            "user_id": _prefixed("user_", number, 8),
            "account_id": _prefixed("acct_", account + 1, 7),
            "email": _prefixed("user", number, 8),
            "signed_up_at": pa.array(acc.signup_us[account], type=pa.timestamp("us")),
            "traits": _as_json(pa.array(['{"role": "member"}'] * len(account))),
        }
    )


def generate(
    out_dir: Path,
    n_accounts: int,
    target_events: int,
    seed: int,
    early_share: float = EARLY_SHARE,
) -> dict[str, int]:
    """Write data/ and pql.yaml under `out_dir`; return the counts written."""
    data = out_dir / "data"
    if data.exists():
        shutil.rmtree(data)
    (data / "events").mkdir(parents=True)
    acc = simulate_accounts(np.random.default_rng([seed, 0]), n_accounts, target_events)
    pq.write_table(accounts_table(np.random.default_rng([seed, 1]), acc), data / "accounts.parquet")
    users = users_table(acc)
    pq.write_table(users, data / "users.parquet", compression="zstd")
    events = 0
    for number, start in enumerate(range(0, n_accounts, CHUNK_ACCOUNTS)):
        stop = min(start + CHUNK_ACCOUNTS, n_accounts)
        rng = np.random.default_rng([seed, 2, number])
        table = events_table(_chunk_events(rng, acc, start, stop, early_share), events)
        pq.write_table(table, data / "events" / f"part-{number:05d}.parquet", compression="zstd")
        events += table.num_rows
        del table
        print(f"  accounts {stop:,}/{n_accounts:,}, events {events:,}", flush=True)
    (out_dir / "pql.yaml").write_text(DENSE.pql_yaml())
    return {"accounts": n_accounts, "users": users.num_rows, "events": events}


def ingest(out_dir: Path) -> dict[str, int]:
    """Ingest the data into the project's fresh store, as `pql demo` does; registry rows."""
    from pqlengine.config import load_project
    from pqlengine.ingest import ingest_file
    from pqlengine.store import Store

    project = load_project(out_dir / "pql.yaml")
    store_file = Path(project.store_path)
    for stale in (store_file, store_file.with_name(store_file.name + ".wal")):
        stale.unlink(missing_ok=True)
    store = Store.for_project(project)
    try:
        ingest_file(store, "accounts", out_dir / "data" / "accounts.parquet")
        ingest_file(store, "users", out_dir / "data" / "users.parquet")
        for part in sorted((out_dir / "data" / "events").glob("*.parquet")):
            ingest_file(store, "events", part)
        counts = {
            table: int(store.raw.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in ("events", "event_days", "event_firsts")
        }
    finally:
        store.close()
    return counts


def main() -> int:
    """Generate the dense-activity project and ingest it."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--dir", type=Path, default=REPO / "bench" / "out" / "dense-50m")
    parser.add_argument("--accounts", type=int, default=250_000)
    parser.add_argument("--events", type=int, default=50_000_000, help="target event count")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--early-share",
        type=float,
        default=EARLY_SHARE,
        help="share of accounts with events up to 2 h before signup on the signup day",
    )
    parser.add_argument("--no-ingest", action="store_true", help="files and pql.yaml only")
    args = parser.parse_args()
    if args.accounts < 1 or args.events < args.accounts:
        raise SystemExit("--accounts must be >= 1 and --events at least --accounts")
    started = time.perf_counter()
    written = generate(args.dir, args.accounts, args.events, args.seed, args.early_share)
    generated = time.perf_counter()
    print(f"generated {written} in {generated - started:.1f} s", flush=True)
    if not args.no_ingest:
        counts = ingest(args.dir)
        rows = counts["event_days"] / counts["events"]
        print(
            f"ingested in {time.perf_counter() - generated:.1f} s: {counts}; "
            f"event_days rows per event {rows:.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
