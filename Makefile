# 数据资产管理平台 dataasset — make run (serve with the demo) · make test (whole suite) · make check
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STATIC := src/dataasset/static/index.html
WEB_SOURCES := $(shell find web/src web/index.html web/package.json web/vite.config.ts web/openapi.json -type f 2>/dev/null)

.PHONY: install run test check lint web openapi bench clean

install: $(VENV)/.installed $(STATIC)

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

$(STATIC): web/node_modules/.installed $(WEB_SOURCES)
	cd web && npm run build

web: $(STATIC)

## serve the platform with the embedded database and the demo on http://127.0.0.1:8000
run: install
	$(BIN)/dataasset migrate
	$(BIN)/dataasset demo --if-empty
	@echo "控制台: http://127.0.0.1:8000   API 文档: http://127.0.0.1:8000/docs"
	$(BIN)/dataasset serve

## the whole suite (PostgreSQL and browser tests run when available; mandatory with CI=true)
test: install
	$(BIN)/pytest -q

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/ruff format --check src tests $(wildcard bench)
	$(BIN)/mypy
	$(BIN)/lint-imports

check: lint test

## regenerate web/openapi.json and the console's typed client from the app
openapi: $(VENV)/.installed
	$(BIN)/dataasset openapi --output web/openapi.json
	cd web && npm run gen:api

bench: install
	$(PY) bench/catalog/run.py

## the discovery benchmark: 1M×20 scan vs DuckDB SUMMARIZE, ydata-profiling, Presidio (docs/benchmarks.md)
.PHONY: bench-discovery
bench-discovery: $(VENV)/.installed
	$(PY) -c "import ydata_profiling, presidio_structured" 2>/dev/null || $(PY) -m pip install -q -e '.[bench]'
	$(PY) bench/discovery/run.py

## the quality benchmark: 20 checks on 1M rows, ours vs Great Expectations and Soda Core (docs/benchmarks.md)
.PHONY: bench-quality
bench-quality: $(VENV)/.installed
	bash bench/quality/setup.sh
	$(PY) bench/quality/run.py

clean:
	rm -rf $(VENV) web/node_modules src/dataasset/static
