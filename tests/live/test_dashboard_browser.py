"""The dashboard end to end: a real `pql serve` on the demo product, headless Chromium
(the Debian package, driven by Playwright), numbers checked against the REST API.

Screenshots go to $PQL_SCREENSHOTS when set, else to a temporary artifacts folder.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pqlengine.report import format as fmt
from tests.live.dashboard_fixture import (
    LIVE_ACCOUNT,
    chromium,
    make_demo,
    qualify_one_account_now,
    write_report,
)
from tests.live.harness import API_TOKEN, LiveServer

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.e2e,  # a browser against a real `pql serve` on loopback
    pytest.mark.skipif(
        chromium() is None, reason="needs the Debian chromium package (.ci/run installs it)"
    ),
]

DEMO_ACCOUNTS = 400
CHART_TIMEOUT_MS = 30_000
PAGES = ("/", "/cohorts", "/drivers", "/outcomes", "/leads", "/definition")


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("PQL_SCREENSHOTS")
    folder = Path(given) if given else tmp_path_factory.mktemp("artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = make_demo(tmp_path_factory.mktemp("dashboard") / "demo", DEMO_ACCOUNTS)
    report, png = directory / "report.html", directory / "png"
    done = write_report(directory, report, png, "--as-of", "2026-11-01")
    assert done.returncode == 0, done.stderr
    return {"dir": directory, "report": report, "png": png}


@pytest.fixture(scope="module")
def server(demo: dict[str, Path]) -> Iterator[LiveServer]:
    running = LiveServer(demo["dir"]).start()
    qualify_one_account_now(running)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=chromium())
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, server: LiveServer) -> Iterator[Any]:
    """A logged-in page that fails the test on any JavaScript error."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.goto(f"{server.url}/")
    assert "/login" in tab.url
    tab.fill("#token", API_TOKEN)
    tab.click("form.login button[type=submit]")
    tab.wait_for_url(f"{server.url}/")
    yield tab
    context.close()
    assert errors == []


def open_page(tab: Any, url: str) -> None:
    """Load `url` until its numbers are computed and current, then wait for every chart.
    A heavy panel (a second or more: the precomputed one, on a loaded machine) is recomputed
    no sooner than SPACING times its last duration after newer data came (live/reads.py);
    until then the page shows it as `spaced`, the numbers before the live account's events,
    so current numbers can take a minute."""
    tab.goto(url)
    old = "[data-status=stale], [data-status=spaced]"
    for _ in range(240):
        if tab.locator("[data-computing]").count() == 0 and tab.locator(old).count() == 0:
            break
        tab.wait_for_timeout(500)
        tab.reload()
    assert tab.locator("[data-computing]").count() == 0, "still computing after 2 minutes"
    assert tab.locator(old).count() == 0, "still stale or spaced after 2 minutes"
    assert tab.locator("[data-error]").count() == 0, tab.locator("[data-error]").inner_text()
    tab.wait_for_function(
        "[...document.querySelectorAll('figure.chart')].every(f => f.dataset.rendered)",
        timeout=CHART_TIMEOUT_MS,
    )
    figures = tab.locator("figure.chart")
    for index in range(figures.count()):
        figure = figures.nth(index)
        assert figure.get_attribute("data-rendered") == "true", figure.get_attribute("data-chart")
        box = figure.locator(".vega svg").bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 50


def api(server: LiveServer, path: str, **params: Any) -> Any:
    return server.api(path, **params)


def shown(tab: Any, selector: str) -> str:
    return str(tab.locator(selector).first.get_attribute("data-value"))


def close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-9


def cohort_rows(tab: Any) -> dict[tuple[str, str], dict[str, str]]:
    rows = {}
    table = tab.locator("table[data-table=cohorts] tbody tr")
    for index in range(table.count()):
        row = table.nth(index)
        key = (str(row.get_attribute("data-cohort")), str(row.get_attribute("data-segment")))
        cells = row.locator("td[data-field]")
        rows[key] = {
            str(cells.nth(i).get_attribute("data-field")): str(
                cells.nth(i).get_attribute("data-value")
            )
            for i in range(cells.count())
        }
    return rows


