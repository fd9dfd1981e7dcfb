"""Our engine through its library, in one process: the qualification compiled from pql.yaml
runs once (cached in DuckDB), then the cohort metrics reuse it; the same outputs as a peer.

    .venv/bin/python -m bench.peers.ours PROJECT_DIR OUT_DIR

(`pql qualify` and `pql metrics` are two processes and each computes the qualification;
bench_peers.py times that pair too.)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bench.peers.common import AS_OF, cli_paths, cohort_rows, write_metrics

from pqlengine.compute.metrics import compute_metrics
from pqlengine.compute.qualify import qualification
from pqlengine.config import load_project
from pqlengine.store import Store


def engine_sums(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    """`compute_metrics` output (or `pql metrics --format json`) as `cohort_rows` input."""
    sums = []
    for row in [*metrics["cohorts"], metrics["overall"]]:
        label = row["cohort"]
        sums.append(
            {
                "month_start": None if label is None else datetime.strptime(label, "%Y-%m"),
                "signups": row["signups"],
                "pqls": row["pqls"],
                "converted_pqls": row["converted_pqls"],
                "non_pql_converted": round(
                    (row["non_pql_to_paid"] or 0) * (row["signups"] - row["pqls"])
                ),
                "median_days_to_pql": row["time_to_pql_days"]["median"],
            }
        )
    return sums


def main() -> int:
    """Qualify and measure; write qualified.parquet and metrics.json."""
    project_dir, out_dir = cli_paths()
    project = load_project(project_dir)
    store = Store.for_project(project)
    table = qualification(store, project, AS_OF, detail=False).cache()
    try:
        per_account = table.select(
            account_id=table.entity_id,
            signup_at=table.signup_at,
            converted_at=table.converted_at,
            qualified_at=table.qualified_at,
        ).order_by("account_id")
        per_account.to_parquet(out_dir / "qualified.parquet")
        metrics = compute_metrics(store, project, AS_OF, qualified=table)
        write_metrics(out_dir, cohort_rows(engine_sums(metrics)))
    finally:
        table.release()  # before the connection closes
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
