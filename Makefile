# 双随机、一公开 卫生健康监督抽查平台 — developer entry points.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench e2e demo migrate clean venv

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

migrate: venv
	$(BIN)/python -m shuangsuiji.manage migrate --noinput

demo: migrate
	$(BIN)/ssj demo load

run: demo
	$(BIN)/python -m shuangsuiji.manage run_server_with_jobs $(HOST):$(PORT)

lint: venv
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src bench
	$(BIN)/lint-imports --no-cache

test: venv
	bash scripts/test.sh

e2e: venv
	bash scripts/e2e.sh

bench: venv
	bash scripts/bench.sh

clean:
	rm -rf $(VENV) var test-results
