"""Shared fixtures: an in-memory store and a small project definition."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pqlengine.store import Store


@pytest.fixture
def store() -> Iterator[Store]:
    """A fresh in-memory store."""
    opened = Store.open(":memory:")
    yield opened
    opened.close()


def base_config(**overrides: Any) -> dict[str, Any]:
    """A minimal pql.yaml-shaped dict; keyword arguments replace top-level keys."""
    config: dict[str, Any] = {
        "project": "t",
        "entity": "account",
        "signup": {"source": "accounts"},
        "conversion": {"event": "Paid"},
        "observation_days": 30,
        "conversion_window_days": 90,
        "definition": {
            "name": "d",
            "criteria": [{"id": "a", "event": "A"}],
            "qualify": "all",
        },
    }
    config.update(overrides)
    return config


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backends",
        default="duckdb",
        help="backends for tests/parity: comma-separated duckdb,postgres,pyspark or 'all' "
        "(make test runs duckdb; make test-all runs all)",
    )
