# Two commands: `make run` (set up, load the demo region into an empty database, serve the platform) and `make test` (set up and run every test).
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
	$(VENV)/bin/silian demo --if-empty
	$(VENV)/bin/silian serve --host 127.0.0.1 --port 8000

test: $(STAMP)
	bash scripts/test.sh

bench: $(STAMP)
	$(PY) benchmarks/bench_import.py

clean:
	rm -rf $(VENV) .pytest_cache
