"""The `backend` fixture: the parity suite runs once per enabled backend (--backends)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.parity.backends import ALL, DuckDBTarget, PostgresTarget, SparkTarget, Target
from tests.postgres_cluster import postgres_bin, running_cluster


def _enabled(config: pytest.Config) -> set[str]:
    raw = str(config.getoption("--backends"))
    names = set(ALL) if raw == "all" else {n.strip() for n in raw.split(",") if n.strip()}
    unknown = names - set(ALL)
    if unknown:
        raise pytest.UsageError(f"--backends: unknown {sorted(unknown)}; choose from {ALL}")
    return names


@pytest.fixture(scope="session")
def _postgres_target() -> Iterator[PostgresTarget]:
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries are not installed (apt-get install postgresql)")
    with running_cluster(bin_dir, "Pacific/Chatham") as cluster:
        yield PostgresTarget(port=cluster.port)


@pytest.fixture(scope="session")
def _spark_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkTarget]:
    if importlib.util.find_spec("pyspark") is None:
        pytest.skip("PySpark is not installed: uv sync --extra spark (make test-all)")
    if shutil.which("java") is None:
        pytest.skip("PySpark needs Java 17 (apt-get install openjdk-17-jre-headless)")
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers see our packages

    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("pqlengine-parity")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.warehouse.dir", str(warehouse))
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield SparkTarget(session=session)
    session.stop()


# A server (PostgreSQL) or a JVM (Spark) per session: end-to-end, left out by `make test-fast`.
SERVER_BACKENDS = {"postgres", "pyspark"}


@pytest.fixture(
    scope="session",
    params=[pytest.param(n, marks=pytest.mark.e2e) if n in SERVER_BACKENDS else n for n in ALL],
)
def backend(request: pytest.FixtureRequest) -> Target:
    """One backend holding user-shaped copies of the test data."""
    name = str(request.param)
    if name not in _enabled(request.config):
        pytest.skip(f"backend {name} not enabled (pytest --backends={name} or make test-all)")
    targets: dict[str, Any] = {
        "duckdb": lambda: DuckDBTarget(),
        "postgres": lambda: request.getfixturevalue("_postgres_target"),
        "pyspark": lambda: request.getfixturevalue("_spark_target"),
    }
    target: Target = targets[name]()
    return target
