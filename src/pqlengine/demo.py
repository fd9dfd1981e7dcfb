"""Synthetic product-led SaaS ("Taskly") with a known ground truth, written as Parquet files.

Every account has a latent engagement level that drives the rate of all its events, so every
behaviour is correlated with conversion. Only three behaviours in the first 14 days after signup
(inviting a member, sharing a document, connecting an integration) and the firmographic fit
change the conversion probability; `ground_truth()` and `ground_truth.json` say by how much.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

DEFAULT_END = datetime(2026, 11, 1)
CHUNK_ACCOUNTS = 50_000  # accounts simulated and written per events part file
US_PER_DAY = 86_400_000_000
EPOCH = datetime(1970, 1, 1)

SIGNUP_WINDOW_DAYS = 243  # about 8 months of signups before `end`
SIGNUP_GROWTH = 2.5  # daily signups at the end of the window / at its start
WEEKEND_SIGNUP_WEIGHT = 0.55
WEEKEND_SESSION_KEEP = 0.6
TREATMENT_DAYS = 14.0  # causal behaviours count when done in the first 14 days
MAX_USERS = 20
MAX_CONVERSION_DAY = 89.5
SESSION_MINUTES = 40.0
FREE_EMAIL_DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com")

# Latent engagement: z ~ N(0, 1); event rates scale with exp(ENGAGEMENT_SIGMA * z) (mean 1).
ENGAGEMENT_SIGMA = 0.7
SPIKE_SHARE = 0.02
FREE_EMAIL_SHARE = 0.30
EMPLOYEES_NULL_SHARE = 0.08
PLANS = ("free", "trial", "starter")
PLAN_WEIGHTS = (0.55, 0.35, 0.10)
PAID_PLANS = ("pro", "business")
PAID_PRICE_PER_SEAT = (12.0, 24.0)
COUNTRIES = ("US", "GB", "DE", "FR", "IN", "BR", "CA", "NL", "AU", "ES", "JP", "SE")
COUNTRY_WEIGHTS = (0.32, 0.10, 0.10, 0.07, 0.08, 0.06, 0.06, 0.05, 0.05, 0.04, 0.04, 0.03)
INDUSTRIES = (
    "software",
    "agency",
    "education",
    "nonprofit",
    "retail",
    "finance",
    "healthcare",
    "manufacturing",
)

# Conversion model: logit = BASE + ENGAGEMENT * z + sum(causal effects) + plan effect.
CONVERSION_BASE_LOG_ODDS = -3.4
ENGAGEMENT_LOG_ODDS = 0.8
PLAN_LOG_ODDS = {"free": 0.0, "trial": 0.3, "starter": 0.6}
FIT_LOG_ODDS = 0.6
FIT_MIN_EMPLOYEES = 5


@dataclass(frozen=True)
class CausalBehaviour:
    """A behaviour in the first 14 days that changes the conversion log-odds by `log_odds`."""

    key: str
    event: str
    log_odds: float
    propensity_base: float  # P(treated) = logistic(base + engagement * z + fit * fit)
    propensity_engagement: float
    propensity_fit: float
    extra_first_14d: float  # mean extra events in the first 14 days for treated accounts
    per_session_later: float  # mean events per session after day 14, for every account


CAUSAL = (
    CausalBehaviour("invited", "Invited Member", 0.9, -0.8, 0.8, 0.0, 0.7, 0.02),
    CausalBehaviour("shared", "Shared Document", 0.7, -0.9, 0.9, 0.0, 1.0, 0.06),
    CausalBehaviour("integration", "Connected Integration", 1.0, -1.7, 0.7, 0.5, 0.3, 0.008),
)


@dataclass(frozen=True)
class EventSpec:
    """One event type: its role in the ground truth and its (categorical) property."""

    name: str
    role: str
    per_session: float = 0.0  # Poisson mean per session (correlated and vanity events)
    engagement_power: float = 0.0  # per-session mean also scales with engagement ** power
    prop: str | None = None
    values: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()


EVENTS = (
    EventSpec("Account Created", "signup", prop="plan", values=PLANS),
    EventSpec("Invited Member", "causal", prop="role", values=("member", "admin"), weights=(0.8, 0.2)),
    EventSpec(
        "Shared Document",
        "causal",
        prop="channel",
        values=("link", "email", "slack"),
        weights=(0.5, 0.3, 0.2),
    ),
    EventSpec(
        "Connected Integration",
        "causal",
        prop="integration",
        values=("slack", "github", "google-drive", "jira", "zapier"),
        weights=(0.35, 0.2, 0.2, 0.15, 0.1),
    ),
    EventSpec(
        "Created Document",
        "correlated",
        0.32,
        0.3,
        prop="template",
        values=("blank", "meeting-notes", "roadmap", "spec"),
        weights=(0.5, 0.2, 0.15, 0.15),
    ),
    EventSpec(
        "Uploaded Asset",
        "correlated",
        0.2,
        0.3,
        prop="kind",
        values=("image", "pdf", "spreadsheet", "video"),
        weights=(0.5, 0.25, 0.15, 0.1),
    ),
    EventSpec(
        "Added Task",
        "correlated",
        0.9,
        0.3,
        prop="source",
        values=("web", "api", "mobile"),
        weights=(0.6, 0.15, 0.25),
    ),
    EventSpec("Created Calendar", "correlated", 0.035, 0.3),
    EventSpec(
        "Page Viewed",
        "vanity",
        3.0,
        0.2,
        prop="path",
        values=("/home", "/projects", "/docs", "/tasks", "/calendar", "/settings", "/pricing"),
        weights=(0.3, 0.2, 0.15, 0.15, 0.08, 0.07, 0.05),
    ),
    EventSpec("Logged In", "vanity", 0.5),
    EventSpec("Session Started", "vanity", 1.0),
    EventSpec("Changed Theme", "noise", prop="theme", values=("dark", "light"), weights=(0.7, 0.3)),
    EventSpec(
        "Viewed Help Article",
        "noise",
        prop="article",
        values=("getting-started", "keyboard-shortcuts", "billing", "integrations"),
        weights=(0.4, 0.25, 0.2, 0.15),
    ),
    EventSpec("Subscription Started", "conversion"),
)
EVENT_NAMES = tuple(spec.name for spec in EVENTS)
CODE = {name: code for code, name in enumerate(EVENT_NAMES)}
PER_SESSION_EVENTS = tuple(
    name for name, spec in zip(EVENT_NAMES, EVENTS, strict=True) if spec.per_session > 0
)
NOISE_PER_ACCOUNT = {"Changed Theme": 0.8, "Viewed Help Article": 1.2}  # Poisson means
NOISE_SPAN_DAYS = 150.0

# One-off spike accounts: a burst of many events on their signup day, then never again.
SPIKE_BURST = {
    "Session Started": (1, 3),
    "Logged In": (1, 1),
    "Page Viewed": (10, 40),
    "Created Document": (2, 5),
    "Uploaded Asset": (3, 8),
    "Added Task": (3, 10),
    "Created Calendar": (1, 2),
}

SESSIONS_MEAN = 11.0  # owner sessions after the signup session, times engagement
MEMBER_SESSIONS_MEAN = 5.0  # sessions of an invited member after joining, times engagement
SESSION_DECAY_DAYS = 28.0  # activity decays over time, slower for engaged accounts
SESSION_HORIZON_DAYS = 365.0
INVITE_ACCEPT_RATE = 0.6
JOIN_DELAY_DAYS = 0.5
CONVERSION_DELAY_SHAPE = 2.0
CONVERSION_DELAY_SCALE_DAYS = 6.0

COMPANY_WORDS = (
    "acme", "globex", "initech", "umbrella", "stark", "wayne", "hooli", "vandelay", "soylent",
    "tyrell", "cyberdyne", "wonka", "aperture", "oscorp", "massive", "dunder", "prestige",
    "gringotts", "monarch", "pied-piper", "nakatomi", "sirius", "wernham", "kwik",
)  # fmt: skip
FIRST_NAMES = (
    "anna", "ben", "carla", "david", "emma", "felix", "grace", "hugo", "ines", "jonas", "kara",
    "liam", "maya", "noah", "olga", "pablo", "quinn", "rosa", "sam", "tara", "umar", "vera",
    "wei", "yara", "zoe", "lukas", "priya", "kenji", "amara", "mateo",
)  # fmt: skip
LAST_NAMES = (
    "smith", "muller", "garcia", "rossi", "dubois", "kowalski", "silva", "tanaka", "patel",
    "nguyen", "johnson", "schmidt", "martin", "kim", "novak", "jansen", "larsen", "okafor",
    "costa", "fischer",
)  # fmt: skip

PQL_YAML = """\
# Taskly: a synthetic project-management SaaS generated by `pqlengine.demo` (see
# ground_truth.json for what really drives conversion in this data).
project: taskly

