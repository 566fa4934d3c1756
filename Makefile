# erpsys: `make demo` runs the demo, `make test` runs the whole suite.
# Both create (and reuse) .venv themselves; only Python 3.11+ and the package registries are needed.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: venv demo test test-services lint generate-check messages clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

# The machine-local signing key (git-ignored), made once; production sets SECRET_KEY instead.
.secret_key:
	umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

venv: $(VENV)/.installed .secret_key

demo: venv
	$(PY) manage.py demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: venv
	$(PY) -m pytest -q $(PYTEST_ARGS)

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

generate-check: venv
	$(PY) manage.py generate --all --check

# Refresh locale/*/LC_MESSAGES/django.po from the source and compile the .mo files (commit both).
# Needs GNU gettext (msgfmt, xgettext: `apt-get install gettext`); CI only reads the committed .mo.
messages: venv
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=generated --ignore=tests --ignore=bench
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3
