# Claim funding for mentors. The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# Python 3.12: pyenv's shim honours .python-version; otherwise whatever python3.12 is on PATH.
PYTHON312 := $(shell command -v python3.12 2>/dev/null || command -v python3 2>/dev/null)
CHROMIUM := /usr/bin/chromium
# The tests (ADR 0017): xdist workers for the suites that gain from them; coverage per suite, checked once combined.
XDIST := -n auto
COVERAGE := $(VENV)/bin/coverage
COV := --cov --cov-report= --cov-fail-under=0

.PHONY: help run test lint typecheck security test-unit test-integration test-workflows test-concurrency test-fuzz test-infrastructure test-browser \
        bench mutation deps chromium clean deploy-assets
.PHONY: build-SharedLayer build-check sam-tools

help:
	@echo "make run    set everything up and run the service on http://127.0.0.1:3000 (Ctrl-C stops it)"
	@echo "make test   set everything up and run lint, types and every test suite"
	@echo "make bench  measure cold starts and DynamoDB requests (not part of make test)"

# -- set-up --------------------------------------------------------------------------------------
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON312) -c 'import sys; assert sys.version_info[:2] == (3, 12), "Python 3.12 is needed (see .python-version), found " + sys.version' 
	@test -x $(PY) || $(PYTHON312) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

deps: $(VENV)/.installed node_modules/.installed

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Debian's Chromium. Run as root: apt-get update && apt-get install -y chromium"; \
	    exit 1; \
	  fi; \
	fi

# -- the two commands ----------------------------------------------------------------------------
run: deps
	$(PY) -m infrastructure.local

# Every suite, each in its own pytest process (ADR 0017; `pytest` or `pytest -n auto` also runs them all in one),
# with workers on both cores (pytest-xdist) where that measured faster: the integration and workflow suites.
# Branch coverage of shared/, functions/ and infrastructure/ comes from the unit, infrastructure, integration and
# workflow suites, one data file each, combined; `coverage report` fails under the floor in pyproject.toml.
test: deps chromium lint typecheck security
	@rm -f .coverage .coverage.*
	COVERAGE_FILE=.coverage.unit $(PY) -m pytest tests/unit tests/infrastructure -q $(COV)
	COVERAGE_FILE=.coverage.integration $(PY) -m pytest tests/integration -q $(XDIST) $(COV)
	COVERAGE_FILE=.coverage.workflows $(PY) -m pytest tests/workflows -q $(XDIST) $(COV)
	$(PY) -m pytest tests/concurrency -q
	$(PY) -m pytest tests/fuzz -q
	$(PY) -m pytest tests/browser -q
	$(COVERAGE) combine -q .coverage.unit .coverage.integration .coverage.workflows
	$(COVERAGE) report

# -- pieces of the gate --------------------------------------------------------------------------
lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: deps
	$(VENV)/bin/mypy

# Security linters (ADR 0041): bandit on the code (its skips and their reasons are in pyproject.toml), and checkov
# on the template (each skipped check is justified on its resource, `Metadata: checkov: skip:`). checkov runs
# offline: no version check, nothing downloaded from Prisma Cloud/Bridgecrew (--skip-download, BC_SKIP_MAPPING).
TOOLS_VENV := .venv-tools
CHECKOV := BC_SKIP_MAPPING=TRUE CKV_SKIP_PACKAGE_UPDATE_CHECK=TRUE $(TOOLS_VENV)/bin/checkov

$(TOOLS_VENV)/.installed: requirements-tools.txt
	@$(REQUIRE_PYTHON312)
	@test -x $(TOOLS_VENV)/bin/python || $(PYTHON312) -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-compile -r requirements-tools.txt
	@touch $@

security: deps $(TOOLS_VENV)/.installed
	$(VENV)/bin/bandit -q -r shared functions -c pyproject.toml
	$(CHECKOV) -f template.yaml --framework cloudformation --quiet --compact --skip-download

test-unit: deps
	$(PY) -m pytest tests/unit -q
test-integration: deps
	$(PY) -m pytest tests/integration -q $(XDIST)
test-workflows: deps
	$(PY) -m pytest tests/workflows -q $(XDIST)
test-concurrency: deps
	$(PY) -m pytest tests/concurrency -q
test-fuzz: deps
	$(PY) -m pytest tests/fuzz -q
test-infrastructure: deps
	$(PY) -m pytest tests/infrastructure -q
test-browser: deps chromium
	$(PY) -m pytest tests/browser -q

bench: deps
	$(PY) -m tests.bench

# Mutation testing of the domain rules (docs/mutation.md; about 5 minutes on two cores, not part of `make test`):
# mutmut mutates shared/claims and runs the unit tests against each mutant. Every mutant that survives must be
# named in docs/mutation.md as equivalent, with its reason; any other survivor fails the target.
mutation: deps
	rm -rf mutants
	$(VENV)/bin/mutmut run
	@$(VENV)/bin/mutmut results | sed -e 's/^ *//' -e 's/: .*//' > mutants/survivors.txt
	@unexplained=$$(grep -vxF -f <(grep -o 'shared\.claims\.[^` ]*' docs/mutation.md) mutants/survivors.txt); \
	if [ -n "$$unexplained" ]; then \
	  echo "Mutants that survived and are not named in docs/mutation.md (add a test, or name them with a reason):"; \
	  echo "$$unexplained" | sed 's/^/  /'; \
	  for mutant in $$unexplained; do $(VENV)/bin/mutmut show "$$mutant"; done; \
	  exit 1; \
	fi; \
	echo "$$(wc -l < mutants/survivors.txt) survivors, each named in docs/mutation.md as equivalent"

