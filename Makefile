# Cadre — the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed

.PHONY: run test install lint typecheck bench screenshots clean translations

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: install, migrate the SQLite database, load the demo owner, serve on $PORT.
run: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) policy load examples/boundaries.toml
	@echo "Cadre: http://$(HOST):$(PORT)/  (demo booking page: http://$(HOST):$(PORT)/camille)"
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) wsgi:app

## make test: install, lint, type-check the core, run the whole test suite.
test: $(STAMP) lint typecheck
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache

## make translations: extract the app's messages, update the French catalogue, compile it.
## Fill in new French strings in app/translations/fr/LC_MESSAGES/messages.po, run it again,
## and commit both the .po and the compiled .mo.
translations: $(STAMP)
	mkdir -p app/translations
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --sort-by-file --project=Cadre -o app/translations/messages.pot .
	test -f app/translations/fr/LC_MESSAGES/messages.po \
	  && $(BIN)/pybabel update -i app/translations/messages.pot -d app/translations -l fr --no-fuzzy-matching --ignore-obsolete \
	  || $(BIN)/pybabel init -i app/translations/messages.pot -d app/translations -l fr
	$(BIN)/pybabel compile -d app/translations --statistics
