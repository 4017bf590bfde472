# The README's commands. `make run` and `make test` are all a fresh machine needs.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
PORT    ?= 8501
INTERVAL ?= 900

.PHONY: run test test-sqlite test-pg lint migrate ingest sample bench dashboard clean

$(BIN)/activate:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

migrate: $(VENV)/.runtime
	$(BIN)/python -m storage migrate

# Ingest loop and dashboard together; Ctrl-C (or a failing dashboard) stops both.
run: migrate
	@echo "Dashboard: http://localhost:$(PORT)  (ingest loop every $(INTERVAL)s; Ctrl-C stops both)"
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/python -m ingest --watch --interval $(INTERVAL) & \
	$(BIN)/streamlit run app.py --server.port $(PORT); \
	wait

dashboard: migrate
	$(BIN)/streamlit run app.py --server.port $(PORT)

ingest: migrate
	$(BIN)/python -m ingest

sample: migrate
	$(BIN)/python -m ingest data/sample/*.xml

# The whole suite on SQLite, then again on PostgreSQL. scripts/test_services.sh installs
# Chromium and PostgreSQL when missing (apt-get, as root or with sudo), starts a local
# cluster and prints a throwaway database's URL; a TENSION_TEST_PG_URL you set wins.
test: $(VENV)/.dev
	$(BIN)/ruff check .
	@pg="$${TENSION_TEST_PG_URL:-$$(scripts/test_services.sh)}"; \
	start=$$(date +%s); \
	$(BIN)/python -m pytest -q || exit 1; \
	if [ -n "$$pg" ]; then \
		echo "== PostgreSQL pass against $$pg =="; \
		TENSION_TEST_DB=postgresql TENSION_TEST_PG_URL="$$pg" $(BIN)/python -m pytest -q || exit 1; \
	else \
		echo "== PostgreSQL pass skipped: no PostgreSQL server could be set up (see above) =="; \
	fi; \
	echo "== make test took $$(( $$(date +%s) - start )) s =="

lint: $(VENV)/.dev
	$(BIN)/ruff check .

bench: $(VENV)/.dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache
