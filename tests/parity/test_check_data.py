"""`pql check`'s data checks say the same on every backend: the names, keys, values and
traits of the data read from the user's tables (JSON as text or jsonb, other names, events
repeated under one event_id) as from our own store."""

from __future__ import annotations

from pathlib import Path

import yaml

from pqlengine.compute.checks import check_data
from pqlengine.config import Project, load_project
from pqlengine.store import Store
from tests.parity.backends import Target, user_project
from tests.test_check_data import ingested_project

CRITERIA = [
    {"id": "power", "event": "Report Created", "where": {"usage_pcnt": {"gte": 80}}},
    {"id": "source", "event": "Report Created", "where": {"source": ["web", "wbe"]}},
    {"id": "number", "kind": "active_days", "where": {"plan": 3, "beta": False}},
    {"id": "storage", "kind": "sum", "event": "File Uploaded", "property": "bytes",
     "at_least": 100},
    {"id": "flow", "kind": "sequence",
     "steps": [{"event": "Report Created", "where": {"sorce": "api"}}, {"event": "Pay"}]},
]  # fmt: skip
FIT = {"where": {"contry": "US", "plan": ["pro", "enterprise"], "country": "DE"}}


def test_check_data_is_identical(backend: Target, tmp_path: Path) -> None:
    (tmp_path / "source").mkdir()
    directory = ingested_project(
        tmp_path / "source", CRITERIA, definition={"name": "d", "fit": FIT}
    )
    config = yaml.safe_load((directory / "pql.yaml").read_text(encoding="utf-8"))
    project = load_project(directory)
    source = Store.for_project(project)
    try:
        expected = check_data(source, project)
        block = backend.load(source, tmp_path / "data")
    finally:
        source.close()
    assert len(expected.warnings) == 8, expected.warnings
    theirs = Project.from_dict(user_project(config, block))
    store = Store.for_project(theirs)
    try:
        assert check_data(store, theirs) == expected
    finally:
        store.close()
