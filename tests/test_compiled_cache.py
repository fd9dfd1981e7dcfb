"""The compiled-SQL cache (src/pqlengine/compute/compiled.py): same answers as compiling
afresh, no compilation on a repeat, a new compile whenever anything it depends on moves."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import ibis
import pytest

from pqlengine.compute import compiled, qualify
from pqlengine.compute.metrics import SegmentError, compute_metrics
from pqlengine.compute.qualify import qualify_entities
from pqlengine.config import Project, load_project
from pqlengine.demo import write_demo
from pqlengine.store import Store

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
VARIANTS = (("month", None), ("week", "plan"), ("month", "country"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("cached")
    write_demo(directory, 300, 11)
    return directory


@pytest.fixture
def opened(demo: Path) -> Iterator[tuple[Project, Store]]:
    compiled._MEMORY.clear()
    project = load_project(demo)
    store = Store.for_project(project)
    try:
        yield project, store
    finally:
        store.close()


def _cache_files(project: Project) -> set[str]:
    return {p.name for p in (Path(project.store_path).parent / "sql-cache").glob("*.json")}


def _fresh(monkeypatch: pytest.MonkeyPatch, store: Store, run: object) -> object:
    """`run()` with the cache off: every query compiled from the Ibis expressions."""
    with monkeypatch.context() as patched:
        patched.setenv("PQL_SQL_CACHE", "off")
        assert not compiled.cacheable(store)
        return run()  # type: ignore[operator]


@pytest.mark.parametrize("as_of", [AS_OF, datetime(2026, 6, 15, 12, tzinfo=UTC)])
def test_cached_results_equal_compiling_afresh(
    opened: tuple[Project, Store], monkeypatch: pytest.MonkeyPatch, as_of: datetime
) -> None:
    project, store = opened
    assert compiled.cacheable(store)
    for period, by in VARIANTS:
        cached = compute_metrics(store, project, as_of, period=period, by=by)  # type: ignore[arg-type]
        again = compute_metrics(store, project, as_of, period=period, by=by)  # type: ignore[arg-type]
        fresh = _fresh(
            monkeypatch,
            store,
            lambda p=period, b=by: compute_metrics(store, project, as_of, period=p, by=b),
        )
        assert cached == again == fresh
    records = qualify_entities(store, project, as_of)
    assert records == _fresh(monkeypatch, store, lambda: qualify_entities(store, project, as_of))
    assert any(r["qualified_at"] is not None for r in records)


def test_one_statement_serves_every_as_of(opened: tuple[Project, Store]) -> None:
    """as_of is a session variable, not part of the SQL: a second instant adds no file,
    and the answers still differ as they should."""
    project, store = opened
    early = compute_metrics(store, project, datetime(2026, 5, 1, tzinfo=UTC))
    files = _cache_files(project)
    late = compute_metrics(store, project, AS_OF)
    assert _cache_files(project) == files
    assert early["overall"]["signups"] < late["overall"]["signups"]


def test_a_repeat_in_a_new_process_compiles_nothing(
    opened: tuple[Project, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    project, store = opened
    expected = compute_metrics(store, project, AS_OF, period="week", by="plan")
    expected_rows = qualify_entities(store, project, AS_OF)
    compiled._MEMORY.clear()  # what a new process starts with: only the files

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled again")

    monkeypatch.setattr(qualify, "qualification", no_compiling)
    monkeypatch.setattr(compiled, "to_sql", no_compiling)
    assert compute_metrics(store, project, AS_OF, period="week", by="plan") == expected
    assert qualify_entities(store, project, AS_OF) == expected_rows


def test_a_changed_definition_or_code_compiles_again(
    opened: tuple[Project, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    project, store = opened
    compute_metrics(store, project, AS_OF)
    before = _cache_files(project)
    stricter = project.model_copy(update={"observation_days": project.observation_days + 1})
    compute_metrics(store, stricter, AS_OF)
    after_definition = _cache_files(project)
    assert len(after_definition - before) >= 1
    monkeypatch.setattr(compiled, "_code_version", lambda: "edited checkout")
    compute_metrics(store, project, AS_OF)
    assert len(_cache_files(project) - after_definition) >= 1


def test_a_damaged_cache_file_is_compiled_again(opened: tuple[Project, Store]) -> None:
    project, store = opened
    expected = compute_metrics(store, project, AS_OF)
    directory = Path(project.store_path).parent / "sql-cache"
    for path in directory.glob("*.json"):
        path.write_text('{"sql": "SELECT 1 AS half', encoding="utf-8")  # a cut-off write
    compiled._MEMORY.clear()
    assert compute_metrics(store, project, AS_OF) == expected


def test_an_unknown_segment_is_still_an_error_on_a_cached_shape(demo: Path, tmp_path: Path) -> None:
    """The trait check runs on every call, also when its statements come from the cache."""
    shutil.copytree(demo, tmp_path / "copy")
    project = load_project(tmp_path / "copy")
    store = Store.for_project(project)
    try:
        compute_metrics(store, project, AS_OF, by="country")
        store.raw.execute("UPDATE accounts SET traits = json_object('x', 1)")
        with pytest.raises(SegmentError, match="unknown segment 'country'"):
            compute_metrics(store, project, AS_OF, by="country")
    finally:
        store.close()


def test_tables_read_from_files_are_not_cached(tmp_path: Path) -> None:
    """Parquet read in place can change columns under us: no cache there."""
    config = {
        "project": "p",
        "store": {"events_table": f"parquet:{tmp_path / 'events.parquet'}"},
        "definition": {"name": "d", "criteria": [{"id": "a", "event": "A"}]},
    }
    project = Project.from_dict(config)
    store = Store.open(":memory:", project.store_config, project.columns)
    try:
        assert not compiled.cacheable(store)
    finally:
        store.close()


def test_cached_sql_is_the_plain_sql_with_the_instant_read_from_the_session(
    opened: tuple[Project, Store],
) -> None:
    """Same query plan as compiling with the instant as a literal: a function call in the
    expression would keep Ibis from merging selects, and DuckDB would then materialise
    filtered copies of the whole events table (3.5x the memory at 100k accounts)."""
    project, store = opened
    instant = datetime(2026, 11, 1)
    plain = store.con.compile(qualify.qualification(store, project, instant, detail=False))
    literal = store.con.compile(ibis.literal(instant, type="timestamp").name("s"))
    spelled = str(literal).removeprefix("SELECT ").removesuffix(' AS "s"')
    expected = str(plain).replace(spelled, "GETVARIABLE('pql_as_of')")
    assert "GETVARIABLE" in expected
    assert qualify.qualification_statements(store, project, detail=False)["sql"] == expected
