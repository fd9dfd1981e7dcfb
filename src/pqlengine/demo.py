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
from datetime import UTC, datetime, timedelta
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
ONE_US = timedelta(microseconds=1)

SIGNUP_WINDOW_DAYS = 243  # about 8 months of signups before `end`
SIGNUP_GROWTH = 2.5  # daily signups at the end of the window / at its start
WEEKEND_SIGNUP_WEIGHT = 0.55
WEEKEND_SESSION_KEEP = 0.6
TREATMENT_DAYS = 14.0  # causal behaviours count when done in the first 14 days
MAX_USERS = 20
MAX_CONVERSION_DAY = 89.5
SESSION_MINUTES = 40.0
JSON_TYPE = pa.json_(pa.string())
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
    extra_first_14d: float  # mean extra early events of treated accounts, times engagement
    per_session_later: float  # mean events per session after day 14, for every account


CAUSAL = (
    CausalBehaviour("invited", "Invited Member", 0.9, -0.8, 0.8, 0.0, 1.2, 0.02),
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
    EventSpec(
        "Invited Member", "causal", prop="role", values=("member", "admin"), weights=(0.8, 0.2)
    ),
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
    EventSpec("Logged In", "vanity"),  # at the start of LOGIN_SHARE of sessions
    EventSpec("Session Started", "vanity"),  # at the start of every session
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
LOGIN_SHARE = 0.5
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

SESSIONS_MEAN = 15.0  # owner sessions after the signup session, times engagement
MEMBER_SESSIONS_MEAN = 5.0  # sessions of an invited member after joining, times engagement
SESSION_DECAY_DAYS = 28.0  # activity decays over time, slower for engaged accounts
SESSION_HORIZON_DAYS = 365.0
INVITE_ACCEPT_RATE = 0.6
BUSINESS_SHARE = 0.25  # converting accounts choosing the business plan
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
    behaviours["Created Document"]["note"] = (
        "every early share follows a new document, so it also inherits part of the "
        "association of 'Shared Document'"
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
    "noise": "independent of engagement and conversion: Poisson per account, uniform over the "
    f"first {NOISE_SPAN_DAYS:g} days (none for spike accounts)",
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
            event_file = paths["events"] / f"part-{number:05d}.parquet"
            chunk = _simulate_chunk(rng, accounts.slice(start, stop), totals, end_us)
            users_writer.write_table(chunk.users)
            pq.write_table(chunk.events, event_file, compression="zstd")
            del chunk  # free this chunk's tables before the next one is built
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
    return (moment - EPOCH) // ONE_US


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


def _account_domains(acc: _Accounts) -> pa.Array:
    """Free-mail domain, or a unique company domain like acme-1234.com."""
    company = pc.binary_join_element_wise(
        _decode(acc.domain_word, pa.array(COMPANY_WORDS)), "-", _account_numbers(acc), ".com", ""
    )
    free = _decode(acc.free_domain, pa.array(FREE_EMAIL_DOMAINS))
    return pc.if_else(pa.array(acc.free_email), free, company)


def _account_numbers(acc: _Accounts) -> pa.Array:
    return pc.cast(pa.array(acc.number + 1000), pa.string())


def _accounts_table(acc: _Accounts) -> pa.Table:
    word = pc.utf8_capitalize(_decode(acc.domain_word, pa.array(COMPANY_WORDS)))
    company_name = pc.binary_join_element_wise(word, " ", _account_numbers(acc), "")
    first = pc.utf8_capitalize(_decode(acc.owner_first, pa.array(FIRST_NAMES)))
    personal_name = pc.binary_join_element_wise(first, "'s workspace", "")
    traits = _json_codes(
        [{"country": c, "industry": i} for c in COUNTRIES for i in INDUSTRIES],
        acc.country * len(INDUSTRIES) + acc.industry,
    )
    employees = pa.array(
        np.nan_to_num(acc.employees).astype(np.int64), mask=np.isnan(acc.employees), type=pa.int64()
    )
    return pa.table(
        {
            "account_id": acc.account_ids(),
            "name": pc.if_else(pa.array(acc.free_email), personal_name, company_name),
            "domain": _account_domains(acc),
            "employees": employees,
            "plan": _decode(acc.plan, pa.array(PLANS)),
            "created_at": pa.array(acc.signup_us, type=pa.timestamp("us")),
            "traits": traits,
        }
    )


def _prefixed(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, type=pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _json_codes(objects: Sequence[dict[str, Any]], codes: np.ndarray) -> pa.Array:
    """JSON text of objects[code] per row."""
    return _as_json(_decode(codes, pa.array([json.dumps(o) for o in objects], pa.string())))


def _as_json(text: pa.Array) -> pa.Array:
    """Strings annotated as JSON (the Parquet JSON logical type), so readers parse them."""
    return pa.ExtensionArray.from_storage(JSON_TYPE, text)


# ---------------------------------------------------------------------------------------------
# Per chunk of accounts: sessions -> causal behaviours -> members -> events -> conversion.
# Users are numbered per chunk: the chunk's owners first (one per account), then its members.


USERS_SCHEMA = pa.schema(
    [
        ("user_id", pa.string()),
        ("account_id", pa.string()),
        ("email", pa.string()),
        ("signed_up_at", pa.timestamp("us")),
        ("traits", JSON_TYPE),
    ]
)


@dataclass
class _Totals:
    """Running counts and ground-truth accumulators over chunks."""

    users: int = 0
    users_numbered: int = 0
    events: int = 0
    conversions: int = 0
    conversions_latent: int = 0
    spike_accounts: int = 0

    def __post_init__(self) -> None:
        # per effect: [treated, sum of ATT terms, sum p treated, sum p untreated, accounts]
        self.effects: dict[str, np.ndarray] = {}
        self.truth: list[pa.Table] = []

    def add_effect(
        self, key: str, treated: np.ndarray, p: np.ndarray, p_without: np.ndarray
    ) -> None:
        """Accumulate one chunk's treated count, ATT sum and naive probability sums."""
        sums = np.array(
            [
                treated.sum(),
                (p - p_without)[treated].sum(),
                p[treated].sum(),
                p[~treated].sum(),
                len(treated),
            ]
        )
        self.effects[key] = self.effects.get(key, np.zeros(5)) + sums

    def truth_table(self) -> pa.Table:
        """Per-account latent variables of every chunk."""
        return pa.concat_tables(self.truth)


@dataclass(frozen=True)
class _Chunk:
    users: pa.Table
    events: pa.Table


@dataclass(frozen=True)
class _Sessions:
    """Sessions: local account index, global user number, day offset from the account's signup."""

    account: np.ndarray
    user: np.ndarray
    day: np.ndarray

    def where(self, mask: np.ndarray) -> _Sessions:
        """The sessions selected by a boolean mask."""
        return _Sessions(self.account[mask], self.user[mask], self.day[mask])

    def __add__(self, other: _Sessions) -> _Sessions:
        return _Sessions(
            np.concatenate([self.account, other.account]),
            np.concatenate([self.user, other.user]),
            np.concatenate([self.day, other.day]),
        )


@dataclass(frozen=True)
class _Members:
    """Invited users who joined: local account index, join day, role (0 member, 1 admin), rank."""

    account: np.ndarray
    day: np.ndarray
    role: np.ndarray
    rank: np.ndarray


class _EventLog:
    """Events of a chunk as parallel arrays; `prop` indexes PROPERTY_TEXTS (0 = null)."""

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
        """Append events of one type (category: index into the event's property values)."""
        prop = np.full(len(account), PROPERTY_OFFSET[CODE[name]], dtype=np.int32)
        if category is not None:
            prop += np.asarray(category, dtype=np.int32)
        code = np.full(len(account), CODE[name], dtype=np.int8)
        self.parts.append((account, user, day, code, prop))

    def add_sampled(
        self,
        rng: np.random.Generator,
        name: str,
        account: np.ndarray,
        user: np.ndarray,
        day: np.ndarray,
    ) -> None:
        """Append events whose property value is drawn from the event's weights."""
        self.add(name, account, user, day, _draw_category(rng, EVENTS[CODE[name]], len(account)))

    def arrays(self) -> tuple[np.ndarray, ...]:
        """account, user, day, code, prop, each concatenated over all parts (which are freed)."""
        parts, self.parts = self.parts, []
        return tuple(np.concatenate(column) for column in zip(*parts, strict=True))


def _draw_category(rng: np.random.Generator, spec: EventSpec, size: int) -> np.ndarray | None:
    if not spec.values:
        return None
    weights = np.asarray(spec.weights or [1.0] * len(spec.values))
    return rng.choice(len(spec.values), size, p=weights / weights.sum())


def _property_dictionary() -> tuple[list[str | None], list[int]]:
    """All property JSON texts (index 0 = null) and each event type's first index."""
    texts: list[str | None] = [None]
    offsets: list[int] = []
    for spec in EVENTS:
        offsets.append(len(texts))
        if spec.prop:
            texts += [json.dumps({spec.prop: value}) for value in spec.values]
        elif spec.role == "conversion":
            texts += [
                json.dumps({"plan": plan, "amount": price * seats, "seats": seats})
                for plan, price in zip(PAID_PLANS, PAID_PRICE_PER_SEAT, strict=True)
                for seats in range(1, MAX_USERS + 1)
            ]
        else:
            offsets[-1] = 0
    return texts, offsets


PROPERTY_TEXTS, PROPERTY_OFFSET = _property_dictionary()


def _simulate_chunk(
    rng: np.random.Generator, acc: _Accounts, totals: _Totals, end_us: int
) -> _Chunk:
    """Simulate the users and events of a slice of accounts; update the running totals."""
    n = len(acc.number)
    owner = totals.users_numbered + np.arange(n, dtype=np.int64)
    log = _EventLog()
    log.add("Account Created", np.arange(n), owner, np.zeros(n), acc.plan)
    active = np.flatnonzero(~acc.spike)
    owner_sessions = _sessions_from(
        rng,
        acc,
        active,
        owner[active],
        np.zeros(len(active)),
        SESSIONS_MEAN * acc.engagement[active],
    )
    treated, last_cause_day, invites = _causal_behaviours(rng, acc, owner_sessions, log)
    members = _members(rng, invites)
    member_user = totals.users_numbered + n + np.arange(len(members.account), dtype=np.int64)
    member_sessions = _sessions_from(
        rng,
        acc,
        members.account,
        member_user,
        members.day,
        MEMBER_SESSIONS_MEAN * acc.engagement[members.account],
    )
    _session_events(rng, acc, owner_sessions + member_sessions, log)
    _noise_and_spike_events(rng, acc, owner, log)
    conversion = _conversions(rng, acc, treated, last_cause_day, totals)
    _conversion_events(rng, acc, owner, members, conversion, log)
    events = _events_table(log, acc, totals, n + len(members.account), end_us)
    users = _users_table(rng, acc, members, totals, end_us)
    totals.users_numbered += n + len(members.account)
    totals.truth.append(_truth_table(acc, treated, conversion, end_us))
    return _Chunk(users=users, events=events)


def _truncated_exponential(rng: np.random.Generator, scale: np.ndarray, upper: float) -> np.ndarray:
    """Exponential(scale) draws conditioned on being below `upper`."""
    u = rng.random(len(scale))
    return -scale * np.log1p(-u * -np.expm1(-upper / scale))


def _day_us(acc: _Accounts, account: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Absolute microseconds of a day offset from each account's signup."""
    return acc.signup_us[account] + (day * US_PER_DAY).astype(np.int64)


def _sessions_from(
    rng: np.random.Generator,
    acc: _Accounts,
    account: np.ndarray,
    user: np.ndarray,
    start_day: np.ndarray,
    extra_mean: np.ndarray,
) -> _Sessions:
    """Per user: a session at `start_day`, then Poisson(extra_mean) decaying sessions after it.

    Sorted by account then day, so an account's first session (at start_day) comes first.
    """
    extra = np.repeat(np.arange(len(account)), rng.poisson(extra_mean))
    scale = SESSION_DECAY_DAYS * np.sqrt(acc.engagement[account[extra]])
    day = start_day[extra] + _truncated_exponential(rng, scale, SESSION_HORIZON_DAYS)
    weekend = _weekend(_day_us(acc, account[extra], day))
    keep = ~weekend | (rng.random(len(extra)) < WEEKEND_SESSION_KEEP)
    index = np.concatenate([np.arange(len(account)), extra[keep]])
    days = np.concatenate([start_day, day[keep]])
    order = np.lexsort((days, account[index]))
    return _Sessions(account[index][order], user[index][order], days[order])


def _causal_behaviours(
    rng: np.random.Generator, acc: _Accounts, owner_sessions: _Sessions, log: _EventLog
) -> tuple[dict[str, np.ndarray], np.ndarray, _Invites]:
    """Treatment flags, the day of the last first-causal-event, and all invites.

    A treated account does the behaviour in an owner session of its first 14 days; an
    untreated one never does it before day 14.
    """
    n = len(acc.number)
    early = owner_sessions.day < TREATMENT_DAYS
    pool = np.bincount(owner_sessions.account[early], minlength=n)
    first_session = np.searchsorted(owner_sessions.account, np.arange(n))
    treated: dict[str, np.ndarray] = {}
    last_cause_day = np.zeros(n)
    invites = _Invites.empty()
    for cause in CAUSAL:
        logit = cause.propensity_base + cause.propensity_engagement * acc.engagement_z
        chance = _sigmoid(logit + cause.propensity_fit * acc.fit)
        is_treated = (rng.random(n) < chance) & ~acc.spike
        # geometric extras (mean extra_first_14d * engagement): a long tail of busy accounts
        extra = rng.geometric(1 / (1 + cause.extra_first_14d * acc.engagement)) - 1
        count = is_treated * (1 + extra)
        account = np.repeat(np.arange(n), count)
        session = first_session[account] + (rng.random(len(account)) * pool[account]).astype(int)
        offset = rng.random(len(account)) * SESSION_MINUTES / 1440
        day = np.minimum(owner_sessions.day[session] + offset, TREATMENT_DAYS - 1e-6)
        first_day = np.full(n, np.inf)
        np.minimum.at(first_day, account, day)
        last_cause_day = np.where(is_treated, np.maximum(last_cause_day, first_day), last_cause_day)
        treated[cause.key] = is_treated
        user = owner_sessions.user[session]
        if cause.key == "invited":
            invites = _invites(rng, owner_sessions, account, user, day, cause, log)
            continue
        if cause.key == "shared":  # a document is created in the session before each share
            doc_day = owner_sessions.day[session] + offset * rng.random(len(account))
            log.add_sampled(rng, "Created Document", account, user, doc_day)
        log.add_sampled(rng, cause.event, account, user, day)
    return treated, last_cause_day, invites


@dataclass(frozen=True)
class _Invites:
    """Invitations: local account index, day, role category (0 member, 1 admin)."""

    account: np.ndarray
    day: np.ndarray
    role: np.ndarray

    @classmethod
    def empty(cls) -> _Invites:
        """No invitations."""
        return cls(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64))


def _invites(
    rng: np.random.Generator,
    owner_sessions: _Sessions,
    account: np.ndarray,
    user: np.ndarray,
    day: np.ndarray,
    cause: CausalBehaviour,
    log: _EventLog,
) -> _Invites:
    """Early invites (given) plus invites from owner sessions after day 14; logs the events."""
    later = owner_sessions.where(owner_sessions.day >= TREATMENT_DAYS)
    late_account, late_user, late_day = _per_session(rng, later, cause.per_session_later)
    account = np.concatenate([account, late_account])
    user = np.concatenate([user, late_user])
    day = np.concatenate([day, late_day])
    role = _draw_category(rng, EVENTS[CODE[cause.event]], len(account))
    assert role is not None
    log.add(cause.event, account, user, day, role)
    return _Invites(account, day, role)


def _per_session(
    rng: np.random.Generator, sessions: _Sessions, mean: float | np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poisson(mean) events per session at random moments in it: account, user, day."""
    index = np.repeat(np.arange(len(sessions.day)), rng.poisson(mean, len(sessions.day)))
    day = sessions.day[index] + rng.random(len(index)) * SESSION_MINUTES / 1440
    return sessions.account[index], sessions.user[index], day


def _members(rng: np.random.Generator, invites: _Invites) -> _Members:
    """Accepted invitations become users a little later; at most MAX_USERS per account."""
    accepted = rng.random(len(invites.account)) < INVITE_ACCEPT_RATE
    account, role = invites.account[accepted], invites.role[accepted]
    day = invites.day[accepted] + rng.exponential(JOIN_DELAY_DAYS, len(account))
    order = np.lexsort((day, account))
    account, day, role = account[order], day[order], role[order]
    rank = np.arange(len(account)) - np.searchsorted(account, account)
    keep = rank < MAX_USERS - 1
    return _Members(account[keep], day[keep], role[keep], rank[keep])


def _session_events(
    rng: np.random.Generator, acc: _Accounts, sessions: _Sessions, log: _EventLog
) -> None:
    """Vanity and correlated events in every session; causal ones after day 14."""
    log.add("Session Started", sessions.account, sessions.user, sessions.day)
    login = rng.random(len(sessions.day)) < LOGIN_SHARE
    log.add("Logged In", sessions.account[login], sessions.user[login], sessions.day[login])
    engagement = acc.engagement[sessions.account]
    for name in PER_SESSION_EVENTS:
        spec = EVENTS[CODE[name]]
        mean = spec.per_session * engagement**spec.engagement_power
        log.add_sampled(rng, name, *_per_session(rng, sessions, mean))
    later_sessions = sessions.where(sessions.day >= TREATMENT_DAYS)
    for cause in CAUSAL:
        if cause.key != "invited":  # invites were drawn with the members they bring
            log.add_sampled(
                rng, cause.event, *_per_session(rng, later_sessions, cause.per_session_later)
            )


def _noise_and_spike_events(
    rng: np.random.Generator, acc: _Accounts, owner: np.ndarray, log: _EventLog
) -> None:
    """Noise events (independent of engagement and conversion) and the spike accounts' bursts."""
    n = len(acc.number)
    for name, mean in NOISE_PER_ACCOUNT.items():
        # spike accounts never come back, and noise spread over 150 days would revive them
        account = np.repeat(np.arange(n), rng.poisson(mean, n) * ~acc.spike)
        day = rng.random(len(account)) * NOISE_SPAN_DAYS
        log.add_sampled(rng, name, account, owner[account], day)
    to_midnight = (US_PER_DAY - 1 - acc.signup_us % US_PER_DAY) / US_PER_DAY
    burst_days = np.where(acc.spike, np.minimum(3 / 24, to_midnight), 0.0)
    for name, (low, high) in SPIKE_BURST.items():
        account = np.repeat(np.arange(n), np.where(acc.spike, rng.integers(low, high + 1, n), 0))
        day = rng.random(len(account)) * burst_days[account]
        if name == "Added Task":  # all from the web, so the burst satisfies the tasks criterion
            log.add(name, account, owner[account], day, np.zeros(len(account), np.int64))
        else:
            log.add_sampled(rng, name, account, owner[account], day)


def _conversions(
    rng: np.random.Generator,
    acc: _Accounts,
    treated: dict[str, np.ndarray],
    last_cause_day: np.ndarray,
    totals: _Totals,
) -> dict[str, np.ndarray]:
    """Draw conversion (p, converted, day) from the ground-truth model; accumulate ATTs."""
    n = len(acc.number)
    fit = acc.fit
    plan_effect = np.array([PLAN_LOG_ODDS[plan] for plan in PLANS])[acc.plan]
    logit = CONVERSION_BASE_LOG_ODDS + ENGAGEMENT_LOG_ODDS * acc.engagement_z + plan_effect
    logit = logit + FIT_LOG_ODDS * fit
    for cause in CAUSAL:
        logit = logit + cause.log_odds * treated[cause.key]
    p = np.where(acc.spike, 0.0, _sigmoid(logit))
    converted = rng.random(n) < p
    delay = 0.5 + rng.gamma(CONVERSION_DELAY_SHAPE, CONVERSION_DELAY_SCALE_DAYS, n)
    day = np.minimum(last_cause_day + delay, MAX_CONVERSION_DAY)
    real = ~acc.spike
    for cause in CAUSAL:
        flag = treated[cause.key]
        without = _sigmoid(logit - cause.log_odds * flag)
        totals.add_effect(cause.key, flag[real], p[real], without[real])
    totals.add_effect("fit", fit[real], p[real], _sigmoid(logit - FIT_LOG_ODDS * fit)[real])
    totals.conversions_latent += int(converted.sum())
    totals.spike_accounts += int(acc.spike.sum())
    return {"p": p, "converted": converted, "day": day}


def _conversion_events(
    rng: np.random.Generator,
    acc: _Accounts,
    owner: np.ndarray,
    members: _Members,
    conversion: dict[str, np.ndarray],
    log: _EventLog,
) -> None:
    """One "Subscription Started" per converting account, priced per seat at that time."""
    n = len(acc.number)
    day = conversion["day"]
    joined = members.day < day[members.account]
    seats = 1 + np.bincount(members.account[joined], minlength=n)
    converted = np.flatnonzero(conversion["converted"])
    business = (rng.random(len(converted)) < BUSINESS_SHARE).astype(np.int64)
    category = business * MAX_USERS + seats[converted] - 1
    log.add("Subscription Started", converted, owner[converted], day[converted], category)


def _decode(indices: np.ndarray, dictionary: pa.Array, null: np.ndarray | None = None) -> pa.Array:
    """dictionary[indices] as a plain array (null where `null`)."""
    index_array = pa.array(np.asarray(indices, dtype=np.int32), mask=null)
    return pa.DictionaryArray.from_arrays(index_array, dictionary).dictionary_decode()


def _events_table(
    log: _EventLog, acc: _Accounts, totals: _Totals, chunk_users: int, end_us: int
) -> pa.Table:
    """The chunk's events before `end`, in time order, with ids continuing the count."""
    account, user, day, code, prop = log.arrays()
    ts = _day_us(acc, account, day)
    kept = np.flatnonzero(ts < end_us)
    order = kept[np.argsort(ts[kept], kind="stable")]
    account, user, code, prop, ts = (a[order] for a in (account, user, code, prop, ts))
    user_ids = _prefixed("user_", totals.users_numbered + 1 + np.arange(chunk_users), 8)
    table = pa.table(
        {
            "event_id": _prefixed("evt_", totals.events + 1 + np.arange(len(ts)), 11),
            "user_id": _decode(user - totals.users_numbered, user_ids),
            "account_id": _decode(account, acc.account_ids()),
            "event": _decode(code, pa.array(EVENT_NAMES)),
            "ts": pa.array(ts, type=pa.timestamp("us")),
            "properties": _as_json(
                _decode(prop, pa.array(PROPERTY_TEXTS, pa.string()), null=prop == 0)
            ),
        }
    )
    totals.events += len(ts)
    totals.conversions += int((code == CODE["Subscription Started"]).sum())
    return table


def _users_table(
    rng: np.random.Generator, acc: _Accounts, members: _Members, totals: _Totals, end_us: int
) -> pa.Table:
    """Owners then members of the chunk's accounts, those signed up before `end`."""
    n, m = len(acc.number), len(members.account)
    account = np.concatenate([np.arange(n), members.account])
    signed_up = np.concatenate([acc.signup_us, _day_us(acc, members.account, members.day)])
    number = totals.users_numbered + 1 + np.arange(n + m)
    free = acc.free_email[account]
    free_domain = np.concatenate([acc.free_domain, rng.integers(0, len(FREE_EMAIL_DOMAINS), m)])
    domain = pc.if_else(
        pa.array(free),
        _decode(free_domain, pa.array(FREE_EMAIL_DOMAINS)),
        pc.take(_account_domains(acc), pa.array(account)),
    )
    rank = np.concatenate([np.full(n, -1), members.rank])
    # free-mail users get a unique number (anna.smith.42@gmail.com); colleagues a rank suffix
    suffix = pc.cast(pa.array(np.where(free, number, rank + 2)), pa.string())
    suffix = pc.if_else(pa.array(~free & (rank < 0)), "", suffix)
    first = np.concatenate([acc.owner_first, rng.integers(0, len(FIRST_NAMES), m)])
    last = np.concatenate([acc.owner_last, rng.integers(0, len(LAST_NAMES), m)])
    email = pc.binary_join_element_wise(
        _decode(first, pa.array(FIRST_NAMES)),
        ".",
        _decode(last, pa.array(LAST_NAMES)),
        pc.if_else(pa.array(free), ".", ""),
        suffix,
        "@",
        domain,
        "",
    )
    role = np.concatenate([np.zeros(n, np.int64), 1 + members.role])
    table = pa.table(
        {
            "user_id": _prefixed("user_", number, 8),
            "account_id": pc.take(acc.account_ids(), pa.array(account)),
            "email": email,
            "signed_up_at": pa.array(signed_up, type=pa.timestamp("us")),
            "traits": _json_codes([{"role": r} for r in ("owner", "member", "admin")], role),
        },
        schema=USERS_SCHEMA,
    ).filter(pa.array(signed_up < end_us))
    totals.users += table.num_rows
    return table


def _truth_table(
    acc: _Accounts, treated: dict[str, np.ndarray], conversion: dict[str, np.ndarray], end_us: int
) -> pa.Table:
    """Per-account latent variables (the oracle for causal estimates)."""
    converted_us = _day_us(acc, np.arange(len(acc.number)), conversion["day"])
    observed = conversion["converted"] & (converted_us < end_us)
    columns: dict[str, Any] = {
        "account_id": acc.account_ids(),
        "engagement_z": acc.engagement_z,
        "fit": acc.fit,
        "spike": acc.spike,
    }
    columns |= {f"{cause.key}_14d": treated[cause.key] for cause in CAUSAL}
    columns |= {
        "p_convert": conversion["p"],
        "converted_latent": conversion["converted"],
        "converted_at": pa.array(converted_us, mask=~observed, type=pa.timestamp("us")),
    }
    return pa.table(columns)


def _effect_summary(sums: np.ndarray) -> dict[str, Any]:
    treated, att_sum, p_treated, p_untreated, accounts = (float(x) for x in sums)
    untreated = accounts - treated
    return {
        "treated_accounts": int(treated),
        "treated_share": treated / accounts if accounts else None,
        "att": att_sum / treated if treated else None,
        "mean_p_treated": p_treated / treated if treated else None,
        "mean_p_untreated": p_untreated / untreated if untreated else None,
    }


def _simulated_truth(totals: _Totals, seed: int, n_accounts: int, end_us: int) -> dict[str, Any]:
    """ground_truth() plus what this simulation realised (ATT per causal behaviour, counts)."""
    truth = ground_truth()
    for cause in CAUSAL:
        truth["behaviours"][cause.event]["simulated"] = _effect_summary(totals.effects[cause.key])
    truth["fit"]["simulated"] = _effect_summary(totals.effects["fit"])
    truth["simulation"] = {
        "seed": seed,
        "end": (EPOCH + end_us * ONE_US).isoformat() + "Z",
        "accounts": n_accounts,
        "users": totals.users,
        "events": totals.events,
        "conversions": totals.conversions,
        "conversions_latent": totals.conversions_latent,
        "spike_accounts": totals.spike_accounts,
        "note": "mean_p_* are naive (confounded) conversion probabilities; att is causal",
    }
    return truth
