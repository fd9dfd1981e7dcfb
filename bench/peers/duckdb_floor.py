"""The floor: one raw DuckDB GROUP BY scan of the events Parquet files, nothing else.

    .venv/bin/python -m bench.peers.duckdb_floor DATA_DIR OUT_DIR

No engine can qualify accounts faster than it reads the events once and groups them, so
this is what the other timings are divided by.
"""

from __future__ import annotations

import json

import duckdb
from bench.peers.common import cli_paths, inputs

FLOOR_SQL = """
SELECT account_id, event, count(*) AS events, min(ts) AS first_ts
FROM read_parquet($events)
GROUP BY ALL
"""


def main() -> int:
    """Run the scan; write how many (account, event) groups it produced."""
    data_dir, out_dir = cli_paths()
    con = duckdb.connect()
    groups = con.execute(FLOOR_SQL, {"events": inputs(data_dir)["events"]}).to_arrow_table()
    (out_dir / "floor.json").write_text(json.dumps({"groups": groups.num_rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
