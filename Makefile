# mentor-match: `make run` serves the API on the sample cohort, `make test` runs the suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install browser run test lint format bench clean

install: $(STAMP)

# torch first and pinned: a looser requirement would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/mentor-match ingest data/sample/mentors.jsonl data/sample/mentees.jsonl data/sample/feedback.jsonl data/sample/cohorts.jsonl
	$(BIN)/mentor-match relationships import data/sample/relationships.jsonl
	$(BIN)/mentor-match serve --dev --host 127.0.0.1 --port 8000

# Debian's Chromium for the browser test (Playwright drives it; its own browser download
# cannot work here). Without root or a package mirror the browser test skips and says why.
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null 2>&1) || echo "chromium could not be installed: the browser test will skip"

test: install browser
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy recommender api evaluation cli
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/mentor-match bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
