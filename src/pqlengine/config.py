"""The project file `pql.yaml`: pydantic models, a located loader and definition versions."""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from pqlengine.definition_text import set_definition_keys
from pqlengine.yamlloc import LocatedYaml, YamlSyntaxError, load_located

PROJECT_FILE = "pql.yaml"
RULE_TOLERANCE = 1e-9

# Built-in free-mail providers; `fit.free_email_domains` replaces the list.
FREE_EMAIL_DOMAINS: tuple[str, ...] = (
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.uk",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.de",
    "mail.com",
    "yandex.com",
    "yandex.ru",
    "zoho.com",
    "hey.com",
    "fastmail.com",
    "web.de",
    "qq.com",
    "163.com",
)

Scalar = str | int | float | bool

# DRAFT (issue 16, docs/semantics-signals-draft.md): `where` operators. The engine does not
# evaluate operator maps yet; this validates them and rejects strings that look like one.
WHERE_OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "exists")
_COMPARISON_PREFIX = re.compile(r"\s*(>=|<=|!=|==|=|>|<|!)\s*(\S.*?)\s*")
_PREFIX_OPERATOR = {
    ">=": "gte",
    "<=": "lte",
    "!=": "ne",
    "==": "eq",
    "=": "eq",
    ">": "gt",
    "<": "lt",
    "!": "ne",
}


def _not_an_operator_string(value: Any) -> None:
    """A string like ">= 80" or "!US" would be compared as text and match nothing."""
    if not isinstance(value, str):
        return
    found = _COMPARISON_PREFIX.fullmatch(value)
    if found is None:
        return
    operator, rest = _PREFIX_OPERATOR[found.group(1)], found.group(2)
    raise ValueError(
        f"{value!r} would be compared as text and match nothing; "
        f"write the comparison as {{{operator}: {rest}}}"
    )


