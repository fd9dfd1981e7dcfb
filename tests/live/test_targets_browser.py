"""The targets panel and the calculator page in a real browser against `pql serve`, their
numbers checked against `pql targets` and `pql calc` (tests/targets/data.py's project)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live.dashboard_fixture import chromium
from tests.live.harness import API_TOKEN, LiveServer
from tests.support.cli import pql
from tests.targets.data import write_project

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        chromium() is None, reason="needs the Debian chromium package (.ci/run installs it)"
    ),
]

TARGETS = """\
targets:
  - {name: paid, metric: pql_to_paid, value: 0.6, by: 2027-06-30, from: 0.1}
  - {name: volume, metric: pql_count, value: 30, by: 2027-06-30}
"""


def _json(root: Path, *args: str) -> dict[str, Any]:
    done = pql(*args, "--format", "json", cwd=root)
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(done.stdout)
    return found


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = write_project(tmp_path_factory.mktemp("targets-browser"), TARGETS)
    # The CLI's numbers first (the server then holds the store); both evaluate "now", and
    # the data ended a year ago, so the seconds between them change nothing.
    expected = {
        "targets": _json(root, "targets", "--no-alert"),
        "calc": _json(root, "calc", "--from-store", "--target-customers", "20"),
    }
    server = LiveServer(root).start()
    yield {"server": server, **expected}
    server.stop()


@pytest.fixture
def page(served: dict[str, Any]) -> Iterator[Any]:
    server = served["server"]
    with playwright_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium())
        tab = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.goto(f"{server.url}/")
        tab.fill("#token", API_TOKEN)
        tab.click("form.login button[type=submit]")
        tab.wait_for_url(f"{server.url}/")
        yield tab
        browser.close()
        assert errors == []


def _settled(tab: Any, url: str) -> None:
    tab.goto(url)
    for _ in range(60):
        if tab.locator("[data-computing]").count() == 0:
            return
        tab.wait_for_timeout(500)
        tab.reload()
    raise AssertionError(f"{url} still computing")


def test_overview_targets_panel_equals_pql_targets(page: Any, served: dict[str, Any]) -> None:
    _settled(page, f"{served['server'].url}/")
    rows = page.locator("[data-panel=targets] tbody tr")
    expected = served["targets"]["targets"]
    assert rows.count() == len(expected)
    for index, target in enumerate(expected):
        row = rows.nth(index)
        assert row.get_attribute("data-target") == target["name"]
        assert row.get_attribute("data-status") == target["status"]
        current = row.locator("td[data-field=current]").get_attribute("data-value")
        assert float(current) == pytest.approx(target["current"], rel=1e-12)
        chance = row.locator("td[data-field=probability]").get_attribute("data-value")
        if target["probability"] is None:
            assert chance == "None"
        else:
            assert float(chance) == pytest.approx(target["probability"], rel=1e-9)
    _screenshot(page, "dashboard-targets.png")


def test_calculator_prefills_the_store_and_calculates(page: Any, served: dict[str, Any]) -> None:
    url = served["server"].url
    _settled(page, f"{url}/calc")
    observed = served["calc"]["observed"]
    assert float(page.input_value("[data-input=pqls]")) == observed["pqls_per_month"]
    assert float(page.input_value("[data-input=rate]")) == observed["rate"]
    assert float(page.input_value("[data-input=arpa]")) == pytest.approx(observed["arpa"])
    # The pre-filled values, sent back unchanged, keep the store's interval.
    page.fill("[data-input=target_customers]", "20")
    page.click("form.calc button[type=submit]")
    page.wait_for_selector("[data-result=pqls_needed]")
    needed = page.locator("[data-result=pqls_needed]")
    expected = served["calc"]["pqls_needed"]
    assert float(needed.get_attribute("data-value")) == pytest.approx(expected["value"])
    assert float(needed.get_attribute("data-low")) == pytest.approx(expected["interval"][0])
    assert float(needed.get_attribute("data-high")) == pytest.approx(expected["interval"][1])
    # A typed rate: 100 PQLs x 0.25 = 25 customers, and no interval.
    page.fill("[data-input=pqls]", "100")
    page.fill("[data-input=rate]", "0.25")
    page.click("form.calc button[type=submit]")
    page.wait_for_selector("[data-result=customers]")
    customers = page.locator("[data-result=customers]")
    assert float(customers.get_attribute("data-value")) == pytest.approx(25.0)
    assert customers.get_attribute("data-low") is None
    assert "typed" in customers.inner_text()
    assert page.locator("nav a[aria-current=page]").get_attribute("href").startswith("/calc")
    _screenshot(page, "dashboard-calc.png")


def _screenshot(tab: Any, name: str) -> None:
    """Saved to $PQL_SCREENSHOTS when set (as the other dashboard tests do)."""
    folder = os.environ.get("PQL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(Path(folder) / name), full_page=True)