# Who qualifies: an account (a workspace; its users roll up through account_id).
entity: account

# Where ingested data and results live, relative to this file.
store: .pql/taskly.duckdb

# An account starts at accounts.created_at.
signup: {source: accounts}

# An account pays at its first "Subscription Started" event.
conversion: {event: "Subscription Started"}

# An account counts as a PQL of its signup cohort if it qualifies within 30 days.
observation_days: 30

# A conversion up to 90 days after qualifying counts as PQL-to-paid.
conversion_window_days: 90

definition:
  name: activation
  # Each criterion: `event` done `at_least` times after signup (and before converting),
  # optionally only in the first `within_days` days, optionally only events whose
  # properties match `where`.
  criteria:
    - {id: invited,  event: "Invited Member",   at_least: 1}
    - {id: docs,     event: "Created Document", at_least: 2}
    - {id: shared,   event: "Shared Document",  at_least: 1, within_days: 14}
    - {id: assets,   event: "Uploaded Asset",   at_least: 3}
    - {id: tasks,    event: "Added Task",       at_least: 3, where: {source: web}}
    - {id: calendar, event: "Created Calendar", at_least: 1}
  # Qualify when ceil(0.4 * 6) = 3 criteria are satisfied.
  qualify: {fraction: 0.4}
  # Active on at least 2 distinct UTC days: guards against one-off spikes.
  min_active_days: 2
  # Firmographic gate: no free-mail domains, at least 5 employees (unknown passes).
  fit:
    exclude_free_email_domains: true
    min_employees: 5
