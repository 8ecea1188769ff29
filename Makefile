# The two commands: `make gifs` (the default) and `make test`.
# Each creates .venv on first use and reinstalls only when requirements.txt
# or pyproject.toml changed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.installed

.DEFAULT_GOAL := gifs
.PHONY: gifs test lab lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(READY): requirements.txt pyproject.toml | $(BIN)/python
	@echo "Installing requirements.txt into $(VENV) (the first time takes a minute or two)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

## gifs: execute every notebook in order, in place, writing outputs/*.gif
gifs: $(READY)
	$(BIN)/python tools/run_notebooks.py

## test: strict nbval over notebooks/ plus the unit tests in tests/
test: $(READY)
	$(BIN)/python -m pytest

## lab: open the series in JupyterLab
lab: $(READY)
	$(BIN)/jupyter lab notebooks/

## lint: ruff over the package, tests, tools and notebooks (ruff reads .ipynb itself)
lint: $(READY)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check ruff
	$(BIN)/python -m ruff check .

## clean: remove the virtual environment
clean:
	rm -rf $(VENV)
