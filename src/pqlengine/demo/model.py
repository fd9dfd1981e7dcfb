"""Parameters of the Taskly demo: event types, causal behaviours, the ground truth, pql.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

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
    priced: bool = False  # properties {plan, amount, seats} (subscription events)


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
    EventSpec("Subscription Started", "conversion", priced=True),
    # After the original events so every earlier event code stays the same.
    EventSpec("Subscription Changed", "subscription", priced=True),
    EventSpec("Subscription Cancelled", "subscription"),
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

# Retention (issue 19): every converted account churns after an exponential time with monthly
# hazard RETENTION_BASE_HAZARD_PER_MONTH * exp(sum of the log-hazards of the retention drivers
# it did in its first 14 days). Engagement z has no direct effect: the drivers are identifiable.
DAYS_PER_MONTH = 365.25 / 12
RETENTION_BASE_HAZARD_PER_MONTH = 0.17
EXPANSION_SHARE = 0.3  # customers who add seats once, at a uniform time in their first
EXPANSION_SPAN_DAYS = 240.0  # 240 days after converting (if still subscribed)
EXPANSION_SEATS_MEAN = 2.0  # seats added: 1 + geometric, mean EXPANSION_SEATS_MEAN


@dataclass(frozen=True)
class RetentionDriver:
    """A behaviour in the first 14 days that multiplies the churn hazard by exp(log_hazard)."""

    key: str
    event: str
    log_hazard: float


RETENTION_DRIVERS = (
    RetentionDriver("integration", "Connected Integration", -1.0),  # also drives conversion
    RetentionDriver("uploaded_asset", "Uploaded Asset", -1.0),  # only correlated with conversion
)


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

# Revenue and churn after the first payment (`pql outcomes`): the MRR is the events'
# `amount` property, "Subscription Changed" sets a new MRR, "Subscription Cancelled" churns.
outcomes:
  mrr: {property: amount}
  change_event: "Subscription Changed"
  churn_event: "Subscription Cancelled"

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
    for driver in RETENTION_DRIVERS:
        behaviours[driver.event]["retention"] = {
            "treatment": f"at least one '{driver.event}' within {TREATMENT_DAYS:g} days of signup",
            "log_hazard": driver.log_hazard,
        }
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
        "retention_model": _retention_model(),
        "retention_drivers": [driver.event for driver in RETENTION_DRIVERS],
        "att_definition": "average over treated non-spike accounts of P(convert) minus "
        "P(convert) with the behaviour's log-odds removed (latent, before truncation at end)",
    }


def _retention_model() -> dict[str, Any]:
    """How converted accounts churn and expand (the truth behind `pql outcomes`)."""
    return {
        "formula": "churn time after conversion ~ Exponential(monthly hazard = base * "
        "exp(sum of log_hazard of the retention drivers done in the first 14 days))",
        "base_hazard_per_month": RETENTION_BASE_HAZARD_PER_MONTH,
        "days_per_month": DAYS_PER_MONTH,
        "log_hazard": {driver.event: driver.log_hazard for driver in RETENTION_DRIVERS},
        "no_effect": [c.event for c in CAUSAL if c.event not in _retention_events()],
        "engagement": "no direct effect on churn (only through the drivers it makes likelier)",
        "churn_event": "Subscription Cancelled at the churn time when before `end`",
        "expansion": f"{EXPANSION_SHARE:g} of customers add 1 + Geometric seats (mean "
        f"{EXPANSION_SEATS_MEAN:g}, at most {MAX_USERS} seats in all) at a uniform time in "
        f"their first {EXPANSION_SPAN_DAYS:g} days when still subscribed: 'Subscription "
        "Changed' with the new {plan, amount, seats}",
        "truth_columns": "ground_truth_accounts.parquet: churned_at_latent (uncensored), "
        "mrr_at_conversion, expansion_at_latent, expansion_mrr, uploaded_asset_14d",
    }


def _retention_events() -> set[str]:
    return {driver.event for driver in RETENTION_DRIVERS}


_ROLE_TEXT = {
    "signup": "emitted once at accounts.created_at",
    "causal": "done in the first 14 days it raises conversion log-odds by `log_odds`",
    "correlated": "rate scales with engagement; no causal effect on conversion",
    "vanity": "per-session activity, scales with engagement; no causal effect",
    "noise": "independent of engagement and conversion: Poisson per account, uniform over the "
    f"first {NOISE_SPAN_DAYS:g} days (none for spike accounts)",
    "conversion": "the conversion event, properties {plan, amount}",
    "subscription": "after conversion: a seat change (new {plan, amount, seats}) or the "
    "cancellation; never before conversion",
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