"""


@dataclass(frozen=True)
class DemoFiles:
    """Paths and row counts of a generated demo project."""

    out_dir: Path
    project_file: Path
    accounts_file: Path
    users_file: Path
    events_dir: Path
    event_files: tuple[Path, ...]
    ground_truth_file: Path
    truth_accounts_file: Path
    accounts: int
    users: int
    events: int
    conversions: int


def ground_truth() -> dict[str, Any]:
    """The static ground truth of the demo product: roles, effects and parameters."""
    behaviours: dict[str, Any] = {}
    for spec in EVENTS:
        behaviours[spec.name] = {"role": spec.role, "description": _ROLE_TEXT[spec.role]}
    for cause in CAUSAL:
        behaviours[cause.event].update(
            treatment=f"at least one '{cause.event}' within {TREATMENT_DAYS:g} days of signup",
            log_odds=cause.log_odds,
            propensity={
                "base": cause.propensity_base,
                "engagement": cause.propensity_engagement,
                "fit": cause.propensity_fit,
            },
        )
    return {
        "product": "Taskly, a synthetic project-management SaaS",
        "entity": "account",
        "conversion_event": "Subscription Started",
        "default_end": DEFAULT_END.isoformat() + "Z",
        "engagement": {
            "description": "latent z ~ N(0, 1) per account; every session-based event rate "
            f"scales with exp({ENGAGEMENT_SIGMA} * z), so all behaviours correlate with "
            "conversion; z is a confounder of every behaviour",
            "log_odds_per_sd": ENGAGEMENT_LOG_ODDS,
        },
        "conversion_model": {
            "formula": "P(convert) = logistic(base + engagement * z + plan + fit * fit_ok "
            "+ sum(log_odds of causal behaviours done in the first 14 days))",
            "base_log_odds": CONVERSION_BASE_LOG_ODDS,
            "plan_log_odds": dict(PLAN_LOG_ODDS),
            "timing": "after the last causal behaviour (or signup) plus "
            f"0.5 + Gamma({CONVERSION_DELAY_SHAPE:g}, {CONVERSION_DELAY_SCALE_DAYS:g}) days, "
            f"at most {MAX_CONVERSION_DAY} days after signup; conversions after `end` "
            "are not in the data",
        },
        "fit": {
            "role": "causal",
            "treatment": f"domain not free-mail and employees >= {FIT_MIN_EMPLOYEES} "
            "(unknown employees pass)",
            "log_odds": FIT_LOG_ODDS,
            "note": "fit also raises the propensity to connect an integration (a confounder)",
        },
        "behaviours": behaviours,
        "spike_accounts": {
            "share": SPIKE_SHARE,
            "description": "a burst of many events on the signup day only (1 active day), "
            "satisfying docs/assets/tasks/calendar criteria; they never convert and should "
            "fail min_active_days: 2",
        },
        "att_definition": "average over treated non-spike accounts of P(convert) minus "
        "P(convert) with the behaviour's log-odds removed (latent, before truncation at end)",
    }


_ROLE_TEXT = {
    "signup": "emitted once at accounts.created_at",
    "causal": "done in the first 14 days it raises conversion log-odds by `log_odds`",
    "correlated": "rate scales with engagement; no causal effect on conversion",
    "vanity": "per-session activity, scales with engagement; no causal effect",
    "noise": "independent of engagement and conversion",
    "conversion": "the conversion event, properties {plan, amount}",
}


def generate_files(
    out_dir: Path,
    n_accounts: int = 2000,
    seed: int = 7,
    end: datetime | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> DemoFiles:
    """Write the demo's Parquet files, ground_truth.json and pql.yaml under `out_dir`."""
    if n_accounts < 1:
        raise ValueError("n_accounts must be at least 1")
    out_dir = Path(out_dir)
    end_us = _to_us(end or DEFAULT_END)
    paths = _prepare_dirs(out_dir)
    accounts = _simulate_accounts(np.random.default_rng([seed, 0]), n_accounts, end_us)
    pq.write_table(_accounts_table(accounts), paths["accounts"], compression="zstd")
    totals = _Totals()
    event_files: list[Path] = []
    with pq.ParquetWriter(paths["users"], USERS_SCHEMA, compression="zstd") as users_writer:
        for number, start in enumerate(range(0, n_accounts, CHUNK_ACCOUNTS)):
            stop = min(start + CHUNK_ACCOUNTS, n_accounts)
            rng = np.random.default_rng([seed, number + 1])
            chunk = _simulate_chunk(rng, accounts.slice(start, stop), totals, end_us)
            users_writer.write_table(chunk.users)
            event_file = paths["events"] / f"part-{number:05d}.parquet"
            pq.write_table(chunk.events, event_file, compression="zstd")
            event_files.append(event_file)
            if on_progress is not None:
                on_progress(stop, n_accounts)
    pq.write_table(totals.truth_table(), paths["truth_accounts"], compression="zstd")
    truth = _simulated_truth(totals, seed, n_accounts, end_us)
    paths["ground_truth"].write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
    paths["project"].write_text(PQL_YAML, encoding="utf-8")
    return DemoFiles(
        out_dir=out_dir,
        project_file=paths["project"],
        accounts_file=paths["accounts"],
        users_file=paths["users"],
        events_dir=paths["events"],
        event_files=tuple(event_files),
        ground_truth_file=paths["ground_truth"],
        truth_accounts_file=paths["truth_accounts"],
        accounts=n_accounts,
        users=totals.users,
        events=totals.events,
        conversions=totals.conversions,
    )


