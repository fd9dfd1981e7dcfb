"""The outcome a discovery-type command tests behaviours against (docs/semantics.md "Outcome
choice in discovery"): `converted` (the default), `retained_<D>` or `revenue_<D>`.

Every command reads behaviours before its landmark and counts an entity as converted in
[landmark, landmark + conversion_window_days]; this module only swaps that label for what
happened in the D days after conversion (from compute/customers.py), and narrows the
population to the entities whose D days are over. Behaviours stay in their windows, so the
swap adds no leakage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

import ibis
import ibis.expr.types as ir

from pqlengine.compute.customers import customers
from pqlengine.compute.periods import to_utc_naive
from pqlengine.config import Project
from pqlengine.store import Store, Tables

OutcomeKind = Literal["converted", "retained", "revenue"]
Among = Literal["converters", "all"]
OUTCOMES_TAKEN = "converted, retained_<days> or revenue_<days>"
_PATTERN = re.compile(r"(retained|revenue)_([0-9]+)")


@dataclass(frozen=True)
class Outcome:
    """What a command calls success: converted, or retained / revenue over `days` after
    conversion, among the converters or among all (non-converters count 0)."""

    kind: OutcomeKind = "converted"
    days: int | None = None
    among: Among = "converters"

    @property
    def numeric(self) -> bool:
        """True for revenue (a number per entity), False for yes/no outcomes."""
        return self.kind == "revenue"

    @property
    def name(self) -> str:
        """As written on the command line: converted, retained_90, revenue_180."""
        return self.kind if self.days is None else f"{self.kind}_{self.days}"

    def describe(self, conversion_words: str) -> str:
        """The outcome and its population in words; `conversion_words` says how the command
        counts a conversion (e.g. 'converted after the first 14 days')."""
        if self.kind == "converted":
            return conversion_words
        what = (
            f"not churned within {self.days} days of converting"
            if self.kind == "retained"
            else f"revenue in the {self.days} days after converting"
        )
        if self.among == "converters":
            return f"{what}, among the entities {conversion_words}"
        return f"{what}, among all entities (0 for those not {conversion_words})"


def parse_outcome(text: str, among: str | None = None) -> Outcome:
    """`--outcome` and `--among` as an Outcome; ValueError naming the option otherwise."""
    if among not in (None, "converters", "all"):
        raise ValueError(f"--among: '{among}' is not converters or all")
    if text == "converted":
        if among is not None:
            raise ValueError("--among: only with --outcome retained_<days> or revenue_<days>")
        return Outcome()
    match = _PATTERN.fullmatch(text)
    if match is None or int(match.group(2)) < 1:
        raise ValueError(f"--outcome: '{text}' is not {OUTCOMES_TAKEN} (days a whole number >= 1)")
    kind: OutcomeKind = "retained" if match.group(1) == "retained" else "revenue"
    return Outcome(kind, int(match.group(2)), "all" if among == "all" else "converters")


def outcome_from_json(stored: dict[str, Any] | None) -> Outcome:
    """The Outcome a `Population.to_json()` names (absent, as in older stored results:
    converted)."""
    if not stored:
        return Outcome()
    return parse_outcome(str(stored["outcome"]), stored.get("among"))


def require_yes_no(outcome: Outcome, command: str) -> None:
    """Commands that only handle yes/no outcomes refuse a numeric one (ValueError)."""
    if outcome.numeric:
        raise ValueError(
            f"--outcome: {command} takes yes/no outcomes only (converted or retained_<days>), "
            f"not {outcome.name}"
        )


CONVERTED = Outcome()


@dataclass(frozen=True)
class Population:
    """Who the outcome was measured on: `entities` kept; `not_followed` left out because
    their D days after conversion (or after the horizon, for non-converters with `--among
    all`) are not over at as_of; `not_converters` left out because they did not convert
    (retained/revenue among converters)."""

    outcome: Outcome
    entities: int | None = None  # None for `converted`: the command's own count
    not_followed: int = 0
    not_converters: int = 0

    def counted(self, entities: int) -> Population:
        """This population with the command's own count filled in (for `converted`)."""
        return self if self.entities is not None else replace(self, entities=entities)

    def to_json(self) -> dict[str, Any]:
        """The documented shape: outcome, among, entities, those left out (and in words)."""
        return {
            "outcome": self.outcome.name,
            "among": None if self.outcome.kind == "converted" else self.outcome.among,
            "entities": self.entities,
            "left_out_not_followed": self.not_followed,
            "left_out_not_converters": self.not_converters,
            "left_out": self.sentence() or None,
        }

    def sentence(self) -> str:
        """The left-out counts in words (empty for `converted`)."""
        if self.outcome.kind == "converted":
            return ""
        parts = [
            f"{self.not_followed:,} customers not followed {self.outcome.days} days yet were "
            "left out"
        ]
        if self.outcome.among == "converters":
            parts.append(f"{self.not_converters:,} entities that did not convert were left out")
        return "; ".join(parts)