def _where_entry(value: Any) -> Any:
    """One `where` value: a scalar, a list of scalars, or a map with one operator."""
    if isinstance(value, list):
        for option in value:
            _not_an_operator_string(option)
        return value
    if not isinstance(value, dict):
        _not_an_operator_string(value)
        return value
    if len(value) != 1:
        listed = ", ".join(map(str, value)) or "none"
        raise ValueError(f"give exactly one operator per key (got {listed})")
    ((operator, operand),) = value.items()
    if operator not in WHERE_OPERATORS:
        close = difflib.get_close_matches(str(operator), WHERE_OPERATORS, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise ValueError(
            f"unknown operator '{operator}' (one of {', '.join(WHERE_OPERATORS)}){hint}"
        )
    if operator in ("in", "not_in"):
        if not isinstance(operand, list) or not operand:
            raise ValueError(f"{operator}: give a non-empty list of values")
        for option in operand:
            _not_an_operator_string(option)
    elif operator == "contains":
        if not isinstance(operand, str):
            raise ValueError("contains: give a string")
    elif operator == "exists":
        if not isinstance(operand, bool):
            raise ValueError("exists: give true or false")
    elif operator in ("gt", "gte", "lt", "lte"):
        if isinstance(operand, bool) or not isinstance(operand, str | int | float):
            raise ValueError(f"{operator}: give a number or a string (true/false are not ordered)")
    elif isinstance(operand, list | dict):
        raise ValueError(f"{operator}: give one value (use in/not_in for a list)")
    return value


WhereValue = Annotated[Scalar | list[Scalar] | dict[str, Any], BeforeValidator(_where_entry)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SignupSource(_Model):
    """Where an entity's signup time comes from: a table or the first event of a name."""

    source: Literal["accounts", "users"] | None = None
    event: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> SignupSource:
        if (self.source is None) == (self.event is None):
            raise ValueError("give exactly one of 'source' (accounts | users) or 'event'")
        return self


class ConversionSource(_Model):
    """Where conversions come from: an event name or the conversions table."""

    source: Literal["conversions"] | None = None
    event: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> ConversionSource:
        if (self.source is None) == (self.event is None):
            raise ValueError("give exactly one of 'source: conversions' or 'event'")
        return self


KINDS = ("count", "sum", "distinct", "users", "active_days", "consecutive_days", "sequence")
# Kinds whose progress is a summed weight of items, which `points` can multiply.
COUNTING_KINDS = ("count", "sum", "distinct", "users", "active_days")


class _CriterionBase(_Model):
    id: str = Field(min_length=1)
    weight: float = Field(default=1.0, ge=0)

    @property
    def event_names(self) -> list[str] | None:
        """The event names this criterion reads (None: every event)."""
        event: str | None = getattr(self, "event", None)
        return None if event is None else [event]

    @property
    def reads_properties(self) -> bool:
        """Whether the criterion looks into event properties."""
        return bool(getattr(self, "where", None) or getattr(self, "property", None))


class _Matching(_CriterionBase):
    """A criterion over one set of matching events (every kind but sequence)."""

    within_days: float | None = Field(default=None, gt=0)
    where: dict[str, WhereValue] | None = None


class _Counting(_Matching):
    """A kind whose progress is the summed weight of items (docs/semantics.md)."""

    at_least: int = Field(default=1, ge=1)
    points: float | None = Field(default=None, gt=0)
    max_points: float | None = Field(default=None, gt=0)
    # Rolling window (docs/semantics.md "Lifecycle"): each occurrence counts for D days.
    in_last_days: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _points_pair(self) -> _Counting:
        if self.max_points is not None and self.points is None:
            raise ValueError("max_points caps points: give points too")
        return self


class CountCriterion(_Counting):
    """`event` done `at_least` times (the default kind)."""

    kind: Literal["count"] = "count"
    event: str = Field(min_length=1)


class SumCriterion(_Counting):
    """The summed numeric `property` of matching events reaches `at_least`."""

    kind: Literal["sum"]
    event: str = Field(min_length=1)
    property: str = Field(min_length=1)
    at_least: float = Field(default=1.0, gt=0)  # type: ignore[assignment]


class DistinctCriterion(_Counting):
    """At least `at_least` distinct values of `property` among matching events."""

    kind: Literal["distinct"]
    event: str = Field(min_length=1)
    property: str = Field(min_length=1)


class UsersCriterion(_Counting):
    """At least `at_least` distinct users among the account's matching events."""

    kind: Literal["users"]
    event: str | None = Field(default=None, min_length=1)


class ActiveDaysCriterion(_Counting):
    """Matching events on at least `at_least` distinct UTC calendar days."""

    kind: Literal["active_days"]
    event: str | None = Field(default=None, min_length=1)


class ConsecutiveDaysCriterion(_Matching):
    """Matching events on `at_least` consecutive UTC calendar days."""

    kind: Literal["consecutive_days"]
    event: str | None = Field(default=None, min_length=1)
    at_least: int = Field(default=1, ge=1)


class Step(_Model):
    """One step of a sequence: an event name and an optional property filter."""

    event: str = Field(min_length=1)
    where: dict[str, WhereValue] | None = None


class SequenceCriterion(_CriterionBase):
    """`steps` done in order (strictly increasing time), optionally within a bound."""

    kind: Literal["sequence"]
    steps: list[Step] = Field(min_length=2)
    within_hours: float | None = Field(default=None, gt=0)
    within_days: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one_bound(self) -> SequenceCriterion:
        if self.within_hours is not None and self.within_days is not None:
            raise ValueError("give within_hours or within_days, not both")
        return self

    @property
    def event_names(self) -> list[str] | None:
        return sorted({step.event for step in self.steps})

    @property
    def reads_properties(self) -> bool:
        return any(step.where for step in self.steps)

    @property
    def bound_days(self) -> float | None:
        """The workflow's bound in days (None: unbounded)."""
        if self.within_hours is not None:
            return self.within_hours / 24
        return self.within_days


def _criterion_kind(value: Any) -> str:
    if isinstance(value, dict):
        kind = value.get("kind", "count")
        return kind if isinstance(kind, str) else repr(kind)
    return str(getattr(value, "kind", "count"))


Criterion = Annotated[
    Annotated[CountCriterion, Tag("count")]
    | Annotated[SumCriterion, Tag("sum")]
    | Annotated[DistinctCriterion, Tag("distinct")]
    | Annotated[UsersCriterion, Tag("users")]
    | Annotated[ActiveDaysCriterion, Tag("active_days")]
    | Annotated[ConsecutiveDaysCriterion, Tag("consecutive_days")]
    | Annotated[SequenceCriterion, Tag("sequence")],
    Discriminator(_criterion_kind),
]
CRITERION_MODELS: dict[str, type[BaseModel]] = {
    "count": CountCriterion,
    "sum": SumCriterion,
    "distinct": DistinctCriterion,
    "users": UsersCriterion,
    "active_days": ActiveDaysCriterion,
    "consecutive_days": ConsecutiveDaysCriterion,
    "sequence": SequenceCriterion,
}


class QualifyRule(_Model):
    """How many criteria make a PQL: all, any k, a fraction, or a weighted score."""

    all: bool | None = None
    at_least: int | None = Field(default=None, ge=1)
    fraction: float | None = Field(default=None, gt=0, le=1)
    score: float | None = Field(default=None, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if value == "all":
            return {"all": True}
        if isinstance(value, str):
            raise ValueError(
                f"{value!r} is not a rule; use all, {{at_least: k}}, "
                "{fraction: f} or {score: s}"
            )
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> QualifyRule:
        given = [k for k in ("all", "at_least", "fraction", "score") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("give exactly one of all, at_least, fraction or score")
        return self

    @property
    def kind(self) -> str:
        """all | at_least | fraction | score."""
        return next(k for k in ("all", "at_least", "fraction", "score") if getattr(self, k))


class Fit(_Model):
    """Firmographic gate; unknown values pass unless `require_known`."""

    exclude_free_email_domains: bool = False
    min_employees: int | None = Field(default=None, ge=0)
    where: dict[str, WhereValue] | None = None
    require_known: bool = False
    free_email_domains: list[str] | None = None

    @property
    def free_domains(self) -> tuple[str, ...]:
        """The free-mail list in force (lower case)."""
        if self.free_email_domains is None:
            return FREE_EMAIL_DOMAINS
        return tuple(d.lower().strip() for d in self.free_email_domains)

    @property
    def active(self) -> bool:
        """True when at least one check is configured."""
        return bool(self.exclude_free_email_domains or self.min_employees is not None or self.where)


class Activity(_Model):
    """Which events keep an entity active for expire_after_inactive_days."""

    event: str = Field(min_length=1)


class MrrSource(_Model):
    """Where a subscription's monthly recurring revenue comes from (docs/semantics.md)."""

    # The conversion (and change) event's property holding the MRR, for `conversion: {event}`.
    property: str = Field(default="mrr", min_length=1)
    # `amount` (table) or the property (events) is per month or per year (then / 12).
    per: Literal["month", "year"] = "month"


class Outcomes(_Model):
    """What happens after the first payment: revenue, churn and margin (not versioned)."""

    mrr: MrrSource | None = None
    change_event: str | None = Field(default=None, min_length=1)
    churn_event: str | None = Field(default=None, min_length=1)
    margin: float = Field(default=1.0, gt=0, le=1)


TargetMetric = Literal["pql_to_paid", "pql_rate", "pql_count", "time_to_pql"]
RATE_METRICS = ("pql_to_paid", "pql_rate")


class Target(_Model):
    """A goal for a cohort metric by a date (docs/semantics.md "Targets"; not versioned)."""

    metric: TargetMetric
    value: float = Field(ge=0)
    by: date
    # `from` in YAML: the baseline; absent, it is measured on the first cohorts of the data.
    baseline: float | None = Field(default=None, ge=0, alias="from")
    # {<by column or trait>: <value>}: one segment value, as `pql metrics --by` names it.
    segment: dict[str, Scalar] | None = None
    name: str | None = Field(default=None, min_length=1)
    # Which side of `value` is reached: default up, down for time_to_pql (faster is better).
    direction: Literal["up", "down"] | None = None

    @model_validator(mode="after")
    def _fits_metric(self) -> Target:
        if self.metric in RATE_METRICS:
            for key, number in (("value", self.value), ("from", self.baseline)):
                if number is not None and number > 1:
                    raise ValueError(
                        f"{key} {number:g} is not a rate: {self.metric} targets are between 0 "
                        "and 1 (e.g. 0.2 for 20%)"
                    )
        if self.segment is not None and len(self.segment) != 1:
            raise ValueError("segment names exactly one column or trait: {<column>: <value>}")
        return self

    @property
    def label(self) -> str:
        """The target's name (`<metric>-<by>` when not named)."""
        return self.name or f"{self.metric}-{self.by.isoformat()}"


class Definition(_Model):
    """A named PQL definition: criteria, the rule over them, usage window and fit."""

    name: str = Field(min_length=1)
    criteria: list[Criterion] = Field(min_length=1)
    qualify: QualifyRule = Field(default_factory=lambda: QualifyRule(all=True))
    min_active_days: int | None = Field(default=None, ge=1)
    # Lifecycle (docs/semantics.md): inactive for E days, the entity is no PQL until active.
    expire_after_inactive_days: float | None = Field(default=None, gt=0)
    activity: Activity | None = None
    fit: Fit = Field(default_factory=Fit)

    @model_validator(mode="after")
    def _activity_expires(self) -> Definition:
        if self.activity is not None and self.expire_after_inactive_days is None:
            raise ValueError(
                "activity says which events keep a lead active: give expire_after_inactive_days too"
            )
        return self

    @property
    def rolling(self) -> bool:
        """Whether a PQL can stop being one by time alone: a criterion with in_last_days
        or an expiry (docs/semantics.md "Lifecycle")."""
        return self.expire_after_inactive_days is not None or any(
            getattr(c, "in_last_days", None) is not None for c in self.criteria
        )

    @property
    def threshold(self) -> float:
        """Sum of weights needed (weights are 1 unless the rule is a score)."""
        rule, n = self.qualify, len(self.criteria)
        if rule.all:
            return float(n)
        if rule.at_least is not None:
            return float(rule.at_least)
        if rule.fraction is not None:
            return float(math.ceil(rule.fraction * n - RULE_TOLERANCE))
        assert rule.score is not None
        return rule.score

    def weight_of(self, criterion: Criterion) -> float:
        """The criterion's weight under this rule."""
        return criterion.weight if self.qualify.score is not None else 1.0


TableName = Literal["events", "users", "accounts", "conversions"]


class ColumnMaps(_Model):
    """Per table: canonical column -> the user's column name in their files."""

    events: dict[str, str] = Field(default_factory=dict)
    users: dict[str, str] = Field(default_factory=dict)
    accounts: dict[str, str] = Field(default_factory=dict)
    conversions: dict[str, str] = Field(default_factory=dict)

    @field_validator("events", "users", "accounts", "conversions")
    @classmethod
    def _canonical_keys(cls, mapping: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        from pqlengine.store import SCHEMAS

        known = list(SCHEMAS[str(info.field_name)])
        unknown = [key for key in mapping if key not in known]
        if unknown:
            parts = []
            for key in unknown:
                guess = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
                parts.append(f"'{key}'" + (f" (did you mean '{guess[0]}'?)" if guess else ""))
            raise ValueError(
                f"unknown column {', '.join(parts)}; the keys are our column names "
                f"({', '.join(known)}) and the values yours"
            )
        return mapping

    def for_table(self, table: str) -> dict[str, str]:
        """Mapping for one table."""
        result: dict[str, str] = getattr(self, table)
        return result


TransitionKind = Literal["entered", "left"]


def _entered_only() -> list[TransitionKind]:
    return ["entered"]


def _both_kinds() -> list[TransitionKind]:
    return ["entered", "left"]


class _DestinationBase(_Model):
    name: str | None = Field(default=None, min_length=1)
    on: list[TransitionKind] = Field(default_factory=_entered_only)
    max_attempts: int = Field(default=8, ge=1, le=50)
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)

    @property
    def label(self) -> str:
        """The destination's name in the outbox (its `name:` or its type)."""
        return self.name or str(getattr(self, "type", "destination"))


class WebhookDestination(_DestinationBase):
    """POST each transition as JSON, signed with HMAC-SHA256 over timestamp + body."""

    type: Literal["webhook"]
    url: str = Field(min_length=1)
    # "${ENV_VAR}" or a literal; `secret_file:` reads it from a file instead.
    secret: str | None = None
    secret_file: str | None = None
    on: list[TransitionKind] = Field(default_factory=_both_kinds)


class SlackDestination(_DestinationBase):
    """A Slack incoming webhook (Block Kit message)."""

    type: Literal["slack"]
    url: str = Field(min_length=1)


class HubSpotDestination(_DestinationBase):
    """Update a HubSpot company (account entity) or contact (user entity) property set."""

    type: Literal["hubspot"]
    base_url: str = "https://api.hubapi.com"
    token: str | None = None
    # The unique HubSpot property the entity id is looked up by (PATCH ?idProperty=...).
    id_property: str | None = None
    on: list[TransitionKind] = Field(default_factory=_both_kinds)


class SalesforceDestination(_DestinationBase):
    """Upsert PQL fields on a Salesforce object by an external id field."""

    type: Literal["salesforce"]
    base_url: str = Field(min_length=1)
    token: str | None = None
    api_version: str = Field(default="v61.0", pattern=r"^v\d+\.\d$")
    object: str = Field(default="Account", pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    external_id_field: str = Field(default="PQL_Entity_Id__c", pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    fields: dict[str, str] = Field(
        default_factory=lambda: {
            "pql_status": "PQL_Status__c",
            "pql_score": "PQL_Score__c",
            "pql_qualified_at": "PQL_Qualified_At__c",
        }
    )
    on: list[TransitionKind] = Field(default_factory=_both_kinds)


class IntercomDestination(_DestinationBase):
    """Set pql_* custom attributes on an Intercom company (account) or contact (user) and tag it.

    Intercom's REST API (Intercom-Version header); docs/connectors.md has the requests.
    """

    type: Literal["intercom"]
    base_url: str = "https://api.intercom.io"
    token: str | None = None
    api_version: str = Field(default="2.11", pattern=r"^(\d+\.\d+|Unstable)$")
    # Tagged on entering, untagged on leaving (a second outbox row); null: no tag.
    tag: str | None = Field(default="PQL", min_length=1)
    on: list[TransitionKind] = Field(default_factory=_both_kinds)


class DriftDestination(_DestinationBase):
    """Set pql_* attributes on a Drift contact (user entities: the id is Drift's contact id)."""

    type: Literal["drift"]
    base_url: str = "https://driftapi.com"
    token: str | None = None
    on: list[TransitionKind] = Field(default_factory=_both_kinds)


Destination = Annotated[
    WebhookDestination
    | SlackDestination
    | HubSpotDestination
    | SalesforceDestination
    | IntercomDestination
    | DriftDestination,
    Field(discriminator="type"),
]


_TABLE_NAME = r"parquet:.+|[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*){0,2}"


class StoreConfig(_Model):
    """Where the canonical tables are read from and results written to.

    `backend: duckdb` (default) is our own file; any other Ibis backend (postgres, pyspark,
    snowflake, bigquery, ...) is read-only for the canonical tables: results go to tables
    we own in `results_schema`.
    """

    backend: str = Field(default="duckdb", pattern=r"^[a-z][a-z0-9_]*$")
    path: str | None = None
    url: str | None = None
    master: str | None = None
    conf: dict[str, str | int | float | bool] = Field(default_factory=dict)
    options: dict[str, Any] = Field(default_factory=dict)
    results_schema: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    # DuckDB's buffer pool limit (it spills to disk beyond it); env PQL_MEMORY_LIMIT wins.
    memory_limit: str | None = Field(
        default=None, pattern=r"(?i)^\d+(\.\d+)?\s*([KMGT]i?B|B)$", examples=["600MB", "4GB"]
    )
    # DuckDB's worker threads (default: one per core); env PQL_THREADS wins.
    threads: int | None = Field(default=None, ge=1, le=1024)
    events_table: str | None = None
    users_table: str | None = None
    accounts_table: str | None = None
    conversions_table: str | None = None

    @field_validator("events_table", "users_table", "accounts_table", "conversions_table")
    @classmethod
    def _table_name(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(_TABLE_NAME, value):
            raise ValueError(
                f"'{value}' is not a table name: use table, schema.table or "
                "catalog.schema.table (letters, digits, _ and $), or parquet:/path/*.parquet"
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> StoreConfig:
        if self.backend == "duckdb":
            if self.url or self.master or self.conf:
                raise ValueError("url, master and conf are not used with backend duckdb (path)")
        elif self.path is not None or self.memory_limit is not None or self.threads is not None:
            raise ValueError(
                f"path, memory_limit and threads are for backend duckdb; {self.backend} takes "
                "url or options"
            )
        if self.backend != "pyspark" and (self.master or self.conf):
            raise ValueError("master and conf are for backend pyspark")
        return self

    @classmethod
    def parse(cls, text: str) -> StoreConfig:
        """`store:` as a string: a DuckDB path, `duckdb://path`, `pyspark://local[2]`, or any
        Ibis connection URL (`postgres://user@host:5432/db`, ...)."""
        scheme, sep, rest = text.partition("://")
        if not sep:
            return cls(path=text)
        scheme = scheme.lower()
        if scheme == "duckdb":
            return cls(path=rest)
        if scheme == "pyspark":
            return cls(backend="pyspark", master=rest or "local[*]")
        backend = {"postgresql": "postgres"}.get(scheme, scheme)
        return cls(backend=backend, url=text)

    def table_for(self, canonical: str) -> str:
        """The user's table holding a canonical table (its own name by default)."""
        mapped: str | None = getattr(self, f"{canonical}_table", None)
        return mapped or canonical


# Event rows the live entity cache keeps by default (`Live.cache_rows`).
CACHE_ROWS = 5_000_000


class Live(_Model):
    """Settings of `pql serve`: Segment mapping, alert guards, loop timing."""

    # Where a track/page/screen call's account id comes from, first non-empty wins.
    account_id_from: list[str] = Field(
        default_factory=lambda: ["context.groupId", "properties.account_id"]
    )
    # No second "entered" alert for the same entity and destination within this time.
    cooldown_hours: float = Field(default=24.0, ge=0)
    # A qualification first seen later than this after its qualified_at (e.g. after a
    # definition change) is recorded as a transition but not alerted.
    max_alert_age_hours: float = Field(default=24.0, gt=0)
    evaluate_every_ms: int = Field(default=100, ge=10, le=60_000)
    # Failed deliveries wait base * 2^(attempt-1) seconds (half of it jittered), at most max.
    retry_base_seconds: float = Field(default=1.0, gt=0, le=3600)
    retry_max_seconds: float = Field(default=600.0, gt=0, le=86_400)
    # An ingest request whose body has not fully arrived this long after its headers: 408.
    body_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    # How often the service checks `targets:` and alerts a target gone off track.
    targets_every_seconds: float = Field(default=3600.0, ge=1, le=7 * 86_400)
    # Event rows the evaluator's entity cache keeps (about 150 bytes each): size it to the
    # events of the entities active at once; an entity dropped for room is read again from
    # `events` (a scan of the store) when it is next touched.
    cache_rows: int = Field(default=CACHE_ROWS, ge=1_000, le=1_000_000_000)

    @field_validator("account_id_from")
    @classmethod
    def _paths(cls, paths: list[str]) -> list[str]:
        for path in paths:
            head = path.split(".", 1)[0]
            if head not in {"context", "properties", "traits"} or "." not in path:
                raise ValueError(
                    f"'{path}' must be a dotted path under context, properties or traits "
                    "(e.g. context.groupId)"
                )
        return paths


class Project(_Model):
    """The whole pql.yaml."""

    project: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    entity: Literal["account", "user"] = "account"
    store: StoreConfig | None = None
    signup: SignupSource = Field(default_factory=lambda: SignupSource(source="accounts"))
    conversion: ConversionSource = Field(
        default_factory=lambda: ConversionSource(source="conversions")
    )
    observation_days: int = Field(default=30, ge=1)
    conversion_window_days: int = Field(default=90, ge=1)
    definition: Definition
    columns: ColumnMaps = Field(default_factory=ColumnMaps)
    destinations: list[Destination] = Field(default_factory=list)
    live: Live = Field(default_factory=Live)
    outcomes: Outcomes = Field(default_factory=Outcomes)
    targets: list[Target] = Field(default_factory=list)

    # Where the file came from; not part of the definition.
    root: Path | None = Field(default=None, exclude=True)

    @field_validator("signup", mode="before")
    @classmethod
    def _signup_shorthand(cls, value: Any) -> Any:
        return {"source": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _drift_updates_people(self) -> Project:
        if self.entity == "account" and any(
            isinstance(d, DriftDestination) for d in self.destinations
        ):
            raise ValueError(
                "a drift destination updates Drift contacts (people): it needs entity: user"
            )
        return self

    @field_validator("store", mode="before")
    @classmethod
    def _store_shorthand(cls, value: Any) -> Any:
        return StoreConfig.parse(os.path.expandvars(value)) if isinstance(value, str) else value

    @property
    def store_config(self) -> StoreConfig:
        """The `store:` block (a DuckDB file under .pql/ when absent)."""
        return self.store or StoreConfig()

    @property
    def store_path(self) -> str:
        """The DuckDB file, resolved against the project directory."""
        raw = self.store_config.path or f".pql/{self.project}.duckdb"
        path = Path(os.path.expandvars(raw))
        if not path.is_absolute() and self.root is not None:
            path = self.root / path
        return str(path)

    @property
    def version(self) -> str:
        """Stable content hash of everything that changes who qualifies when."""
        return definition_version(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = PROJECT_FILE) -> Project:
        """Validate a pql.yaml-shaped dict; raise ConfigError listing every problem."""
        return _validate(LocatedYaml(data=data), source, root=None)


# The fields that change who qualifies when; the version hashes exactly these.
SEMANTIC_FIELDS = frozenset(
    {"entity", "signup", "conversion", "observation_days", "conversion_window_days", "definition"}
)


def semantic_json(project: Project) -> str:
    """Canonical JSON (sorted keys, no nulls) of the fields that define qualification.

    `kind: count` is left out: a criterion without `kind` is a count, and a definition
    written before kinds existed keeps its version."""
    payload = project.model_dump(mode="json", include=set(SEMANTIC_FIELDS), exclude_none=True)
    for criterion in payload["definition"]["criteria"]:
        if criterion.get("kind") == "count":
            del criterion["kind"]
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


def definition_version(project: Project) -> str:
    """12 hex digits of SHA-256 over the canonical JSON of the semantic fields."""
    text = semantic_json(project)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the project file."""

    where: str
    message: str
    line: int | None
    source: str

    def __str__(self) -> str:
        place = f"in {self.source}, line {self.line}" if self.line else f"in {self.source}"
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.message}, {place}"


class ConfigError(ValueError):
    """pql.yaml is invalid; `problems` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_project(path: str | Path) -> Project:
    """Load `path` (a pql.yaml or a directory holding one); raise ConfigError on problems."""
    file = Path(path)
    if file.is_dir():
        file = file / PROJECT_FILE
    if not file.exists():
        raise ConfigError(
            [Problem("", "file not found (run `pql init` to create one)", None, str(file))]
        )
    text = file.read_text(encoding="utf-8")
    try:
        located = load_located(text)
    except YamlSyntaxError as exc:
        raise ConfigError([Problem("", f"not valid YAML: {exc}", exc.line, file.name)]) from None
    if not isinstance(located.data, dict):
        raise ConfigError([Problem("", "the file must be a mapping of keys", 1, file.name)])
    return _validate(located, file.name, root=file.parent.resolve())


def _validate(located: LocatedYaml, source: str, root: Path | None) -> Project:
    data = dict(located.data)
    problems = [
        Problem(_dotted(path), message, located.line_of(path), source)
        for path, message in _cross_field_problems(data) + _target_problems(data)
    ]
    try:
        project = Project.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(err, located, source) for err in exc.errors()] + problems
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise ConfigError(_dedupe(problems))
    return project.model_copy(update={"root": root}) if root is not None else project


def _cross_field_problems(data: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """Checks that span several keys, run on the raw data so that they are reported
    together with every field problem (pydantic would only run them once fields pass)."""
    definition = data.get("definition")
    criteria = definition.get("criteria") if isinstance(definition, dict) else None
    if not isinstance(definition, dict) or not isinstance(criteria, list):
        return []
    found: list[tuple[tuple[str | int, ...], str]] = []
    ids = [c.get("id") for c in criteria if isinstance(c, dict)]
    for index, criterion_id in enumerate(ids):
        if criterion_id is not None and ids.index(criterion_id) < index:
            found.append(
                (
                    ("definition", "criteria", index, "id"),
                    f"criterion id '{criterion_id}' is used twice; ids must be unique",
                )
            )
    found += _criterion_problems(data, criteria)
    rule = definition.get("qualify")
    if not isinstance(rule, dict):
        return found
    n = len(criteria)
    at_least = rule.get("at_least")
    if isinstance(at_least, int) and not isinstance(at_least, bool) and at_least > n:
        found.append(
            (
                ("definition", "qualify", "at_least"),
                f"qualify.at_least is {at_least} but there are only {n} criteria",
            )
        )
    score = rule.get("score")
    reachable = [_most_points(c) for c in criteria if isinstance(c, dict)]
    if isinstance(score, int | float) and all(isinstance(w, int | float) for w in reachable):
        total = float(sum(reachable))
        with_points = any(isinstance(c, dict) and "points" in c for c in criteria)
        parts = " and max_points" if with_points else ""
        if total + RULE_TOLERANCE < score:
            found.append(
                (
                    ("definition", "qualify", "score"),
                    f"qualify.score is {score} but the weights{parts} only sum to {total:g}",
                )
            )
    return found


def _target_problems(data: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """Two targets with one name (their alerts and outputs are keyed by it)."""
    targets = data.get("targets")
    if not isinstance(targets, list):
        return []
    found: list[tuple[tuple[str | int, ...], str]] = []
    seen: set[str] = set()
    for index, target in enumerate(targets):
        if not isinstance(target, dict):
            continue
        label = str(target.get("name") or f"{target.get('metric')}-{target.get('by')}")
        if label in seen:
            found.append(
                (
                    ("targets", index),
                    f"target name '{label}' is used twice; give each target its own name",
                )
            )
        seen.add(label)
    return found


def _most_points(criterion: dict[str, Any]) -> Any:
    """The most a criterion can contribute to a score (inf: points without max_points)."""
    if criterion.get("points") is None:
        return criterion.get("weight", 1.0)
    return criterion.get("max_points", math.inf)


def _criterion_problems(
    data: dict[str, Any], criteria: list[Any]
) -> list[tuple[tuple[str | int, ...], str]]:
    """Misuses of a criterion kind that depend on the entity or the rule."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    rule = data["definition"].get("qualify")
    scored = isinstance(rule, dict) and "score" in rule
    for index, criterion in enumerate(criteria):
        if not isinstance(criterion, dict):
            continue
        at = ("definition", "criteria", index)
        if criterion.get("kind") == "users" and data.get("entity") == "user":
            found.append(
                (
                    (*at, "kind"),
                    "kind users counts the users of an account; this project's entity is "
                    "user (use entity: account, or kind: count)",
                )
            )
        if criterion.get("points") is not None and criterion.get("kind") in (
            *COUNTING_KINDS,
            None,
        ):
            if not scored:
                found.append(
                    (
                        (*at, "points"),
                        "points only count under a score rule: set qualify: {score: s} "
                        "(or drop points)",
                    )
                )
            if criterion.get("weight", 1.0) not in (1, 1.0, None):  # 1 is the default
                found.append(
                    (
                        (*at, "weight"),
                        "give weight (while the criterion holds) or points (per unit of "
                        "progress), not both",
                    )
                )
    return found


def _problem(err: Any, located: LocatedYaml, source: str) -> Problem:
    tagged = tuple(p for p in err["loc"] if not _is_union_tag(p))
    loc = _without_tags(tagged)
    where = _dotted(loc)
    line = located.line_of(loc)
    if err["type"] == "union_tag_invalid" and loc[:2] == ("definition", "criteria"):
        kind = str(err["ctx"]["tag"])
        return Problem(
            f"{where}.kind", _unknown_kind(kind), located.line_of((*loc, "kind")), source
        )
    if err["type"] == "extra_forbidden":
        key = str(loc[-1])
        parent_model = _model_at(tagged[:-1])
        hint = _KEY_HINTS.get((getattr(parent_model, "__name__", ""), key))
        if hint is not None:
            return Problem(where, hint, line, source)
        known = list(parent_model.model_fields) if parent_model else []
        known = [k for k in known if k != "root"]
        guess = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f"; did you mean '{guess[0]}'?" if guess else f"; known keys: {', '.join(known)}"
        return Problem(where, f"unknown key '{key}'{hint}", line, source)
    message = err["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return Problem(where, message, line, source)


def _unknown_kind(kind: str) -> str:
    close = difflib.get_close_matches(kind, KINDS, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"unknown kind '{kind}' (one of {', '.join(KINDS)}){hint}"


_POINTS_HINT = (
    "points are for kinds count, sum, distinct, users and active_days (progress you can "
    "multiply); use weight here"
)
_KEY_HINTS: dict[tuple[str, str], str] = {
    ("ConsecutiveDaysCriterion", "points"): _POINTS_HINT,
    ("ConsecutiveDaysCriterion", "max_points"): _POINTS_HINT,
    ("SequenceCriterion", "points"): _POINTS_HINT,
    ("SequenceCriterion", "max_points"): _POINTS_HINT,
    ("SequenceCriterion", "event"): "a sequence names its events in steps: [{event: ...}, ...]",
    (
        "SequenceCriterion",
        "where",
    ): "a sequence filters per step: steps: [{event: ..., where: ...}]",
    ("SequenceCriterion", "at_least"): (
        "a sequence holds from its first completion; at_least is not used (bound it with "
        "within_hours or within_days)"
    ),
    **{
        (model, "property"): "property is for kind sum or distinct"
        for model in ("CountCriterion", "UsersCriterion", "ActiveDaysCriterion")
    },
    **{
        (model, "in_last_days"): (
            "in_last_days is for kinds count, sum, distinct, users and active_days (a "
            "rolling window over items)"
        )
        for model in ("ConsecutiveDaysCriterion", "SequenceCriterion")
    },
}


def _is_union_tag(part: Any) -> bool:
    # pydantic puts the union member type in loc (e.g. 'str', 'list[...]'); users never wrote it.
    return isinstance(part, str) and (part in {"str", "int", "float", "bool"} or "[" in part)


_DESTINATIONS: dict[str, type[BaseModel]] = {
    "webhook": WebhookDestination,
    "slack": SlackDestination,
    "hubspot": HubSpotDestination,
    "salesforce": SalesforceDestination,
    "intercom": IntercomDestination,
    "drift": DriftDestination,
}
# Lists whose items are a union tagged by a key (pydantic puts the tag after the index).
_TAGGED_LISTS: dict[str, dict[str, type[BaseModel]]] = {
    "destinations": _DESTINATIONS,
    "criteria": CRITERION_MODELS,
}


def _is_tag(loc: tuple[Any, ...], index: int) -> bool:
    return (
        index >= 2
        and isinstance(loc[index - 1], int)
        and loc[index - 2] in _TAGGED_LISTS
        and loc[index] in _TAGGED_LISTS[loc[index - 2]]
    )


def _without_tags(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """`loc` without the discriminator values pydantic adds; users never wrote them."""
    return tuple(part for index, part in enumerate(loc) if not _is_tag(loc, index))


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_CHILDREN: dict[type[BaseModel], dict[str, type[BaseModel]]] = {
    Project: {
        "signup": SignupSource,
        "conversion": ConversionSource,
        "definition": Definition,
        "columns": ColumnMaps,
        "live": Live,
        "store": StoreConfig,
        "outcomes": Outcomes,
        "targets": Target,
    },
    Outcomes: {"mrr": MrrSource},
    Definition: {"qualify": QualifyRule, "fit": Fit},
    SequenceCriterion: {"steps": Step},
}


def _model_at(tagged: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model at a pydantic `loc` (discriminator tags included)."""
    model: type[BaseModel] = Project
    for index, part in enumerate(tagged):
        if isinstance(part, int):
            continue
        if _is_tag(tagged, index):
            model = _TAGGED_LISTS[tagged[index - 2]][part]
            continue
        if part in _TAGGED_LISTS and index + 1 < len(tagged):
            continue  # the model comes with the tag after the index
        child = _CHILDREN.get(model, {}).get(str(part))
        if child is None:
            return None
        model = child
    return model


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for problem in problems:
        if str(problem) not in seen:
            seen.add(str(problem))
            out.append(problem)
    return out


def write_template(directory: str | Path, project_name: str | None = None) -> Path:
    """Write a commented starter pql.yaml into `directory`; refuse to overwrite one."""
    from importlib.resources import files

    target_dir = Path(directory)
    target = target_dir / PROJECT_FILE
    if target.exists():
        raise FileExistsError(f"{target} already exists; edit it or choose another directory")
    name = project_name or target_dir.resolve().name or "project"
    name = "".join(ch if ch.isalnum() or ch in "_.-" else "-" for ch in name)
    template = files("pqlengine").joinpath("templates/pql.yaml").read_text(encoding="utf-8")
    target_dir.mkdir(parents=True, exist_ok=True)
    target.write_text(template.replace("{project}", name), encoding="utf-8")
    return target


def replace_definition(project_file: Path, updates: dict[str, Any], backup_dir: Path) -> Path:
    """Set the keys in `updates` in the `definition:` block of pql.yaml, keeping every other
    key and line (comments included); the previous file is kept as
    `backup_dir/<old version>.yaml`. Returns the backup path."""
    old_project = load_project(project_file)
    text = project_file.read_text(encoding="utf-8")
    candidate = set_definition_keys(text, updates)
    Project.from_dict(load_located(candidate).data)  # refuse to write an invalid file
    backup_dir.mkdir(parents=True, exist_ok=True)
    backup = backup_dir / f"{old_project.version}.yaml"
    backup.write_text(text, encoding="utf-8")
    project_file.write_text(candidate, encoding="utf-8")
    return backup
