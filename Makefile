# Two commands for a new machine with only Python 3.11:  make run  |  make test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1:8000
# The settings default to production's (DEBUG off, which needs SECRET_KEY and ALLOWED_HOSTS);
# the development commands below turn DEBUG on unless the environment says otherwise.
DEV := DEBUG=$${DEBUG:-true}
# What `check --deploy` sees in `make lint`: production settings with a fresh random key.
DEPLOY := DEBUG=false ALLOWED_HOSTS=share.example.org \
	SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')

.PHONY: run test lint format install migrate seed messages bench bench-search bench-rush bench-figures vendor clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Python 3.11 is required")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py createcachetable

seed: migrate
	$(DEV) $(BIN)/python manage.py seed_demo

# The site, the time-driven jobs (run_jobs --loop) and, when WECHAT_APPID is unset, a local
# WeChat stand-in (wechat_standin); Ctrl-C stops all three.
run: seed
	$(DEV) scripts/run_dev.sh $(BIN)/python $(HOST)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(DEV) $(BIN)/python manage.py spectacular --validate --fail-on-warn --file $(VENV)/openapi-schema.yaml
	$(DEPLOY) $(BIN)/python manage.py check --deploy --fail-level WARNING

test: lint
	$(BIN)/python -m pytest

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	cd alliance && $(DEV) ../$(BIN)/python ../manage.py makemessages -l zh_Hans --ignore '*/migrations/*'

# Re-fetch the vendored WeUI and htmx from the npm registry (needs npm; the site does not).
vendor:
	scripts/vendor_assets.sh

bench: install
	$(BIN)/python bench/availability.py

# The search by time over the demo's 78 resources: p50/p95, bench/results/search.{json,md}
bench-search: install
	$(BIN)/python bench/search.py

# The morning rush against gunicorn and PostgreSQL: DATABASE_URL=postgres://… make bench-rush
bench-rush: install
	$(BIN)/python -m pip install --quiet -e '.[dev,prod]'
	$(BIN)/python bench/rush.py

# The figures dashboard over a year of 1 million bookings on PostgreSQL:
# DATABASE_URL=postgres://… make bench-figures (bench/results/figures.{json,md})
bench-figures: install
	$(BIN)/python bench/figures.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
