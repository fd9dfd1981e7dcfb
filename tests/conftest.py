"""Shared fixtures (an in-memory store, the session's demo projects) and the hypothesis
profiles."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import settings

from pqlengine.store import Store
from tests.support.demo import DemoProjects
from tests.support.examples import DEV_EXAMPLES, profile

# Properties that set max_examples themselves use tests.support.examples.examples(n); these
# profiles are the default for the others (ci: hypothesis's own default of 100).
settings.register_profile("ci", max_examples=100)
settings.register_profile("dev", max_examples=DEV_EXAMPLES)
settings.load_profile(profile())


@pytest.fixture
def store() -> Iterator[Store]:
    """A fresh in-memory store."""
    opened = Store.open(":memory:")
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def demo_projects(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoProjects]:
    """Demo projects built once per session (tests.support.demo); checked unchanged at the
    end, since tests share them."""
    projects = DemoProjects(tmp_path_factory.mktemp("demo-projects"))
    yield projects
    changed = projects.changed()
    assert not changed, f"a test wrote to a shared demo project (use copy): {changed}"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backends",
        default="duckdb",
        help="backends for tests/parity: comma-separated duckdb,postgres,pyspark or 'all' "
        "(make test runs duckdb; make test-all runs all)",
    )


def pytest_report_header() -> str:
    return f"hypothesis profile: {profile()} (PQL_HYPOTHESIS)"