def write_demo(
    out_dir: Path,
    n_accounts: int,
    seed: int,
    on_progress: Callable[[int, int], None] | None = None,
) -> DemoFiles:
    """Generate the demo files and ingest them into the project's (fresh) store."""
    from pqlengine.config import load_project
    from pqlengine.ingest import ingest_file
    from pqlengine.store import Store

    files = generate_files(Path(out_dir), n_accounts, seed, on_progress=on_progress)
    project = load_project(files.project_file)
    _remove_old_store(Path(project.store_path), files.out_dir)
    store = Store.for_project(project)
    try:
        ingest_file(store, "accounts", files.accounts_file)
        ingest_file(store, "users", files.users_file)
        for event_file in files.event_files:
            ingest_file(store, "events", event_file)
    finally:
        store.close()
    return files


def _remove_old_store(store_file: Path, out_dir: Path) -> None:
    """Delete a previous demo store so two generations never mix (only inside `out_dir`)."""
    if not store_file.resolve().is_relative_to(out_dir.resolve()):
        return
    for stale in (store_file, store_file.with_name(store_file.name + ".wal")):
        stale.unlink(missing_ok=True)


def _prepare_dirs(out_dir: Path) -> dict[str, Path]:
    data = out_dir / "data"
    events = data / "events"
    if events.exists():
        shutil.rmtree(events)  # stale parts of a larger earlier run would otherwise remain
    events.mkdir(parents=True)
    return {
        "accounts": data / "accounts.parquet",
        "users": data / "users.parquet",
        "events": events,
        "ground_truth": out_dir / "ground_truth.json",
        "truth_accounts": out_dir / "ground_truth_accounts.parquet",
        "project": out_dir / "pql.yaml",
    }


