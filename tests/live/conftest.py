"""Fixtures of the live service's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pqlengine.live.tables import ensure_live_tables
from pqlengine.store import Store


@pytest.fixture
def store() -> Iterator[Store]:
    """A fresh in-memory store with the live service's tables (here in place of
    tests/conftest.py's plain one)."""
    opened = Store.open(":memory:")
    ensure_live_tables(opened)
    yield opened
    opened.close()
