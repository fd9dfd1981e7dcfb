# Two commands on a fresh machine with only Python 3.11+ and pip:
#   make demo    install the product (runtime dependencies only), generate the demo product,
#                qualify it, print metrics and leads
#   make test    install the product and the dev group, run lint, type checks and the test suite
#   make test-all  make test, then the parity suite on PostgreSQL and PySpark too
#                  (needs the postgresql server package and Java 17; .ci/run installs them)

PYTHON ?= python3
export UV_PYTHON ?= $(PYTHON)
export UV_PYTHON_DOWNLOADS ?= never
# Compile bytecode at install: every `pql` process otherwise compiles Ibis, pandas and the
# rest from source when PYTHONDONTWRITEBYTECODE is set (1.5-3 s per command).
export UV_COMPILE_BYTECODE ?= 1
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := .tools/bin/uv
endif
PQL := .venv/bin/pql
DEMO_DIR ?= demo
DEMO_ACCOUNTS ?= 2000
DEMO_AS_OF ?= 2026-11-01

.PHONY: setup setup-dev setup-all demo test test-all lint typecheck pytest pytest-backends clean

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv>=0.5"

# One stamp per install level, so `make demo` then `make test` in the same clone still adds
# the dev group. --inexact: a lower level never uninstalls what a higher one added.
# The product and its runtime dependencies only: what `make demo` and a user of `pql` need
# (the dev tool chain is ~100 more packages and about half of a fresh `make demo`).
.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --inexact --no-default-groups
	touch $@

# Adds the dev group (pytest, hypothesis, ruff, mypy, playwright, schemathesis, ...).
.venv/.synced-dev: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --inexact --no-default-groups --group dev
	touch $@

# Adds the optional backends (pqlengine[spark], pqlengine[postgres]) and the bench group.
.venv/.synced-all: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --inexact --all-extras --all-groups
	touch $@

setup: .venv/.synced

setup-dev: .venv/.synced-dev

setup-all: .venv/.synced-all

demo: setup
	$(PQL) demo --dir $(DEMO_DIR) --accounts $(DEMO_ACCOUNTS)
	$(PQL) check -C $(DEMO_DIR)
	$(PQL) metrics -C $(DEMO_DIR) --as-of $(DEMO_AS_OF)
	$(PQL) leads -C $(DEMO_DIR) --as-of $(DEMO_AS_OF) --top 10

lint: setup-dev
	.venv/bin/ruff check src tests bench
	.venv/bin/ruff format --check src tests bench

typecheck: setup-dev
	.venv/bin/mypy src

pytest: setup-dev
	.venv/bin/pytest

test: lint typecheck pytest

pytest-backends: setup-all
	.venv/bin/pytest tests/parity --backends=postgres,pyspark

test-all: test pytest-backends

clean:
	rm -rf .venv .tools $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