def _to_us(moment: datetime) -> int:
    """Microseconds since the epoch; naive datetimes are UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return (moment - EPOCH) // _ONE_US


_ONE_US = datetime(1970, 1, 1, 0, 0, 0, 1) - EPOCH


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _weekend(us: np.ndarray) -> np.ndarray:
    """True for Saturday/Sunday (UTC); 1970-01-01 was a Thursday."""
    return (us // US_PER_DAY + 3) % 7 >= 5


# ---------------------------------------------------------------------------------------------
# Accounts (all at once: a few arrays of n_accounts)


@dataclass(frozen=True)
class _Accounts:
    """Account attributes and latent variables, sorted by signup time."""

    number: np.ndarray  # 0-based account number (account_id = acct_{number+1})
    signup_us: np.ndarray
    engagement_z: np.ndarray
    employees: np.ndarray  # float, NaN = unknown
    free_email: np.ndarray
    domain_word: np.ndarray
    free_domain: np.ndarray
    plan: np.ndarray
    country: np.ndarray
    industry: np.ndarray
    spike: np.ndarray
    owner_first: np.ndarray
    owner_last: np.ndarray

    def slice(self, start: int, stop: int) -> _Accounts:
        """The accounts start..stop-1."""
        return _Accounts(**{k: v[start:stop] for k, v in self.__dict__.items()})

    @property
    def fit(self) -> np.ndarray:
        """Firmographic fit as the definition's fit gate sees it (unknown employees pass)."""
        big_enough = np.isnan(self.employees) | (self.employees >= FIT_MIN_EMPLOYEES)
        return ~self.free_email & big_enough

    @property
    def engagement(self) -> np.ndarray:
        """Rate multiplier exp(sigma z), mean 1."""
        return np.exp(ENGAGEMENT_SIGMA * self.engagement_z - ENGAGEMENT_SIGMA**2 / 2)

    def account_ids(self) -> pa.Array:
        """acct_0000001-style ids."""
        return _prefixed("acct_", self.number + 1, 7)


def _simulate_accounts(rng: np.random.Generator, n: int, end_us: int) -> _Accounts:
    signup_us = _signup_times(rng, n, end_us)
    free_email = rng.random(n) < FREE_EMAIL_SHARE
    return _Accounts(
        number=np.arange(n, dtype=np.int64),
        signup_us=signup_us,
        engagement_z=rng.standard_normal(n),
        employees=_employees(rng, free_email),
        free_email=free_email,
        domain_word=rng.integers(0, len(COMPANY_WORDS), n),
        free_domain=rng.integers(0, len(FREE_EMAIL_DOMAINS), n),
        plan=rng.choice(len(PLANS), n, p=PLAN_WEIGHTS),
        country=rng.choice(len(COUNTRIES), n, p=COUNTRY_WEIGHTS),
        industry=rng.integers(0, len(INDUSTRIES), n),
        spike=rng.random(n) < SPIKE_SHARE,
        owner_first=rng.integers(0, len(FIRST_NAMES), n),
        owner_last=rng.integers(0, len(LAST_NAMES), n),
    )


