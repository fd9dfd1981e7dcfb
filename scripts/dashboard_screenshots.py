"""Screenshots of the dashboard and the report at 1440x900 on the demo product, for docs/.

Generates the demo (2,000 accounts, seed 7), writes `pql report`, starts the real
`pql serve`, makes one account qualify over the Segment API, logs in with headless
Chromium (the Debian package) and saves one PNG per page:

    .venv/bin/python scripts/dashboard_screenshots.py --out docs
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.live.dashboard_fixture import (  # noqa: E402
    LIVE_ACCOUNT,
    chromium,
    make_demo,
    qualify_one_account_now,
    write_report,
)
from tests.live.harness import API_TOKEN, LiveServer  # noqa: E402

AS_OF = "2026-10-29"  # the demo's data ends 2026-11-01; late October shows a month in progress
VIEWPORT = {"width": 1440, "height": 900}
PAGES = (
    ("dashboard.png", f"/?as_of={AS_OF}"),
    ("dashboard-cohorts.png", f"/cohorts?as_of={AS_OF}"),
    ("dashboard-drivers.png", f"/drivers?as_of={AS_OF}"),
    ("dashboard-leads.png", "/leads"),
    ("dashboard-lead.png", f"/leads/{LIVE_ACCOUNT}"),
    ("dashboard-definition.png", f"/definition?as_of={AS_OF}"),
)


def settle(page: Page, url: str) -> float:
    """Load until the numbers are computed and every chart is drawn; seconds it took."""
    started = time.perf_counter()
    page.goto(url)
    while page.locator("[data-computing], [data-status=stale]").count():
        page.wait_for_timeout(500)
        page.reload()
    page.wait_for_function(
        "[...document.querySelectorAll('figure.chart')].every(f => f.dataset.rendered)",
        timeout=120_000,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--work", type=Path, default=None, help="Keep the demo here.")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="pql-screens-"))
    args.out.mkdir(parents=True, exist_ok=True)
    demo = make_demo(work / "demo", args.accounts)
    report = work / "report.html"
    done = write_report(demo, report, work / "png", "--as-of", AS_OF)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    executable = chromium()
    if executable is None:
        raise SystemExit("install Debian's chromium first (apt-get install -y chromium)")
    server = LiveServer(demo).start()
    try:
        qualify_one_account_now(server)
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=executable)
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(f"{server.url}/login")
            page.fill("#token", API_TOKEN)
            page.click("form.login button[type=submit]")
            page.wait_for_url(f"{server.url}/")
            for name, path in PAGES:
                seconds = settle(page, f"{server.url}{path}")
                page.screenshot(path=str(args.out / name))
                print(f"{name}: {path} ready in {seconds:.1f} s")
            page.goto(report.as_uri())
            page.screenshot(path=str(args.out / "report.png"))
            print(f"report.png: {report}")
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
