# ratsinfo-assistant: `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= data
export RATSINFO_DATA_DIR ?= $(abspath $(DATA))

.PHONY: run test bench eval lint install install-dev sample clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first, pinned: its CPU wheel is on these machines; an unpinned torch pulls GBs of CUDA.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

sample: install
	$(BIN)/ratsinfo sample-corpus $(DATA)/sample-corpus
	$(BIN)/ratsinfo ingest $(DATA)/sample-corpus/public --prune
	@for group in $$(ls $(DATA)/sample-corpus/restricted); do \
	  $(BIN)/ratsinfo ingest $(DATA)/sample-corpus/restricted/$$group --group $$group --prune; done

run: sample
	$(BIN)/ratsinfo serve --host 127.0.0.1 --port 8000

test: install-dev
	$(BIN)/python -m pytest -q

eval: install-dev
	$(BIN)/ratsinfo eval --dataset eval/data/sample_qa.jsonl --report reports/sample --gate eval/thresholds.json

bench: install-dev
	$(BIN)/python -m eval.bench

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(DATA) reports .pytest_cache .mypy_cache .ruff_cache
