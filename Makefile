# SiteSys: `make run` starts it, `make test` checks it. Only Python 3.11+ is needed beforehand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test safety hazard-log lint bench clean screenshots translations compile-translations

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

## run: migrate the SQLite database, seed the demo once, serve on :5000 with the scheduler beside it
run: $(VENV)/.runtime compile-translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo --skip-if-staff
	@echo "SiteSys on http://127.0.0.1:5000 (Ctrl-C stops the web server and the scheduler)"
	@trap 'kill $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(FLASK) scheduler & scheduler=$$!; \
	$(FLASK) run --host 127.0.0.1 --port 5000

## test: every test on SQLite, then on PostgreSQL when SITESYS_TEST_POSTGRES_URL is set, then the
## safety case (make safety) against the results of the runs that happened
RESULTS := .test-results
test: $(VENV)/.dev compile-translations
	rm -rf $(RESULTS)
	$(BIN)/pytest --db=sqlite --junitxml=$(RESULTS)/sqlite.xml $(PYTEST_ARGS)
	@if [ -n "$$SITESYS_TEST_POSTGRES_URL" ]; then \
		$(BIN)/pytest --db=postgresql --junitxml=$(RESULTS)/postgresql.xml $(PYTEST_ARGS); \
	else \
		echo "SITESYS_TEST_POSTGRES_URL is not set: PostgreSQL run skipped."; \
	fi
	$(MAKE) --no-print-directory safety

## safety: the clinical safety case holds: every hazard has a control, every control a test that
## passed in the last make test (docs/clinical-safety/); prints the hazard-to-test table
safety: $(VENV)/.dev
	$(BIN)/python -m tests.safety_case --results $(RESULTS)

## hazard-log: render docs/clinical-safety/hazard-log.md again from hazard-log.yaml
hazard-log: $(VENV)/.dev
	$(BIN)/python -m tests.safety_case --write --static

## lint: ruff check, ruff format --check, mypy (strict) on sitesys/
lint: $(VENV)/.dev
	$(BIN)/ruff check sitesys tests migrations bench config.py wsgi.py
	$(BIN)/ruff format --check sitesys tests migrations bench config.py wsgi.py
	$(BIN)/mypy

## screenshots: take the README's screenshots again (board, emergency response, check-in at 768x1024)
screenshots: $(VENV)/.dev
	$(BIN)/python -m tests.browser.screenshots

## translations: extract every string a person reads into sitesys/translations/messages.pot and
## update each language's catalogue from it (docs/translations.md)
TRANSLATIONS := sitesys/translations
translations: $(VENV)/.runtime
	$(BIN)/pybabel extract --mapping-file $(TRANSLATIONS)/babel.cfg --keywords _l --keywords lazy_gettext \
		--keywords lazy_ngettext:1,2 --add-comments TRANSLATORS: --no-location --sort-output --omit-header \
		--ignore-dirs ".*" --output-file $(TRANSLATIONS)/messages.pot .
	@if ls $(TRANSLATIONS)/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel update --input-file $(TRANSLATIONS)/messages.pot --output-dir $(TRANSLATIONS) \
			--no-fuzzy-matching; \
	fi

## compile-translations: compile the catalogues (make run and make test do it, so a fresh clone works)
compile-translations: $(VENV)/.runtime
	@if ls $(TRANSLATIONS)/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel compile --statistics --directory $(TRANSLATIONS); \
	fi

## bench: the benchmark suite (see bench/README.md)
bench: $(VENV)/.dev
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(RESULTS)