def labelled_frame(
    store: Store,
    project: Project,
    as_of: datetime,
    framed: ir.Table,
    outcome: Outcome,
) -> tuple[ir.Table, Population]:
    """`framed` (a landmark frame: entity_id, converted_at, window_end, converted_in_window,
    converted) with `converted` replaced by the outcome's yes/no label (for revenue: revenue
    > 0) and `outcome_value` (float: 1/0, or revenue), narrowed to the entities the outcome
    can be measured on. Rows converted inside the window stay (callers leave them out and
    count them)."""
    if outcome.kind == "converted":
        # nothing to narrow: the command counts its own entities (no extra query)
        # 1.0/0.0 by a CASE: PostgreSQL cannot cast a boolean to double precision.
        value = ibis.ifelse(framed.converted, 1.0, 0.0).cast("float64")
        return framed.mutate(outcome_value=value), Population(outcome)
    rows = (
        framed.filter(~framed.converted_in_window)
        .select("entity_id", "converted", "window_end")
        .to_pyarrow()
        .to_pylist()
    )
    labels, population = outcome_labels(store, project, as_of, rows, outcome)
    table = store.scratch_table(
        "_pql_outcome_labels",
        {"o_entity": list(labels), "o_value": [float(v) for v in labels.values()]},
        {"o_entity": "string", "o_value": "float64"},
    )
    joined = framed.left_join(table, framed.entity_id == table.o_entity)
    joined = joined.filter(joined.converted_in_window | joined.o_value.notnull())
    relabelled = joined.mutate(
        converted=ibis.ifelse(joined.converted_in_window, joined.converted, joined.o_value > 0),
        outcome_value=joined.o_value,
    )
    return relabelled.drop("o_entity", "o_value"), population


def outcome_labels(
    store: Tables,
    project: Project,
    as_of: datetime,
    rows: list[dict[str, Any]],
    outcome: Outcome,
) -> tuple[dict[str, float], Population]:
    """Per entity of `rows` (entity_id, converted: converted in the command's conversion
    window, window_end: its landmark) the outcome value (retained: 1.0/0.0; revenue), for the
    entities it can be measured on, and the population counts."""
    assert outcome.days is not None
    cutoff = to_utc_naive(as_of)
    found = customers(store, project, cutoff) if rows else None
    follow = timedelta(days=outcome.days)
    horizon = timedelta(days=project.conversion_window_days)
    labels: dict[str, float] = {}
    not_followed = not_converters = 0
    for row in rows:
        entity_id = str(row["entity_id"])
        customer = found.by_id.get(entity_id) if row["converted"] and found else None
        if customer is None:
            if row["converted"]:
                # converted per the command but no customer row: not measurable
                not_followed += 1
            elif outcome.among == "converters":
                not_converters += 1
            elif row["window_end"] + horizon + follow <= cutoff:
                labels[entity_id] = 0.0
            else:
                not_followed += 1
            continue
        assert found is not None
        if outcome.among == "all" and row["window_end"] + horizon + follow > cutoff:
            # one follow-up end for everyone, so keeping a converter cannot depend on when
            # within the window it converted
            not_followed += 1
            continue
        value = (
            found.retained(customer, outcome.days)
            if outcome.kind == "retained"
            else found.revenue_within(customer, outcome.days)
        )
        if value is None:
            not_followed += 1
        else:
            labels[entity_id] = float(value)
    population = Population(outcome, len(labels), not_followed, not_converters)
    return labels, population
