# Two commands matter: `make run` (demo on http://127.0.0.1:5000) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app portal
STAMP := $(VENV)/.installed
PO := $(wildcard translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)
# The pinned versions (pyproject.toml keeps the lower bounds): `make lock` regenerates them.
LOCK := requirements.lock
TEST_LOCK := requirements-test.lock
LOCK_TOOLS := $(VENV)/lock-tools
PIP_COMPILE := $(LOCK_TOOLS)/bin/pip-compile --quiet --strip-extras --no-emit-index-url \
	--no-emit-find-links

.PHONY: install run serve test lint typecheck audit format extract update-translations translations \
	wheel lock clean bench

# Everything from the test lock (which pins the build backend too), then the project itself.
$(STAMP): pyproject.toml $(TEST_LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(TEST_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@

translations: $(MO)

# The production wheel (README, "Running in production"). pip does not compile catalogues, so
# they are compiled first and the wheel carries the .mo files with the templates and migrations.
wheel: install translations
	rm -rf build dist
	$(BIN)/python -m pip wheel --quiet --no-deps --no-build-isolation -w dist .
	@ls dist/*.whl

# Re-pin after changing dependencies in pyproject.toml. Pins that still satisfy it are kept;
# `make lock UPGRADE=--upgrade` moves everything to the newest releases.
lock:
	$(PYTHON) -m venv $(LOCK_TOOLS)
	$(LOCK_TOOLS)/bin/python -m pip install --quiet 'pip-tools==7.6.2'
	$(PIP_COMPILE) $(UPGRADE) -o $(LOCK) pyproject.toml
	$(PIP_COMPILE) $(UPGRADE) --extra test --all-build-deps --allow-unsafe -c $(LOCK) \
		-o $(TEST_LOCK) pyproject.toml

# `PORT=5050 make run` serves on another port; links in e-mails and calendar feeds follow it
# (BASE_URL), unless BASE_URL is set. The demo logins are printed on every run.
PORT ?= 5000
RUN_URL := http://127.0.0.1:$(PORT)
RUN_BASE_URL = $(or $(BASE_URL),$(RUN_URL))

# The task queue's worker (background jobs: the yearly report's documents, the ESF workbooks) runs
# beside the server, on the SQLite queue in instance/, for as long as it does: stopping the
# server (Ctrl+C) stops the worker too.
run: install translations
	$(FLASK) db upgrade
	BASE_URL=$(RUN_BASE_URL) $(FLASK) seed-demo --if-empty
	@echo "Serving on $(RUN_URL) (sign in at $(RUN_URL)/auth/login)"
	@echo "Mail is not sent in development: read it at $(RUN_URL)/dev/outbox"
	@echo "Heavy documents are built by a worker started beside the server (flask worker)"
	BASE_URL=$(RUN_BASE_URL) $(FLASK) worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	BASE_URL=$(RUN_BASE_URL) $(FLASK) run --host 127.0.0.1 --port $(PORT)

# The layers and subjects are a contract ([tool.importlinter] in pyproject.toml): views above
# services above models, no audience importing another's views, no cycles between subjects.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# All of portal/, strict (pyproject.toml, [tool.mypy]).
typecheck: install
	$(BIN)/mypy

# Known vulnerabilities in the pinned production dependencies (pip-audit); ruff's S rules (bandit)
# run with the lint. Skipped, with the reason printed, where the advisory database is unreachable.
audit: install
	$(BIN)/python tools/dependency_audit.py

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Test files are spread over one worker per core (pytest-xdist; a file stays on one worker, so its
# live server starts once); each worker has its own SQLite file or PostgreSQL database.
# `make test PARALLEL=` runs everything in one process.
PARALLEL ?= -n auto --dist loadfile

# The whole suite on SQLite with branch coverage of portal/ ([tool.coverage] in pyproject.toml);
# then again on PostgreSQL when TEST_DATABASE_URL is set. Coverage is measured in the first run
# only, so the second costs no more than before; the few branches taken only on PostgreSQL (dialect
# checks) are reported as missed.
test: install translations lint typecheck audit
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest $(PARALLEL) --cov \
		--cov-report=term-missing:skip-covered
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== the suite again on PostgreSQL (browser tests ran above) =="; \
		$(BIN)/python -m pytest $(PARALLEL) -m "not browser"; \
	fi

extract: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -c "i18n:" --sort-by-file \
		--project=portal -w 100 -o translations/messages.pot .

update-translations: extract
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching \
		--ignore-obsolete -w 100
	$(BIN)/python translations/sync_english.py

# The key pages under load against a ceiling app, on generated data (bench/run.py; README,
# "Benchmarks"): PostgreSQL at every size (its databases portal_bench_<size> are created on
# 127.0.0.1:5432), SQLite at the small one. `make bench SIZES=small DATABASES=sqlite` is a
# quick run. wrk comes from Debian's package when missing (as root).
SIZES ?= small large region
DATABASES ?= postgresql sqlite
bench: install translations
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python bench/run.py --sizes "$(SIZES)" --databases "$(DATABASES)"

clean:
	rm -rf $(VENV) instance build dist translations/*/LC_MESSAGES/*.mo
