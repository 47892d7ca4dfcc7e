# Community Pulse: two commands do everything on a fresh machine that has python3.
#   make demo   install, start the sandbox, materialise every asset through Dagster, summarise
#   make test   install, lint, run every test
#   make faults the fault matrix: every source x every fault against the sandbox (~5-7 min),
#               results in RELIABILITY.md and reliability/results.json
#   make bench  ingestion, the daily run, dbt and the Dagster job measured in one run (~30-40 min
#               on the default world, idle machine): benchmarks/results/bench.json and bench.md
#   make dashboard  the strategist's and community manager's pages over the published marts
#               (after make demo; http://127.0.0.1:3100/index.html)
#   make test-spark the whole dbt project on a local Apache Spark, every mart compared with
#               DuckDB's, a Delta lake loaded by dlt (Java 17; about 14 min here; `make test`
#               runs its smoke slice)
# Other targets: make ui (Dagster UI on the sandbox), make sandbox, make docs, make clean.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# No telemetry anywhere: there is no network here, and CI must not phone home.
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export RUNTIME__DLTHUB_TELEMETRY := false
export DAGSTER_DISABLE_TELEMETRY := 1
export GX_ANALYTICS_ENABLED := false
export DAGSTER_HOME := $(CURDIR)/dagster_home

SANDBOX_PORT ?= 8765
DASHBOARD_PORT ?= 3100

.PHONY: install demo test lint faults bench ui sandbox docs dashboard clean test-spark

install: $(STAMP)

# The lock file pins every package the ranges in pyproject.toml resolved to when it was written
# (regenerate with: .venv/bin/uv pip compile pyproject.toml --extra dev --extra spark
# -o requirements.lock).
$(STAMP): pyproject.toml requirements.lock
	@echo "==> creating $(VENV) and installing the locked dependencies (first time: a few minutes)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $(STAMP)

# The dbt manifest the Dagster definitions are built from is prepared by the commands
# themselves (orchestration/dbt_project.py): the demo parses the project before its runs,
# `dagster dev` (make ui) as DbtProject.prepare_if_dev does, the tests at session start.
# PULSE_WAREHOUSE, PULSE_PUBLISHED and PULSE_DLT_DIR say where the files are; the code reads them
# once (orchestration/defs/warehouse.py). Unset, the demo and `make ui` (sandbox runs) use
# data/demo/, production runs data/; each refuses the other's warehouse
# (pulse_config/environments.py).

# DAILY_DAYS: days replayed one ingestion a day after the backfill (default: the demo's own).
demo: install
	$(BIN)/python -m orchestration.demo $(if $(DAILY_DAYS),--daily-days $(DAILY_DAYS))

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/pytest

# The long suites (`-m long`: kill-and-rerun, long drift cases) run here too; `make test` runs
# their smoke slices.
faults: install
	$(BIN)/pytest -m long; long=$$?; $(BIN)/python -m reliability && exit $$long

# BENCH_WORLD=scale with BENCH_WORLD_FILE=<a world from `python -m sandbox generate --scale
# default --out ...`> measures the scale world (BENCHMARKS.md).
BENCH_WORLD ?= default
BENCH_RUNS ?= 3
bench: install
	$(BIN)/python -m benchmarks --world $(BENCH_WORLD) --runs $(BENCH_RUNS) $(if $(BENCH_WORLD_FILE),--world-file $(BENCH_WORLD_FILE)) --out /tmp/pulse_bench

# The second engine (issue 18, tests/spark/README.md, docs/scaling.md): pyspark, dbt-spark and
# deltalake are locked like every other package (the `spark` extra). `make test` runs the Spark
# smoke slice; this target runs the whole project's build on Spark, every mart compared with
# DuckDB's, and the dlt-to-Delta lake path. One whole-project build on Spark takes longer than the
# suite's 15-minute test timeout.
test-spark: install
	$(BIN)/pytest -n 0 -p no:cacheprovider --timeout 3600 -m "spark or not long" tests/spark

sandbox: install
	$(BIN)/python -m sandbox serve --port $(SANDBOX_PORT)

ui: install
	$(BIN)/python -m orchestration.ui --port 3000 --sandbox-port $(SANDBOX_PORT)

# The dashboard (dashboard/README.md): npm ci of the locked ECharts on first use, static pages
# built from the published copy, served on loopback with the dbt docs and data-quality reports.
dashboard: install
	$(BIN)/python -m dashboard.run serve --port $(DASHBOARD_PORT)

docs: install
	cd dbt_project && ../$(BIN)/dbt docs generate --profiles-dir . && ../$(BIN)/dbt docs serve --profiles-dir . --port 8081

# Removes the demo's files and the sandbox world, never production's data/warehouse.duckdb.
clean:
	rm -rf data/demo data/sandbox dagster_home/storage dagster_home/logs dagster_home/history dbt_project/target
