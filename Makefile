# Two commands: `make run` (set up and run the main job) and `make test` (set up and run every test).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench setup clean

$(STAMP): requirements.txt pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps --no-build-isolation -e . || $(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/silian demo

test: $(STAMP)
	bash scripts/test.sh

bench: $(STAMP)
	$(PY) benchmarks/bench_import.py

clean:
	rm -rf $(VENV) .pytest_cache
