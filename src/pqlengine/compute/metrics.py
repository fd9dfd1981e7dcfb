"""The four PQL metrics per signup cohort and segment (docs/semantics.md, "Cohort metrics").

Light to import: a repeated `pql metrics` runs cached SQL (`compiled`) and imports Ibis only
when it has to compile (`cohorts` holds the expressions).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pqlengine.compute import compiled
from pqlengine.compute.periods import Period, SegmentError, period_label, to_utc_naive
from pqlengine.config import Project
from pqlengine.stats.intervals import Proportion, Unavailable, wilson_interval
from pqlengine.store import Store

if TYPE_CHECKING:
    import ibis.expr.types as ir

# SegmentError: what compute_metrics raises for a `by` nobody has.
__all__ = ["CohortCounts", "SegmentError", "compute_metrics"]


@dataclass(frozen=True)
class CohortCounts:
    """Sufficient statistics of one cohort (or a pool of cohorts)."""

    signups: int
    pqls: int
    converted_pqls: int
    non_pql_converted: int
    time_to_pql_days: dict[str, float | None]

    @property
    def pql_rate(self) -> Proportion:
        """PQLs among signups."""
        return Proportion(self.pqls, self.signups)

    @property
    def pql_to_paid(self) -> Proportion:
        """Converted PQLs among PQLs."""
        return Proportion(self.converted_pqls, self.pqls)

    @property
    def non_pql_to_paid(self) -> Proportion:
        """Converted non-PQLs among non-PQL signups."""
        return Proportion(self.non_pql_converted, self.signups - self.pqls)


def _counts(row: dict[str, Any]) -> CohortCounts:
    pqls = int(row["pqls"] or 0)
    quantiles = {
        k: (float(row[k]) if pqls and row[k] is not None else None)
        for k in ("median", "p25", "p75")
    }
    return CohortCounts(
        signups=int(row["signups"]),
        pqls=pqls,
        converted_pqls=int(row["converted_pqls"] or 0),
        non_pql_converted=int(row["non_pql_converted"] or 0),
        time_to_pql_days=quantiles,
    )


def compute_metrics(
    store: Store,
    project: Project,
    as_of: datetime,
    period: Period = "month",
    by: str | None = None,
    qualified: ir.Table | None = None,
) -> dict[str, Any]:
    """Cohort rows, the overall row over complete cohorts and PQL counts per period.

    `qualified`: an already computed `qualification(store, project, as_of)` to reuse.
    """
    if qualified is None and compiled.cacheable(store):
        found = _cached_rows(store, project, as_of, period, by)
    else:
        from pqlengine.compute.cohorts import expression_rows

        found = expression_rows(store, project, as_of, period, by, qualified)
    result: dict[str, Any] = {
        "as_of": to_utc_naive(as_of).isoformat() + "Z",
        "definition": {"name": project.definition.name, "version": project.version},
        "period": period,
        "by": by,
        "observation_days": project.observation_days,
        "conversion_window_days": project.conversion_window_days,
        "cohorts": [
            _row(
                period_label(r["cohort_start"], period),
                r["segment"],
                bool(r["complete"]),
                _counts(r),
            )
            for r in found["cohorts"]
        ],
        "overall": _row(None, None, True, _counts(found["overall"][0])),
    }
    if by is not None:
        result["overall_by_segment"] = [
            _row(None, r["segment"], True, _counts(r)) for r in found["segments"]
        ]
    result["pql_count_by_period"] = pipeline(found["counts"], period)
    return result


PIPELINE = ("pqls", "new", "requalified", "lapsed", "ended_by_conversion", "open_at_end")


def pipeline(changes: list[dict[str, Any]], period: Period) -> list[dict[str, Any]]:
    """`pql_count_by_period`: per period with an episode starting or ending and segment,
    the PIPELINE numbers (docs/semantics.md "Per period")."""
    return [
        {
            "period": period_label(r["start"], period),
            "segment": r["segment"],
            **{name: int(r[name] or 0) for name in PIPELINE},
        }
        for r in changes
    ]


# Temporary tables of one cached metrics run (renamed per run, `compiled.bind`).
_QUALIFIED = "_pql_metrics_qualified"
_COHORTS = "_pql_metrics_cohorts"


def _cached_rows(
    store: Store, project: Project, as_of: datetime, period: Period, by: str | None
) -> dict[str, list[dict[str, Any]]]:
    """`cohorts.metric_queries`' rows by SQL compiled once (`compiled`): the qualification
    (one statement per definition, shared by every period and segment) and the cohort
    columns go to temporary tables that the small queries read."""
    qualified = compiled.compiled(
        store,
        compiled.qualification_key(project, detail=False),
        lambda: _compile_qualification(store, project),
    )

    def build() -> compiled.Statements:
        from pqlengine.compute.cohorts import metric_statements

        tables = (_QUALIFIED, _COHORTS)
        return metric_statements(store, project, period, by, qualified["schema"], tables)

    # What the statements depend on besides the store: not the criteria (they are in the
    # qualification), so random definitions in tests share these small statements.
    parts = {
        "query": "metrics",
        "qualified": qualified["schema"],
        "entity": project.entity,
        "days": [project.observation_days, project.conversion_window_days],
        "period": period,
        "by": by,
    }
    statements = compiled.compiled(store, parts, build)
    if "segment_check" in statements and not compiled.scalar(store, statements["segment_check"]):
        from pqlengine.compute.cohorts import segment_error

        raise segment_error(store, project, str(by))
    names = compiled.temporary_names(_QUALIFIED, _COHORTS)
    compiled.set_as_of(store, to_utc_naive(as_of))
    raw = store.raw
    try:
        for sql, name in ((qualified["sql"], _QUALIFIED), (statements["cohorts_table"], _COHORTS)):
            raw.execute(f'CREATE TEMP TABLE "{names[name]}" AS {compiled.bind(sql, names)}')
        skip = {"cohorts_table", "segment_check"}
        return {
            name: compiled.rows(store, compiled.bind(sql, names))
            for name, sql in statements.items()
            if name not in skip
        }
    finally:
        for name in names.values():
            raw.execute(f'DROP TABLE IF EXISTS temp."{name}"')


def _compile_qualification(store: Store, project: Project) -> compiled.Statements:
    from pqlengine.compute.qualify import qualification_statements

    return qualification_statements(store, project, detail=False)


def _rate(
    name: str, proportion: Proportion, notes: list[dict[str, str]]
) -> tuple[float | None, list[float] | None]:
    interval = wilson_interval(proportion)
    if isinstance(interval, Unavailable):
        notes.append({"field": name, "code": interval.code, "message": interval.message})
        return None, None
    return proportion.rate, [interval[0], interval[1]]


def _row(
    cohort: str | None, segment: str | None, complete: bool, counts: CohortCounts
) -> dict[str, Any]:
    notes: list[dict[str, str]] = []
    pql_rate, pql_rate_ci = _rate("pql_rate", counts.pql_rate, notes)
    to_paid, to_paid_ci = _rate("pql_to_paid", counts.pql_to_paid, notes)
    non_pql, non_pql_ci = _rate("non_pql_to_paid", counts.non_pql_to_paid, notes)
    if counts.pqls == 0:
        notes.append(
            {
                "field": "time_to_pql_days",
                "code": "empty",
                "message": "no PQLs, so there is no time to PQL",
            }
        )
    return {
        "cohort": cohort,
        "segment": segment,
        "complete": complete,
        "signups": counts.signups,
        "pqls": counts.pqls,
        "pql_rate": pql_rate,
        "pql_rate_ci": pql_rate_ci,
        "time_to_pql_days": counts.time_to_pql_days,
        "converted_pqls": counts.converted_pqls,
        "pql_to_paid": to_paid,
        "pql_to_paid_ci": to_paid_ci,
        "non_pql_converted": counts.non_pql_converted,
        "non_pql_to_paid": non_pql,
        "non_pql_to_paid_ci": non_pql_ci,
        "notes": notes,
    }
