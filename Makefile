# Two commands on a fresh machine: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_ENV := DJANGO_DEBUG=1

.PHONY: run test venv migrate demo serve bench check clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

migrate: venv
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput

demo: migrate
	$(DEMO_ENV) $(BIN)/python manage.py load_demo $(if $(DEMO_PASSWORD),--password $(DEMO_PASSWORD),)

run: demo
	@echo "Serving http://127.0.0.1:8000/  (admin: http://127.0.0.1:8000/admin/)"
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

check: venv
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings.test
	$(BIN)/python manage.py check --settings=config.settings.test

clean:
	rm -rf $(VENV) staticfiles db.sqlite3

# Benchmark (issue 8): BENCH_SHEETS=10000 make bench; see bench/run.py for the other BENCH_* variables.
bench: venv
	$(BIN)/python -m bench.run
