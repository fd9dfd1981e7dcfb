"""The definitions the peers are hand-written for, one per data shape.

A `Shape` says what every peer computes (criteria, rule, active-day gate, fit, conversion)
for one kind of data: `demo` is the Taskly demo of `pql demo` (its pql.yaml is the engine's
own template, which `definition_mismatches` checks against DEMO), `dense` is
bench/dense_shape.py's data (accounts active on many days), whose pql.yaml is written from
DENSE by `Shape.pql_yaml`. Both share AS_OF, observation and conversion windows and the
free-mail list (bench/peers/common.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from pqlengine.config import FREE_EMAIL_DOMAINS, Project

OBSERVATION_DAYS = 30
CONVERSION_WINDOW_DAYS = 90
FREE_DOMAINS = list(FREE_EMAIL_DOMAINS)


@dataclass(frozen=True)
class Criterion:
    """A count criterion: `event` done `at_least` times (optionally within `within_days` of
    signup; `where`: (property, text): only events whose properties[property] is that
    JSON string)."""

    id: str
    event: str
    at_least: int
    within_days: int | None = None
    where: tuple[str, str] | None = None


@dataclass(frozen=True)
class Shape:
    """One definition: account entity, signup at accounts.created_at, conversion at the
    first `conversion_event`, qualify when `criteria_needed` criteria hold, on at least
    `min_active_days` active days, fit without free-mail domains and with at least
    `min_employees` employees (unknown passes)."""

    name: str
    project: str
    conversion_event: str
    criteria: tuple[Criterion, ...]
    criteria_needed: int
    min_active_days: int
    min_employees: int

    @property
    def criterion_events(self) -> list[str]:
        return sorted({c.event for c in self.criteria})

    @property
    def max_at_least(self) -> int:
        return max(c.at_least for c in self.criteria)

    def pql_yaml(self) -> str:
        """The project file of this shape's data (store under .pql/)."""
        lines = [
            f"# Written by bench/dense_shape.py from bench/peers/shapes.py ({self.name}).",
            f"project: {self.project}",
            "entity: account",
            f"store: .pql/{self.project}.duckdb",
            "signup: {source: accounts}",
            f'conversion: {{event: "{self.conversion_event}"}}',
            f"observation_days: {OBSERVATION_DAYS}",
            f"conversion_window_days: {CONVERSION_WINDOW_DAYS}",
            "definition:",
            f"  name: {self.name}",
            "  criteria:",
        ]
        for c in self.criteria:
            parts = [f"id: {c.id}", f'event: "{c.event}"', f"at_least: {c.at_least}"]
            if c.within_days is not None:
                parts.append(f"within_days: {c.within_days}")
            if c.where is not None:
                parts.append(f"where: {{{c.where[0]}: {c.where[1]}}}")
            lines.append(f"    - {{{', '.join(parts)}}}")
        lines += [
            f"  qualify: {{at_least: {self.criteria_needed}}}",
            f"  min_active_days: {self.min_active_days}",
            "  fit:",
            "    exclude_free_email_domains: true",
            f"    min_employees: {self.min_employees}",
        ]
        return "\n".join(lines) + "\n"


DEMO = Shape(
    name="activation",
    project="taskly",
    conversion_event="Subscription Started",
    criteria=(
        Criterion("invited", "Invited Member", 1),
        Criterion("docs", "Created Document", 2),
        Criterion("shared", "Shared Document", 1, within_days=14),
        Criterion("assets", "Uploaded Asset", 3),
        Criterion("tasks", "Added Task", 3, where=("source", "web")),
        Criterion("calendar", "Created Calendar", 1),
    ),
    criteria_needed=3,  # the demo's {fraction: 0.4} of 6 criteria
    min_active_days=2,
    min_employees=5,
)

DENSE = Shape(
    name="dense_activation",
    project="dense",
    conversion_event="Subscription Started",
    criteria=(
        Criterion("projects", "Created Project", 3),
        Criterion("invites", "Invited Teammate", 1),
        Criterion("exports", "Exported Report", 2, where=("format", "csv")),
        Criterion("comments", "Commented", 5),
        Criterion("integrations", "Connected Integration", 1),
    ),
    criteria_needed=3,
    min_active_days=2,
    min_employees=5,
)

SHAPES = {"demo": DEMO, "dense": DENSE}


def definition_mismatches(project: Project, shape: Shape) -> list[str]:
    """How a loaded pql.yaml differs from the definition the peers implement for `shape`."""
    definition = project.definition
    problems = []
    expected = [(c.event, c.at_least, c.within_days, c.where) for c in shape.criteria]
    found = [
        (c.event, c.at_least, c.within_days, _single_where(c.where)) for c in definition.criteria
    ]
    if found != expected:
        problems.append(f"criteria {found} != {expected}")
    if any(c.kind != "count" for c in definition.criteria):
        problems.append("a criterion is not a count")
    checks = {
        "entity": (project.entity, "account"),
        "signup source": (project.signup.source, "accounts"),
        "conversion event": (project.conversion.event, shape.conversion_event),
        "observation_days": (project.observation_days, OBSERVATION_DAYS),
        "conversion_window_days": (project.conversion_window_days, CONVERSION_WINDOW_DAYS),
        "threshold": (definition.threshold, float(shape.criteria_needed)),
        "min_active_days": (definition.min_active_days, shape.min_active_days),
        "min_employees": (definition.fit.min_employees, shape.min_employees),
        "free email domains": (
            list(definition.fit.free_domains) if definition.fit.exclude_free_email_domains else [],
            FREE_DOMAINS,
        ),
        "fit where": (definition.fit.where or None, None),
        "require_known": (definition.fit.require_known, False),
    }
    for name, (have, want) in checks.items():
        if have != want:
            problems.append(f"{name}: {have!r} != {want!r}")
    return problems


def _single_where(where: dict[str, object] | None) -> tuple[str, object] | None:
    """A `where` of one equality on a string as (property, text); other forms as they are
    (a mismatch then names them)."""
    if not where:
        return None
    if len(where) == 1:
        ((key, value),) = where.items()
        if isinstance(value, str):
            return (key, value)
    return ("where", repr(where))
