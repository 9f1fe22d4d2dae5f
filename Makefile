# The two set-up commands of the README:
#   make run    install, build the index over seeds/ and start the API
#   make test   install and run the checks (ruff) and the tests (pytest)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
INDEX  ?= index
PORT   ?= 8000

.PHONY: run index test lint bench bench-live bench-page eval clean docker-test
N ?= 10000

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

index: $(BIN)/.installed
	$(BIN)/python -m search build seeds --index $(INDEX)

# Builds (or finds up to date) the index, then serves it on $(PORT) until Ctrl-C.
run: index
	NEWSDESK_INDEX_DIR=$(INDEX) PORT=$(PORT) $(BIN)/gunicorn --config gunicorn.conf.py

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/hadolint Dockerfile

# The container tests (tests/container) need an engine; docker-test runs them.
test: lint
	$(BIN)/python -m pytest -q -m "not container"

# Builds the image and checks it through real containers (podman here, docker elsewhere):
# ready on its own, search, non-root, healthcheck, /metrics, JSON logs, graceful stop,
# the indexing job into a named volume. Not part of `make test`: CI has no engine.
ENGINE ?= $(shell command -v podman >/dev/null 2>&1 && echo podman || echo docker)
IMAGE  ?= newsdesk
docker-test: lint
	$(ENGINE) build $(if $(findstring podman,$(ENGINE)),--format docker) -t $(IMAGE) .
	NEWSDESK_TEST_ENGINE=$(ENGINE) NEWSDESK_TEST_IMAGE=$(IMAGE) \
		$(BIN)/python -m pytest -q -m container tests/container

# Speed: newsdesk against SQLite FTS5 and tantivy on N synthetic articles (bench/README.md).
bench: $(BIN)/.installed
	$(BIN)/python -m bench.run --n $(N)

# Writes under load: journal fsync cost, 60 s of 9:1 search/PUT traffic, visibility, a
# full rebuild's swap under that traffic (bench/live.py).
bench-live: $(BIN)/.installed
	$(BIN)/python -m bench.live --n $(N)

# What the search page's HTML adds to the API's time, same searches (bench/page.py).
bench-page: $(BIN)/.installed
	$(BIN)/python -m bench.page --n $(N)

# Ranking quality on CISI and Reuters topics: newsdesk against SQLite FTS5 and tantivy
# (bench/README.md).
eval: $(BIN)/.installed
	$(BIN)/python -m bench.cisi
	$(BIN)/python -m bench.topics
	$(BIN)/python -m bench.entities

clean:
	rm -rf $(VENV) $(INDEX)