def _signup_times(rng: np.random.Generator, n: int, end_us: int) -> np.ndarray:
    """Sorted signup instants: growing over the window, fewer on weekends, mostly daytime."""
    first_day_us = (end_us // US_PER_DAY - SIGNUP_WINDOW_DAYS) * US_PER_DAY
    day_us = first_day_us + np.arange(SIGNUP_WINDOW_DAYS + 1, dtype=np.int64) * US_PER_DAY
    day_us = day_us[day_us < end_us]
    weights = SIGNUP_GROWTH ** (np.arange(len(day_us)) / SIGNUP_WINDOW_DAYS)
    weights = np.where(_weekend(day_us), weights * WEEKEND_SIGNUP_WEIGHT, weights)
    days = rng.choice(len(day_us), n, p=weights / weights.sum())
    hours = np.mod(rng.normal(15.0, 3.5, n), 24.0)
    signup = day_us[days] + (hours * 3600e6).astype(np.int64)
    return np.sort(np.minimum(signup, end_us - 1))


def _employees(rng: np.random.Generator, free_email: np.ndarray) -> np.ndarray:
    """Log-normal head counts (free-mail accounts are smaller); some unknown (NaN)."""
    n = len(free_email)
    log_median = np.where(free_email, np.log(2.0), np.log(12.0))
    sigma = np.where(free_email, 1.0, 1.4)
    employees = np.clip(np.round(np.exp(rng.normal(log_median, sigma))), 1, 50_000)
    return np.where(rng.random(n) < EMPLOYEES_NULL_SHARE, np.nan, employees)


def _accounts_table(acc: _Accounts) -> pa.Table:
    ids = acc.account_ids()
    number = pc.cast(pa.array(acc.number + 1000), pa.string())
    word = pa.array(np.asarray(COMPANY_WORDS)[acc.domain_word])
    company_domain = pc.binary_join_element_wise(word, "-", number, ".com", "")
    domain = pc.if_else(
        pa.array(acc.free_email), pa.array(np.asarray(FREE_EMAIL_DOMAINS)[acc.free_domain]),
        company_domain,
    )  # fmt: skip
    first = pc.utf8_capitalize(pa.array(np.asarray(FIRST_NAMES)[acc.owner_first]))
    company_name = pc.binary_join_element_wise(pc.utf8_capitalize(word), " ", number, "")
    personal_name = pc.binary_join_element_wise(first, "'s workspace", "")
    traits = _json_codes(
        [{"country": c, "industry": i} for c in COUNTRIES for i in INDUSTRIES],
        acc.country * len(INDUSTRIES) + acc.industry,
    )
    return pa.table(
        {
            "account_id": ids,
            "name": pc.if_else(pa.array(acc.free_email), personal_name, company_name),
            "domain": domain,
            "employees": pa.array(
                np.nan_to_num(acc.employees).astype(np.int64),
                mask=np.isnan(acc.employees),
                type=pa.int64(),
            ),
            "plan": pa.array(np.asarray(PLANS)[acc.plan]),
            "created_at": pa.array(acc.signup_us, type=pa.timestamp("us")),
            "traits": traits,
        }
    )


def _prefixed(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, type=pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _json_codes(objects: Sequence[dict[str, Any] | None], codes: np.ndarray) -> pa.Array:
    """JSON text of objects[code] per row (None -> null), through a dictionary."""
    texts = [None if o is None else json.dumps(o) for o in objects]
    indices = pa.array(np.asarray(codes, dtype=np.int32))
    return pa.DictionaryArray.from_arrays(indices, pa.array(texts, pa.string())).dictionary_decode()


# ---------------------------------------------------------------------------------------------
# Per-chunk simulation: sessions -> behaviours -> users -> events -> conversion


USERS_SCHEMA = pa.schema(
    [
        ("user_id", pa.string()),
        ("account_id", pa.string()),
        ("email", pa.string()),
        ("signed_up_at", pa.timestamp("us")),
        ("traits", pa.string()),
    ]
)
TRUTH_FIELDS = ("engagement_z", "fit", "spike", "p_convert", "converted_latent", "converted_at")


@dataclass
class _Totals:
    """Running counts and ground-truth accumulators over chunks."""

    users: int = 0
    events: int = 0
    conversions: int = 0
    conversions_latent: int = 0
    spike_accounts: int = 0
    non_spike_accounts: int = 0

    def __post_init__(self) -> None:
        self.effects: dict[str, np.ndarray] = {}  # key -> [treated, sum att, sum p t, sum p u]
        self.truth: list[pa.Table] = []

    def add_effect(self, key: str, treated: np.ndarray, p: np.ndarray, p_without: np.ndarray) -> None:
        """Accumulate one chunk's treated count, ATT sum and naive probability sums."""
        sums = np.array(
            [
                treated.sum(),
                (p - p_without)[treated].sum(),
                p[treated].sum(),
                p[~treated].sum(),
            ]
        )
        self.effects[key] = self.effects.get(key, np.zeros(4)) + sums

    def truth_table(self) -> pa.Table:
        """Per-account latent variables of every chunk."""
        return pa.concat_tables(self.truth)


@dataclass(frozen=True)
class _Chunk:
    users: pa.Table
    events: pa.Table


@dataclass
class _Sessions:
    """Sessions of a chunk: local account index, global user number, day offset from signup."""

    account: np.ndarray
    user: np.ndarray
    day: np.ndarray


class _EventLog:
    """Events of a chunk as parallel arrays; `category` indexes the event's property values."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(
        self,
        name: str,
        account: np.ndarray,
        user: np.ndarray,
        day: np.ndarray,
        category: np.ndarray | None = None,
    ) -> None:
        """Append events of one type (category None: the event has no properties)."""
        prop = np.full(len(account), PROPERTY_OFFSET[CODE[name]], dtype=np.int32)
        if category is not None:
            prop += category.astype(np.int32)
        code = np.full(len(account), CODE[name], dtype=np.int8)
        self.parts.append((account, user, day, code, prop))

    def add_sampled(
        self, rng: np.random.Generator, name: str, account: np.ndarray, user: np.ndarray,
        day: np.ndarray,
    ) -> None:  # fmt: skip
        """Append events whose property value is drawn from the event's weights."""
        spec = EVENTS[CODE[name]]
        category = None
        if spec.values:
            weights = np.asarray(spec.weights or [1.0] * len(spec.values))
            category = rng.choice(len(spec.values), len(account), p=weights / weights.sum())
        self.add(name, account, user, day, category)

    def arrays(self) -> tuple[np.ndarray, ...]:
        """account, user, day, code, prop (concatenated)."""
        return tuple(np.concatenate(column) for column in zip(*self.parts, strict=True))


def _property_dictionary() -> tuple[list[str | None], list[int]]:
    """All property JSON texts (index 0 = null) and each event type's first index."""
    texts: list[str | None] = [None]
    offsets: list[int] = []
    for spec in EVENTS:
        offsets.append(len(texts) if spec.prop or spec.name == "Subscription Started" else 0)
        if spec.prop:
            texts += [json.dumps({spec.prop: value}) for value in spec.values]
        elif spec.name == "Subscription Started":
            texts += [
                json.dumps({"plan": plan, "amount": price * seats, "seats": seats})
                for plan, price in zip(PAID_PLANS, PAID_PRICE_PER_SEAT, strict=True)
                for seats in range(1, MAX_USERS + 1)
            ]
    return texts, offsets


PROPERTY_TEXTS, PROPERTY_OFFSET = _property_dictionary()


def _simulate_chunk(
    rng: np.random.Generator, acc: _Accounts, totals: _Totals, end_us: int
) -> _Chunk:
    n = len(acc.number)
    first_user = totals.users_allocated if hasattr(totals, "users_allocated") else 0
    log = _EventLog()
    owner_sessions = _owner_sessions(rng, acc)
    treated, first_day = _causal_behaviours(rng, acc, owner_sessions, log)
    members = _members(rng, acc, log)
    user_number = _number_users(n, members, first_user)
    owner_user = user_number["owner"]
    owner_sessions.user = owner_user[owner_sessions.account]
    sessions = _concat_sessions(
        owner_sessions, _member_sessions(rng, acc, members, user_number["member"])
    )
    _session_events(rng, acc, sessions, log)
    _noise_events(rng, acc, owner_user, log)
    _spike_bursts(rng, acc, owner_user, log)
    log.add("Account Created", np.arange(n), owner_user, np.zeros(n), acc.plan)
    conversion = _conversions(rng, acc, treated, first_day, members, totals)
    seats = _seats_at(members, conversion["day"], n)
    converted = np.flatnonzero(conversion["converted"])
    paid_plan = (rng.random(len(converted)) < 0.25).astype(np.int64)
    log.add(
        "Subscription Started",
        converted,
        owner_user[converted],
        conversion["day"][converted],
        paid_plan * MAX_USERS + seats[converted] - 1,
    )
    events = _events_table(log, acc, user_number, first_user, end_us, totals)
    users = _users_table(rng, acc, members, user_number, end_us, totals)
    totals.users_allocated = first_user + user_number["count"]  # type: ignore[attr-defined]
    totals.conversions += int(
        (acc.signup_us + conversion["day"] * US_PER_DAY < end_us)[conversion["converted"]].sum()
    )
    totals.truth.append(_truth_table(acc, conversion, end_us))
    return _Chunk(users=users, events=events)
