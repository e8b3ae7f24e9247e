# The README's two commands are `make demo` and `make test`; both start from a fresh clone.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DB     ?= sqlite:///aiwatch.db
# Models must never be fetched from a hub at run time (see DEVELOPERS.md).
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: demo test install lint bench train eval postgres clean

$(BIN)/aiwatch: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU build of torch lies on this machine kind's disk; a bare `torch` would pull a CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[dev,ml,postgres,ray]"
	touch $(BIN)/aiwatch

install: $(BIN)/aiwatch

# Main job on the embedded default: SQLite, the bundled AIID sample through the whole pipeline,
# then the web UI and API on http://127.0.0.1:$(PORT)/ until Ctrl-C.
PORT ?= 8000
demo: install
	$(BIN)/aiwatch --db $(DB) ingest --sample
	$(BIN)/aiwatch --db $(DB) stats
	$(BIN)/aiwatch --db $(DB) serve --port $(PORT)

# The whole suite, SQLite and PostgreSQL. scripts/ensure-postgres.sh starts (or installs) a server.
test: install
	bash scripts/ensure-postgres.sh
	bash scripts/ensure-chromium.sh
	$(BIN)/ruff check aiwatch tests bench
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check aiwatch tests bench

bench: install
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/classify.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/run.py

# Reproduce the shipped classifier, and score it (both read ../shared/data).
train: install
	$(BIN)/aiwatch train
	$(BIN)/aiwatch train-cluster

eval: install
	$(BIN)/aiwatch eval --check-floors
	$(BIN)/aiwatch eval-clusters --check-floors

postgres:
	bash scripts/ensure-postgres.sh

clean:
	rm -rf $(VENV) aiwatch.db aiwatch.db-* .pytest_cache artifacts
