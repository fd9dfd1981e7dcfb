"""The demo under a complete null: conversions drawn at random, independent of behaviour.

Used to check that `validate` and `discover` claim a difference no more often than their
nominal error rate when nothing predicts conversion (tests and bench/bench_null.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pyarrow as pa

from pqlengine.config import Project, load_project
from pqlengine.demo.files import DemoFiles
from pqlengine.store import Store

# About a third of accounts pay, most of them early (a constant hazard with a 30-day mean,
# as when trials end after a few weeks), so many convert inside any qualification window:
# the case in which conditioning on "qualified before converting" biases a comparison.
NULL_CONVERSION_SHARE = 0.3
NULL_CONVERSION_MEAN_DAYS = 30.0

_CONVERSION_LINE = re.compile(r"^conversion:.*$", re.MULTILINE)


def null_project(files: DemoFiles) -> Project:
    """Point the demo's pql.yaml at the `conversions` table (filled by
    `write_null_conversions`) instead of its "Subscription Started" events."""
    text = files.project_file.read_text(encoding="utf-8")
    text, replaced = _CONVERSION_LINE.subn("conversion: {source: conversions}", text)
    if replaced != 1:
        raise ValueError(f"{files.project_file}: expected one 'conversion:' line")
    files.project_file.write_text(text, encoding="utf-8")
    return load_project(Path(files.project_file))


def null_conversions(
    entity_ids: pa.Array,
    signed_up_at: pa.Array,
    seed: int,
    share: float = NULL_CONVERSION_SHARE,
    mean_days: float = NULL_CONVERSION_MEAN_DAYS,
) -> pa.Table:
    """Each entity converts with probability `share`, an exponential time (mean `mean_days`
    days) after its signup; the draw ignores everything else about the entity."""
    rng = np.random.default_rng(seed)
    n = len(entity_ids)
    chosen = rng.random(n) < share
    offsets_us = (rng.exponential(mean_days * 86_400e6, n)).astype(np.int64)
    signup_us = signed_up_at.cast(pa.timestamp("us")).to_numpy(zero_copy_only=False)
    converted = signup_us[chosen] + offsets_us[chosen].astype("timedelta64[us]")
    count = int(chosen.sum())
    return pa.table(
        {
            "entity_id": pa.array(entity_ids.to_numpy(zero_copy_only=False)[chosen], pa.string()),
            "converted_at": pa.array(converted, pa.timestamp("us")),
            "amount": pa.nulls(count, pa.float64()),
            "plan": pa.nulls(count, pa.string()),
        }
    )


def write_null_conversions(store: Store, seed: int, **draw: float) -> int:
    """Replace the store's conversions with a fresh null draw for every account; returns
    how many converted. `draw` passes `share` / `mean_days` on to `null_conversions`."""
    accounts = store.table("accounts").select("account_id", "created_at").to_pyarrow()
    table = null_conversions(accounts["account_id"], accounts["created_at"], seed, **draw)
    store.con.insert("conversions", table, overwrite=True)
    return table.num_rows
