# Qiming: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
PORT ?= 8000
VENV := .venv
KERNEL_VENV := .venv-kernel
NBGRADER_VENV := .venv-nbgrader
BENCH_VENV := .venv-bench
PY := $(VENV)/bin/python
PIP_FLAGS := --quiet --disable-pip-version-check --no-input

export DJANGO_SETTINGS_MODULE ?= config.settings

.PHONY: setup setup-test run test lint format bench clean

# Each piece of the build owns one include file: the editor bundle, the catalogues, the browser.
include mk/assets.mk mk/messages.mk mk/browser.mk

# A stamp per virtualenv, newer than its requirements file: re-running is a no-op.
$(VENV)/.stamp: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install $(PIP_FLAGS) -r requirements.txt
	@touch $@

$(KERNEL_VENV)/.stamp: requirements-kernel.txt
	@test -x $(KERNEL_VENV)/bin/python || $(PYTHON) -m venv $(KERNEL_VENV)
	$(KERNEL_VENV)/bin/python -m pip install $(PIP_FLAGS) -r requirements-kernel.txt
	@touch $@

$(NBGRADER_VENV)/.stamp: requirements-nbgrader.txt requirements-kernel.txt
	@test -x $(NBGRADER_VENV)/bin/python || $(PYTHON) -m venv $(NBGRADER_VENV)
	$(NBGRADER_VENV)/bin/python -m pip install $(PIP_FLAGS) -r requirements-nbgrader.txt
	@touch $@

$(BENCH_VENV)/.stamp: requirements-bench.txt
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install $(PIP_FLAGS) -r requirements-bench.txt
	@touch $@

setup: $(VENV)/.stamp $(KERNEL_VENV)/.stamp assets messages

setup-test: setup $(NBGRADER_VENV)/.stamp browser

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py loaddemo
	PORT=$(PORT) $(PY) scripts/run.py

# Tests keep their database and broker in var/test, apart from a running `make run`.
test: setup-test
	$(PY) manage.py makemigrations --check --dry-run
	QIMING_VAR_DIR=$(CURDIR)/var/test $(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Benchmarks write their figures to docs/benchmarks.md; they never assert timings.
bench: setup-test $(BENCH_VENV)/.stamp
	$(PY) bench/grading_vs_nbgrader.py
	$(PY) bench/api_latency.py
	$(PY) bench/reports.py
	$(PY) bench/load_test.py

clean:
	rm -rf $(VENV) $(KERNEL_VENV) $(NBGRADER_VENV) var
