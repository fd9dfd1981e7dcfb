"""Install levels: `make demo` syncs the runtime dependencies only, `make test` adds dev.

The Makefile is read through `make -n` (what would run) in a copy of the project files
without `.venv`, so nothing is installed; the lock file says which distributions each
level brings, and the product's imports must all come from the runtime level.
"""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_MAKE_VARIABLES = {
    "MAKEFLAGS",
    "MFLAGS",
    "MAKELEVEL",
    "MAKEOVERRIDES",
    "MAKE_TERMERR",
    "MAKE_TERMOUT",
}

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _project_copy(tmp_path: Path) -> Path:
    """Makefile, pyproject.toml and uv.lock in a fresh directory (no .venv, no .tools)."""
    for name in ("Makefile", "pyproject.toml", "uv.lock"):
        shutil.copy2(ROOT / name, tmp_path / name)
    return tmp_path


def _sync_commands(project: Path, target: str) -> list[str]:
    """The `uv sync` command lines `make <target>` would run, in order."""
    # Run from `make test`, the outer make's flags (jobserver, -k, ...) must not leak in.
    env = {k: v for k, v in os.environ.items() if k not in _MAKE_VARIABLES}
    out = subprocess.run(
        ["make", "-n", target], cwd=project, env=env, capture_output=True, text=True, check=True
    ).stdout
    return [line for line in out.splitlines() if " sync " in line]


def _installs_dev(sync: str) -> bool:
    return "--group dev" in sync or "--all-groups" in sync or "--no-default-groups" not in sync


def test_demo_syncs_runtime_dependencies_only(tmp_path: Path) -> None:
    syncs = _sync_commands(_project_copy(tmp_path), "demo")
    assert syncs, "make demo installs nothing on a fresh clone"
    assert not any(_installs_dev(sync) for sync in syncs), syncs


def test_test_adds_the_dev_group_on_a_fresh_clone(tmp_path: Path) -> None:
    syncs = _sync_commands(_project_copy(tmp_path), "test")
    assert any(_installs_dev(sync) for sync in syncs), syncs


def test_test_adds_the_dev_group_after_demo(tmp_path: Path) -> None:
    project = _project_copy(tmp_path)
    (project / ".venv").mkdir()
    (project / ".venv" / ".synced").touch()  # newer than pyproject.toml and uv.lock
    syncs = _sync_commands(project, "test")
    assert any(_installs_dev(sync) for sync in syncs), syncs


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _lock_closure(lock: dict, roots: list[dict]) -> set[str]:
    """Distributions reachable from lock dependency entries, extras followed."""
    packages = {p["name"]: p for p in lock["package"]}
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        dep = todo.pop()
        package = packages[dep["name"]]
        for extra in dep.get("extra", []):
            todo.extend(package.get("optional-dependencies", {}).get(extra, []))
        if dep["name"] not in seen:
            seen.add(dep["name"])
            todo.extend(package.get("dependencies", []))
    return seen


def _src_imports() -> set[str]:
    """Top-level third-party modules imported anywhere in src/pqlengine."""
    modules: set[str] = set()
    for path in (ROOT / "src" / "pqlengine").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"pqlengine", "__future__"}


def test_every_product_import_is_installed_without_the_dev_group() -> None:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    project = next(p for p in lock["package"] if p["name"] == "pqlengine")
    allowed = _lock_closure(lock, project["dependencies"])
    # The optional backends (pqlengine[spark], pqlengine[postgres]) are imported only when
    # a project selects them; they are extras, not dev tools.
    for extra in project.get("optional-dependencies", {}).values():
        allowed |= _lock_closure(lock, extra)
    # Installed distributions say which one provides a module; a module not installed here
    # (an extra's, e.g. pyspark without `make setup-all`) is looked up by its own name.
    providers = importlib.metadata.packages_distributions()
    missing = {
        module: providers.get(module, [module])
        for module in _src_imports()
        if not any(_normalise(dist) in allowed for dist in providers.get(module, [module]))
    }
    assert not missing, f"imported by src/pqlengine but not a runtime dependency: {missing}"
