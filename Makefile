# Targets shared by humans and CI. `make run` and `make test` work on a fresh machine (Python 3.11).
SHELL := /bin/bash
PY := .venv/bin/python
UV := .tools/bin/uv
UV_VERSION := 0.13.9

.PHONY: venv run test lint bench airflow airflow-stop airflow-status clean-data

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

.venv/.synced: $(UV) pyproject.toml uv.lock
	UV_PROJECT_ENVIRONMENT=.venv $(UV) sync --frozen --python python3
	touch .venv/.synced

# Bytecode of the installed packages and of the project: uv installs none, and where
# PYTHONDONTWRITEBYTECODE is set Python never writes any, so every process (each cleaner worker or
# zygote, every CLI run) compiled its ~470 modules again: ~0.8 CPU-s of a worker's start.
.venv/.compiled: .venv/.synced
	$(PY) -m compileall -q -j 0 "$$($(PY) -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" >/dev/null
	touch .venv/.compiled

.venv/.compiled-pipeline: .venv/.synced $(wildcard pipeline/*.py pipeline/*/*.py pipeline/*/*/*.py)
	$(PY) -m compileall -q pipeline >/dev/null
	touch .venv/.compiled-pipeline

venv: .venv/.synced .venv/.compiled .venv/.compiled-pipeline

run: venv  ## one full pass: seeds (first time), then the configured feeds
	$(PY) -m pipeline run

test: venv  ## the whole test suite (what CI runs)
	$(PY) -m pytest -q

lint: venv
	$(PY) -m ruff check pipeline dags tests bench scripts
	$(PY) -m mypy

bench: venv  ## benchmarks: one JSON object a line
	@for b in bench/*.py; do [ "$$(basename $$b)" = "__init__.py" ] || $(PY) $$b || exit 1; done

airflow: venv  ## local Airflow 3 (scheduler, dag-processor, api-server) in the background; prints the UI and sign-in
	$(PY) scripts/airflow_local.py start

airflow-stop:  ## stop every process `make airflow` started
	$(PY) scripts/airflow_local.py stop

airflow-status:
	$(PY) scripts/airflow_local.py status

clean-data:
	rm -rf data/
