# Two commands on a fresh machine with only Python 3.11+ and pip:
#   make demo    install the product (runtime dependencies only), generate the demo product,
#                qualify it, print metrics and leads
#   make test    install the product and the dev group, run lint, type checks and the test suite
#                (the CI profile: every test, every hypothesis property at its full count)
#   make test-fast  the developer profile: pytest only, PQL_HYPOTHESIS=dev (at most 10
#                examples per property), without the tests marked slow or e2e (servers on
#                loopback, browsers, PostgreSQL, Spark); a loop of minutes while editing
#   make test-all  make test, then the parity suite on PostgreSQL and PySpark too
#                  (needs the postgresql server package and Java 17; .ci/run installs them)

PYTHON ?= python3
export UV_PYTHON ?= $(PYTHON)
export UV_PYTHON_DOWNLOADS ?= never
# Compile bytecode at install: every `pql` process otherwise compiles Ibis, pandas and the
# rest from source when PYTHONDONTWRITEBYTECODE is set (1.5-3 s per command). compileall
# rather than uv's UV_COMPILE_BYTECODE because it can skip the third-party test suites
# (3,035 of the 7,051 runtime files, which nothing imports): 10 s instead of 16 s on 2 cores.
# Already compiled files are skipped, so each install level compiles only what it added.
COMPILE = .venv/bin/python -m compileall -q -j 0 -x 'site-packages/.*/tests?/' .venv/lib
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := .tools/bin/uv
endif
PQL := .venv/bin/pql
DEMO_DIR ?= demo
DEMO_ACCOUNTS ?= 2000
DEMO_AS_OF ?= 2026-11-01

.PHONY: setup setup-dev setup-all demo test test-fast test-all lint typecheck pytest pytest-backends clean

# pip --target is 2-3 s; a venv first costs 5 s more (ensurepip). The venv is the fallback
# for a Python whose pip is not importable but whose venv module ships one. The root-user
# warning is noise in a container (an older pip ignores the unknown variable).
.tools/bin/uv:
	PIP_ROOT_USER_ACTION=ignore $(PYTHON) -m pip install --quiet --target .tools "uv>=0.5" || \
	  { rm -rf .tools && $(PYTHON) -m venv .tools && .tools/bin/pip install --quiet "uv>=0.5"; }

# One stamp per install level, so `make demo` then `make test` in the same clone still adds
# the dev group. --inexact: a lower level never uninstalls what a higher one added.
# The product and its runtime dependencies only (65 packages): what `make demo` and a user
# of `pql` need; the dev group adds 44 more (and 2,500 files to compile) nobody there uses.
.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --inexact --no-default-groups
	$(COMPILE)
	touch $@

# Adds the dev group (pytest, hypothesis, ruff, mypy, playwright, schemathesis, ...).
.venv/.synced-dev: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --inexact --no-default-groups --group dev
	$(COMPILE)
	touch $@

# Adds the optional backends (pqlengine[spark], pqlengine[postgres]) and the bench group.
.venv/.synced-all: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --inexact --all-extras --all-groups
	$(COMPILE)
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

test-fast: setup-dev
	PQL_HYPOTHESIS=dev .venv/bin/pytest -m "not slow and not e2e"

pytest-backends: setup-all
	.venv/bin/pytest tests/parity --backends=postgres,pyspark

test-all: test pytest-backends

clean:
	rm -rf .venv .tools $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
