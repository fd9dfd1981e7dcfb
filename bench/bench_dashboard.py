"""Page loads of the dashboard on a big demo store: cold (first computation), warm (cached),
and right after new events (stale page served while the aggregates are recomputed).

    .venv/bin/python bench/bench_dashboard.py --accounts 100000 --out bench/out/demo-100k

Reuses the store in --out when it holds a demo project, else generates it with `pql demo`.
Times are wall clock on the client (httpx with the Bearer token, or headless Chromium for
a full render with every chart drawn); results are appended to bench/results.jsonl.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_core import PQL, machine, timed
from tests.live import harness
from tests.live.dashboard_fixture import qualify_one_account_now
from tests.live.harness import API_TOKEN, LiveServer

HERE = Path(__file__).resolve().parent
HEADERS = {"Authorization": f"Bearer {API_TOKEN}"}
WARM_PAGES = ("/", "/cohorts", "/leads", "/leads?page=20", "/definition", "/drivers")


def get(server: LiveServer, path: str) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = httpx.get(f"{server.url}{path}", headers=HEADERS, timeout=600)
    return (time.perf_counter() - started) * 1000, response


def until_computed(server: LiveServer, path: str) -> float:
    """Seconds from now until `path` shows computed, current numbers."""
    started = time.perf_counter()
    while True:
        _, response = get(server, path)
        assert response.status_code == 200, response.text[:500]
        if "data-computing" not in response.text and 'data-status="stale"' not in response.text:
            return time.perf_counter() - started
        time.sleep(0.5)


def warm(server: LiveServer, path: str, repeats: int = 5) -> dict[str, float]:
    times, size = [], 0
    for _ in range(repeats):
        ms, response = get(server, path)
        assert response.status_code == 200
        times.append(ms)
        size = len(response.content)
    return {"median_ms": round(statistics.median(times), 1), "bytes": size}


def browser_render(server: LiveServer, path: str) -> float | None:
    """Milliseconds for Chromium to load `path` and draw every chart (None without it)."""
    executable = shutil.which("chromium")
    if executable is None:
        return None
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=executable)
        page = browser.new_page(viewport={"width": 1440, "height": 900}, extra_http_headers=HEADERS)
        page.goto(f"{server.url}{path}")  # first load: JS bundle into the browser cache
        started = time.perf_counter()
        page.goto(f"{server.url}{path}")
        page.wait_for_function(
            "[...document.querySelectorAll('figure.chart')].every(f => f.dataset.rendered)"
        )
        elapsed = (time.perf_counter() - started) * 1000
        browser.close()
    return round(elapsed, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    record: dict[str, Any] = {"benchmark": "dashboard", "accounts": args.accounts}
    if not (args.out / "pql.yaml").exists():
        record["pql_demo"] = timed(
            [str(PQL), "demo", "--dir", str(args.out), "--accounts", str(args.accounts)]
        )
    harness.STARTUP_SECONDS = 7200.0  # the evaluator's baseline over every entity comes first
    started = time.perf_counter()
    server = LiveServer(args.out).start()
    try:
        record["server_ready_s"] = round(time.perf_counter() - started, 1)
        record["overview_cold_s"] = round(until_computed(server, "/"), 1)
        record["drivers_cold_s"] = round(until_computed(server, "/drivers"), 1)
        first = httpx.get(
            f"{server.url}/api/leads", params={"limit": 1}, headers=HEADERS, timeout=60
        ).json()["items"]
        record["warm"] = {path: warm(server, path) for path in WARM_PAGES}
        if first:  # not cached: one live qualification of one entity (GET /api/leads/{id})
            record["lead_page"] = warm(server, f"/leads/{first[0]['entity_id']}", repeats=1)
        record["overview_browser_render_ms"] = browser_render(server, "/")
        qualify_one_account_now(server)  # new events: the watermark moves
        stale_ms, response = get(server, "/")
        record["after_events"] = {
            "stale_page_ms": round(stale_ms, 1),
            "served_stale": 'data-status="stale"' in response.text,
            "fresh_again_s": round(until_computed(server, "/"), 1),
        }
    finally:
        server.stop()
    record["when"] = datetime.now(UTC).isoformat()
    record["machine"] = machine()
    print(json.dumps(record, indent=2))
    with (HERE / "results.jsonl").open("a") as handle:
        handle.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
