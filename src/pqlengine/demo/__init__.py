"""Synthetic product-led SaaS ("Taskly") with a known ground truth, written as Parquet files.

Every account has a latent engagement level that drives the rate of all its events, so every
behaviour is correlated with conversion. Only three behaviours in the first 14 days after signup
(inviting a member, sharing a document, connecting an integration) and the firmographic fit
change the conversion probability; `ground_truth()` and `ground_truth.json` say by how much.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from pqlengine.demo.accounts import _accounts_table, _simulate_accounts
from pqlengine.demo.causal import _Totals
from pqlengine.demo.files import (
    USERS_SCHEMA,
    DemoFiles,
    _prepare_dirs,
    _remove_old_store,
    _simulate_chunk,
    _simulated_truth,
)
from pqlengine.demo.model import (
    CAUSAL,
    CHUNK_ACCOUNTS,
    DEFAULT_END,
    EVENT_NAMES,
    EVENTS,
    PQL_YAML,
    CausalBehaviour,
    EventSpec,
    _to_us,
    ground_truth,
)

__all__ = [
    "CAUSAL",
    "CHUNK_ACCOUNTS",
    "DEFAULT_END",
    "EVENTS",
    "EVENT_NAMES",
    "PQL_YAML",
    "CausalBehaviour",
    "DemoFiles",
    "EventSpec",
    "generate_files",
    "ground_truth",
    "write_demo",
]


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
            outcome_rng = np.random.default_rng([seed, number + 1, 19])
            chunk = _simulate_chunk(rng, accounts.slice(start, stop), totals, end_us, outcome_rng)
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
        events=totals.events + totals.sub_events,
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
