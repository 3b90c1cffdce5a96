# Two commands on a fresh machine: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_ENV := DJANGO_DEBUG=1

.PHONY: run test venv venv-dev messages migrate demo serve bench check clean

# `make run` needs the runtime only; `make test` adds the test tools (pytest, Playwright, schemathesis ...).
venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

venv-dev: $(VENV)/.installed-dev

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# Translations of the site chrome: locale/<lang>/LC_MESSAGES/django.po compiled to .mo (git-ignored build
# output) by GNU gettext's msgfmt, before anything serves or tests pages.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))

messages: $(MO_FILES)

locale/%.mo: locale/%.po
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: install GNU gettext (Debian/Ubuntu: apt-get install gettext) to compile $<" >&2; exit 1; }
	msgfmt --check --output-file=$@ $<

migrate: venv messages
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput

demo: migrate
	$(DEMO_ENV) $(BIN)/python manage.py load_demo $(if $(DEMO_PASSWORD),--password $(DEMO_PASSWORD),)

run: demo
	@echo "Serving http://127.0.0.1:8000/  (admin: http://127.0.0.1:8000/admin/)"
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# Production mode: gunicorn (gunicorn.conf.py), static files collected and served hashed+compressed by
# WhiteNoise. Needs DJANGO_SECRET_KEY; without one, a random key is generated once into .secret_key
# (git-ignored, keep it: sessions and password-reset links depend on it). TLS is expected to end at a
# proxy in front, which redirects http to https; set DJANGO_SECURE_SSL_REDIRECT=1 to redirect here instead.
SECRET_FILE := .secret_key
SERVE_ENV = DJANGO_DEBUG=0 DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat $(SECRET_FILE))}" \
	DJANGO_SECURE_SSL_REDIRECT="$${DJANGO_SECURE_SSL_REDIRECT:-0}"

$(SECRET_FILE):
	@umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(64))" > $@
	@echo "Generated a secret key in $@ (git-ignored). Set DJANGO_SECRET_KEY in real deployments."

serve: venv messages $(if $(DJANGO_SECRET_KEY),,$(SECRET_FILE))
	$(SERVE_ENV) $(BIN)/python manage.py migrate --noinput
	$(SERVE_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(SERVE_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING
	$(SERVE_ENV) $(BIN)/gunicorn --config gunicorn.conf.py

test: venv-dev messages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

check: venv-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings.test
	$(BIN)/python manage.py check --settings=config.settings.test

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 $(MO_FILES)

# Benchmark: BENCH_SHEETS=10000 make bench; see bench/run.py for the other BENCH_* variables.
bench: venv-dev
	$(BIN)/python -m bench.run