# -- deployment ----------------------------------------------------------------------------------
# `sam build` runs this for SharedLayer (BuildMethod: makefile): the shared package, the templates and
# the pinned runtime requirements, laid out as a Lambda layer (python/ on the import path).
#
# Lambda runs Python 3.12 on arm64, so the layer is built by Python 3.12, never whatever `python3` is (pyenv's
# global default may be 3.11): pip evaluates markers and compileall writes bytecode for the interpreter that
# runs them. Wheels: everything with native code must come from PyPI as a manylinux aarch64 wheel
# (--only-binary=:all:), so nothing is compiled for this machine's architecture. A few dependencies ship only
# as a source distribution (docopt, for notifications-python-client), which --only-binary refuses: resolving
# for this machine finds them, `pip wheel --no-deps` builds exactly those versions into a temporary directory,
# they must come out pure Python (py3-none-any), and the arm64 install takes them from there (ADR 0016).
LAYER_TARGET := --platform manylinux2014_aarch64 --implementation cp --python-version 3.12 --only-binary=:all:
REQUIRE_PYTHON312 = $(or $(PYTHON312),python3.12) -c 'import sys; sys.exit(None if sys.version_info[:2] == (3, 12) \
  else "Python 3.12 is needed (see .python-version), found " + sys.version + " at " + sys.executable)'

build-SharedLayer:
	@$(REQUIRE_PYTHON312)
	mkdir -p "$(ARTIFACTS_DIR)/python"
	set -euo pipefail; sdists=$$(mktemp -d); trap 'rm -rf "$$sdists"' EXIT; mkdir "$$sdists/wheels"; \
	$(PYTHON312) -m pip install --quiet --disable-pip-version-check --dry-run --ignore-installed \
	  --report "$$sdists/resolved.json" -r requirements.txt; \
	$(PYTHON312) -c 'import json, sys; print(*(d["metadata"]["name"] + "==" + d["metadata"]["version"] \
	  for d in json.load(open(sys.argv[1]))["install"] if not d["download_info"]["url"].endswith(".whl")), sep="\n")' \
	  "$$sdists/resolved.json" > "$$sdists/requirements.txt"; \
	if [ -s "$$sdists/requirements.txt" ]; then \
	  echo "Building wheels for source-only distributions: $$(tr '\n' ' ' < "$$sdists/requirements.txt")"; \
	  $(PYTHON312) -m pip wheel --quiet --disable-pip-version-check --no-deps --wheel-dir "$$sdists/wheels" \
	    -r "$$sdists/requirements.txt"; \
	  for wheel in "$$sdists"/wheels/*.whl; do \
	    case "$$wheel" in *-none-any.whl) ;; \
	      *) echo "$${wheel##*/} has native code: it needs a manylinux aarch64 wheel on PyPI" >&2; exit 1;; esac; \
	  done; \
	fi; \
	$(PYTHON312) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
	  --target "$(ARTIFACTS_DIR)/python" -r requirements.txt --find-links "$$sdists/wheels" $(LAYER_TARGET)
	cp -R shared templates "$(ARTIFACTS_DIR)/python/"
	# Lambda's file system is read-only: ship bytecode so a cold start does not recompile shared/.
	$(PYTHON312) -m compileall -q --invalidation-mode unchecked-hash "$(ARTIFACTS_DIR)/python"

# The SAM CLI lives in its own environment: its pins clash with requirements.txt (ADR 0016). No telemetry, and
# nothing here needs AWS credentials: `sam validate --lint` runs cfn-lint offline (plain `sam validate` asks AWS).
SAM_VENV := .venv-sam
SAM := SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam

$(SAM_VENV)/.installed: requirements-sam.txt
	@$(REQUIRE_PYTHON312)
	@test -x $(SAM_VENV)/bin/python || $(PYTHON312) -m venv $(SAM_VENV)
	@# --no-compile: bytecode for all of sam-cli's 330 MB costs half a minute; Python compiles what sam imports.
	$(SAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-compile -r requirements-sam.txt
	@touch $@

sam-tools: $(SAM_VENV)/.installed

# What CI runs for the build: lint the template, `sam build` it into .aws-sam/ (--build-in-source: make runs
# build-SharedLayer here instead of in a copy of the whole repository, .venv included), then check the built
# layer holds shared/, templates/ and every pinned requirement, built for arm64 (tests/build).
build-check: $(VENV)/.installed $(SAM_VENV)/.installed
	$(SAM) validate --lint --template template.yaml --region eu-west-2
	$(SAM) build --template template.yaml --build-in-source --parallel
	BUILD_CHECK=1 $(PY) -m pytest tests/build -q

# Upload GOV.UK Frontend and our assets to the assets bucket named by the stack output.
deploy-assets: deps
	@test -n "$(ASSETS_BUCKET)" || (echo "Set ASSETS_BUCKET to the stack's AssetsBucketName output" && exit 1)
	$(PY) -m infrastructure.deploy_assets --bucket "$(ASSETS_BUCKET)"

clean:
	rm -rf $(VENV) node_modules .mypy_cache .ruff_cache .aws-sam $(SAM_VENV) $(TOOLS_VENV)