def assert_cohorts_equal_api(tab: Any, metrics: dict[str, Any], segment: str | None = None) -> None:
    shown_rows = cohort_rows(tab)
    expected = [c for c in metrics["cohorts"] if c["segment"] == segment]
    overall = (
        metrics["overall"]
        if segment is None
        else next(r for r in metrics["overall_by_segment"] if r["segment"] == segment)
    )
    assert len(shown_rows) == len(expected) + 1
    for row in [*expected, {**overall, "cohort": "overall"}]:
        cells = shown_rows[(row["cohort"], "")]
        assert int(cells["signups"]) == row["signups"]
        assert int(cells["pqls"]) == row["pqls"]
        assert int(cells["converted_pqls"]) == row["converted_pqls"]
        for field in ("pql_rate", "pql_to_paid", "non_pql_to_paid"):
            assert close(None if cells[field] == "None" else cells[field], row[field]), field
        median = row["time_to_pql_days"]["median"]
        assert close(None if cells["time_to_pql"] == "None" else cells["time_to_pql"], median)


def test_login_is_required_and_the_cookie_is_strict(server: LiveServer) -> None:
    anonymous = httpx.get(f"{server.url}/leads?page=2", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=%2Fleads%3Fpage%3D2"
    wrong = httpx.post(f"{server.url}/login", data={"token": "nope", "next": "/"})
    assert wrong.status_code == 401 and "not the API token" in wrong.text
    good = httpx.post(f"{server.url}/login", data={"token": API_TOKEN, "next": "//evil.example/"})
    assert good.status_code == 303 and good.headers["location"] == "/"
    cookie = good.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie  # plain http on 127.0.0.1: see docs/dashboard.md
    assert API_TOKEN not in cookie
    bearer = httpx.get(
        f"{server.url}/", headers={"Authorization": f"Bearer {API_TOKEN}"}, timeout=60
    )
    assert bearer.status_code == 200 and "Content-Security-Policy" in bearer.headers
    static = httpx.get(f"{server.url}/static/vega-bundle.js")
    assert static.status_code == 200 and "vegaEmbed" in static.text[-2000:]
    assert httpx.get(f"{server.url}/static/../app.py").status_code == 404


def test_every_page_loads_and_draws_its_charts(
    page: Any, server: LiveServer, artifacts: Path
) -> None:
    for path in PAGES:
        open_page(page, f"{server.url}{path}")
        name = path.strip("/") or "overview"
        page.screenshot(path=str(artifacts / f"dashboard-{name}.png"), full_page=True)
        assert page.locator("nav a[aria-current=page]").get_attribute("href").startswith(path)
    assert (artifacts / "dashboard-overview.png").stat().st_size > 10_000


def test_overview_and_cohort_numbers_equal_the_api(page: Any, server: LiveServer) -> None:
    open_page(page, f"{server.url}/cohorts")
    metrics = api(server, "/api/metrics", period="month")
    assert_cohorts_equal_api(page, metrics)
    open_page(page, f"{server.url}/")
    complete = [c for c in metrics["cohorts"] if c["complete"]]
    tile = page.locator("[data-tile=pql_rate]")
    assert close(
        tile.locator("[data-value]").first.get_attribute("data-value"), complete[-1]["pql_rate"]
    )
    assert tile.locator(".big").inner_text().startswith(fmt.pct(complete[-1]["pql_rate"]))
    counts = {p["period"]: p["pqls"] for p in metrics["pql_count_by_period"]}
    this_month = page.locator("[data-tile=pqls] .big [data-value]").get_attribute("data-value")
    assert int(this_month) == counts[max(counts)]  # the live account qualified this month
    spec = json.loads(page.locator("figure[data-chart=pql_count] script.spec").inner_text())
    values = (
        next(d["values"] for d in spec["datasets"].values())
        if "datasets" in spec
        else spec["data"]["values"]
    )
    assert {v["period"]: v["pqls"] for v in values} == counts


def test_period_and_segment_pickers_change_every_panel(page: Any, server: LiveServer) -> None:
    open_page(page, f"{server.url}/cohorts")
    page.select_option("select[data-picker=period]", "week")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/cohorts?period=week*")
    open_page(page, page.url)
    assert_cohorts_equal_api(page, api(server, "/api/metrics", period="week"))
    assert page.locator("[data-scope]").inner_text().count("week") >= 1

    page.select_option("select[data-picker=by]", "plan")
    page.select_option("select[data-picker=segment]", "trial")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**segment=trial*")
    open_page(page, page.url)
    assert "only plan = trial" in page.locator("[data-scope]").inner_text()
    by_plan = api(server, "/api/metrics", period="week", by="plan")
    assert_cohorts_equal_api(page, by_plan, "trial")
    # The pickers travel with the navigation: the overview is filtered too.
    page.click("nav a:text('Overview')")
    open_page(page, page.url)
    assert "segment=trial" in page.url and "only plan = trial" in page.inner_text("[data-scope]")
    page.click("nav a:text('Leads')")
    total = int(page.locator("[data-table=leads]").get_attribute("data-total"))
    leads = api(server, "/api/leads", status="pql", limit=1000)["items"]
    assert total == sum(1 for lead in leads if lead["fit"]["plan"] == "trial")


def test_lead_queue_equals_the_api_and_opens_a_timeline(page: Any, server: LiveServer) -> None:
    page.goto(f"{server.url}/leads")
    expected = api(server, "/api/leads", status="pql", limit=1000)
    table = page.locator("table[data-table=leads]")
    assert int(table.get_attribute("data-total")) == expected["total"]
    by_id = {lead["entity_id"]: lead for lead in expected["items"]}
    rows = table.locator("tbody tr[data-entity]")
    assert rows.count() == min(50, expected["total"])
    scores = []
    for index in range(rows.count()):
        row = rows.nth(index)
        lead = by_id[str(row.get_attribute("data-entity"))]
        score = float(str(row.locator("[data-field=score]").get_attribute("data-value")))
        assert score == lead["score"]
        assert row.locator("[data-field=qualified_at]").inner_text() == fmt.when(
            lead["qualified_at"]
        )
        scores.append(score)
    assert scores == sorted(scores, reverse=True)
    live = page.locator(f"tr[data-entity='{LIVE_ACCOUNT}']")
    assert "reach-out" in str(live.get_attribute("class"))
    assert "reach out within 24 h" in live.inner_text()
    live.locator("a").click()
    page.wait_for_url(f"**/leads/{LIVE_ACCOUNT}*")
    detail = api(server, f"/api/leads/{LIVE_ACCOUNT}")
    assert page.inner_text("[data-field=status]") == detail["status"] == "pql"
    assert page.inner_text("[data-field=why]") == detail["why"]
    assert page.locator("table[data-table=timeline] tbody tr").count() == len(detail["timeline"])
    assert page.locator("table[data-table=criteria] tbody tr").count() == len(detail["criteria"])
    # Last seen: the newest event of the timeline, on the lead page and in the queue.
    assert detail["last_seen_at"] == detail["timeline"][0]["ts"]
    assert page.inner_text("[data-field=last_seen_at]") == fmt.when(detail["last_seen_at"])
    page.goto(f"{server.url}/leads")
    queued = page.locator(f"tr[data-entity='{LIVE_ACCOUNT}'] [data-field=last_seen_at]")
    assert queued.inner_text() == fmt.when(detail["last_seen_at"])


def test_lapsed_leads_have_their_own_tab(page: Any, server: LiveServer) -> None:
    page.goto(f"{server.url}/leads")
    assert page.locator("nav.tabs a[aria-current=true]").inner_text() == "Open PQLs"
    page.click("nav.tabs a[data-status=lapsed]")
    page.wait_for_url("**/leads?status=lapsed")
    assert page.locator("[data-panel=leads]").get_attribute("data-status") == "lapsed"
    assert page.locator("nav.tabs a[aria-current=true]").inner_text() == "Lapsed"
    expected = api(server, "/api/leads", status="lapsed", limit=1000)
    table = page.locator("table[data-table=leads]")
    assert int(table.get_attribute("data-total")) == expected["total"]
    shown_ids = table.locator("tbody tr[data-entity]")
    assert sorted(
        str(shown_ids.nth(i).get_attribute("data-entity")) for i in range(shown_ids.count())
    ) == sorted(lead["entity_id"] for lead in expected["items"][:50])
    if not expected["total"]:
        assert "No lapsed leads." in table.inner_text()
    assert page.locator(".reach-out").count() == 0  # only open PQLs are to reach out to
    bad = httpx.get(
        f"{server.url}/leads?status=converted", headers={"Authorization": f"Bearer {API_TOKEN}"}
    )
    assert bad.status_code == 400
    assert "status: &#39;converted&#39; is not one of pql, lapsed" in bad.text


def test_overview_shows_the_data_end_and_flags_a_stale_as_of(page: Any, server: LiveServer) -> None:
    open_page(page, f"{server.url}/")
    end = str(page.locator("[data-scope] [data-data-end]").get_attribute("data-data-end"))
    assert "data ends " + fmt.when(end) in page.inner_text("[data-scope]")
    # The fixture's live account acted a minute before the server's first page: recent.
    assert page.locator("[data-stale-data]").count() == 0
    open_page(page, f"{server.url}/?as_of=2030-01-01")
    banner = page.inner_text("[data-stale-data]")
    assert banner.startswith(f"Stale data: data ends at {end}, ")
    assert "before as-of 2030-01-01T00:00:00Z (more than 7 days)" in banner


def test_definition_page_shows_versions_and_compares_them(page: Any, server: LiveServer) -> None:
    open_page(page, f"{server.url}/definition")
    assert "observation_days: 30" in page.inner_text("pre[data-file='pql.yaml']")
    versions = api(server, "/api/definitions")
    rows = page.locator("table[data-table=versions] tbody tr")
    assert rows.count() == len(versions["items"]) == 2
    assert page.locator(f"tr[data-version='{versions['current']}'] .badge").inner_text() == "in use"
    assert page.locator("table[data-table=compare] tbody tr").count() > 0
    assert page.locator("figure[data-chart=compare]").get_attribute("data-rendered") == "true"


def test_report_opens_offline_with_every_chart(
    browser: Any, demo: dict[str, Path], artifacts: Path
) -> None:
    html = demo["report"].read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html.split("</style>")[0]
    context = browser.new_context(viewport={"width": 1440, "height": 900}, offline=True)
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    tab = context.new_page()
    tab.goto(demo["report"].as_uri())
    figures = tab.locator("figure.chart")
    names = [figures.nth(i).get_attribute("data-chart") for i in range(figures.count())]
    assert names == ["pql_count", "pipeline", "pql_rate", "pql_to_paid", "time_to_pql",
                     "cohort_grid", "funnel", "drivers", "retention"]  # fmt: skip
    for index in range(figures.count()):
        svg = figures.nth(index).locator("svg").first
        box = svg.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 50
        assert svg.locator("path, rect, line").count() > 3
    assert requests == [demo["report"].as_uri()]  # nothing fetched but the file itself
    tab.screenshot(path=str(artifacts / "report.png"), full_page=True)
    context.close()
    pngs = sorted(p.name for p in demo["png"].glob("*.png"))
    assert pngs == sorted(f"{name}.png" for name in names)
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in demo["png"].glob("*.png"))


