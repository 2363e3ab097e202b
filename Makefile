# Claim funding for mentors. The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# Python 3.12: pyenv's shim honours .python-version; otherwise whatever python3.12 is on PATH.
PYTHON312 := $(shell command -v python3.12 2>/dev/null || command -v python3 2>/dev/null)
CHROMIUM := /usr/bin/chromium

.PHONY: help run test lint typecheck test-unit test-integration test-workflows test-concurrency test-infrastructure test-browser \
        bench deps chromium clean deploy-assets

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

test: deps chromium lint typecheck
	$(PY) -m pytest tests/unit tests/infrastructure -q
	$(PY) -m pytest tests/integration -q
	$(PY) -m pytest tests/workflows -q
	$(PY) -m pytest tests/concurrency -q
	$(PY) -m pytest tests/browser -q

# -- pieces of the gate --------------------------------------------------------------------------
lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: deps
	$(VENV)/bin/mypy

test-unit: deps
	$(PY) -m pytest tests/unit -q
test-integration: deps
	$(PY) -m pytest tests/integration -q
test-workflows: deps
	$(PY) -m pytest tests/workflows -q
test-concurrency: deps
	$(PY) -m pytest tests/concurrency -q
test-infrastructure: deps
	$(PY) -m pytest tests/infrastructure -q
test-browser: deps chromium
	$(PY) -m pytest tests/browser -q

bench: deps
	$(PY) -m tests.bench

# -- deployment ----------------------------------------------------------------------------------
# `sam build` runs this for SharedLayer (BuildMethod: makefile): the shared package, the templates and
# the pinned runtime requirements, laid out as a Lambda layer (python/ on the import path).
build-SharedLayer:
	mkdir -p "$(ARTIFACTS_DIR)/python"
	python3 -m pip install --quiet --target "$(ARTIFACTS_DIR)/python" -r requirements.txt \
	  --platform manylinux2014_aarch64 --implementation cp --python-version 3.12 --only-binary=:all:
	cp -R shared templates "$(ARTIFACTS_DIR)/python/"
	# Lambda's file system is read-only: ship bytecode so a cold start does not recompile shared/.
	python3 -m compileall -q --invalidation-mode unchecked-hash "$(ARTIFACTS_DIR)/python"

# Upload GOV.UK Frontend and our assets to the assets bucket named by the stack output.
deploy-assets: deps
	@test -n "$(ASSETS_BUCKET)" || (echo "Set ASSETS_BUCKET to the stack's AssetsBucketName output" && exit 1)
	$(PY) -m infrastructure.deploy_assets --bucket "$(ASSETS_BUCKET)"

clean:
	rm -rf $(VENV) node_modules .mypy_cache .ruff_cache .aws-sam
