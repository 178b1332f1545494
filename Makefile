# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-python test-ui install

install: $(STAMP)

$(STAMP): pyproject.toml package.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/derivaml demo --catalog quickstart
	cd examples/quickstart && ../../$(BIN)/deriva-ml-run-notebook notebooks/digits_analysis.ipynb

test: test-python test-ui

test-python: $(STAMP)
	$(BIN)/python -m pytest

# Galata (Playwright) tests of the JupyterLab extension, in Debian's Chromium.
test-ui: $(STAMP)
	@test -x /usr/bin/chromium || { echo "The UI tests need Chromium at /usr/bin/chromium:" \
		"apt-get install -y chromium"; exit 1; }
	cd ui-tests && PATH="$(CURDIR)/$(BIN):$$PATH" jlpm install
	cd ui-tests && PATH="$(CURDIR)/$(BIN):$$PATH" jlpm playwright test