def outcome_cells(html_page: Any) -> dict[tuple[str, str], str]:
    """(field, group) -> data-value of the outcomes table."""
    cells = html_page.locator("table[data-table=outcomes] tbody td[data-group]")
    found = {}
    for index in range(cells.count()):
        cell = cells.nth(index)
        field = cell.locator("xpath=..").get_attribute("data-field")
        found[(str(field), str(cell.get_attribute("data-group")))] = str(
            cell.get_attribute("data-value")
        )
    return found


def test_outcomes_page_equals_the_report_and_draws_retention(
    page: Any, server: LiveServer, browser: Any, demo: dict[str, Path]
) -> None:
    """The dashboard's Outcomes page at the report's as_of shows the report's numbers (one
    computation, two renderings), with both groups' retention curves drawn."""
    open_page(page, f"{server.url}/outcomes?as_of=2026-11-01")
    assert page.locator("figure[data-chart=retention]").get_attribute("data-rendered") == "true"
    shown_cells = outcome_cells(page)
    assert (
        int(shown_cells[("customers", "pql")]) > 0
        and int(shown_cells[("customers", "non_pql")]) > 0
    )
    assert float(shown_cells[("retention_3m", "pql")]) > 0.5
    assert "LTV PQL = ARPA" in page.locator("[data-outcome-tests]").inner_text()
    context = browser.new_context(offline=True)
    report = context.new_page()
    report.goto(demo["report"].as_uri())
    assert outcome_cells(report) == shown_cells
    context.close()
