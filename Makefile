# The two commands: `make gifs` (the default) and `make test`; `make site` builds the website.
# Each creates .venv on first use and reinstalls only when requirements.txt
# or pyproject.toml changed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.installed
SITE_READY := $(VENV)/.site-installed
# Binder links on the site: the repository on GitHub (owner/name); read from a
# GitHub "origin" remote when not given, e.g. `make site MPLGIF_REPOSITORY=owner/name`.
export MPLGIF_REPOSITORY MPLGIF_BRANCH

# rfc3987-syntax, which JupyterLab's jupyter-events pulls in (jsonschema[format-nongpl]),
# compiles a grammar when imported: about 2.8 s in every process that imports nbformat
# (make gifs, make lab; in make test pytest and each of its workers, Sphinx for each
# language, JupyterLab, tools/navigation.py). jsonschema uses it only to check the "iri"
# and "iri-reference" string formats, which no schema here uses, and skips those checks
# without it; so it is uninstalled after each install (a later pip install that reaches
# jupyter-events brings it back; nothing breaks either way).
UNINSTALL_SLOW_IMPORT := -m pip uninstall --yes --quiet --quiet rfc3987-syntax

.DEFAULT_GOAL := gifs
.PHONY: gifs test screenshots site student test-student test-oldest translations bench lab lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(READY): requirements.txt pyproject.toml | $(BIN)/python
	@echo "Installing requirements.txt into $(VENV) (the first time takes a minute or two)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python $(UNINSTALL_SLOW_IMPORT)
	touch $@

$(SITE_READY): site/requirements.txt $(READY)
	@echo "Installing site/requirements.txt (Sphinx, MyST-NB, Playwright) into $(VENV)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r site/requirements.txt
	$(BIN)/python $(UNINSTALL_SLOW_IMPORT)
	touch $@

## gifs: execute every notebook in order, in place, writing outputs/*.gif
gifs: $(READY)
	$(BIN)/python tools/run_notebooks.py

# The tests run on every core (pytest-xdist); a notebook and the tests of its GIFs stay
# together, in order, on one worker (see conftest.py). PARALLEL= runs them in one process.
PARALLEL ?= -n auto

## test: strict nbval over notebooks/ plus the unit tests in tests/ (the browser tests of
## the site and of JupyterLab included; skipped, with the reason, without Chromium:
## Debian's chromium-headless-shell, /usr/bin/chromium or the program named by MPLGIF_CHROMIUM)
test: $(READY) $(SITE_READY)
	$(BIN)/python -m pytest $(PARALLEL)

## screenshots: the website's browser test, saving two screenshots of every page (desktop,
## phone) to build/site/screenshots to look at
screenshots: $(SITE_READY)
	MPLGIF_SCREENSHOTS=1 $(BIN)/python -m pytest tests/test_site.py

## student: the notebooks without their solutions (cells tagged `solution`) and without
## outputs, in build/student/notebooks, for a class to work through
student: $(READY)
	$(BIN)/python tools/make_student.py

## test-student: run every student notebook top to bottom (its checks must say "not yet")
test-student: $(READY)
	$(BIN)/python -m pytest $(PARALLEL) -m student tests/test_student.py

## site: the website of the committed notebooks (outputs as stored; notebook 01 runs up to
## its to_jshtml() player, which git does not store), in build/site/html
site: $(SITE_READY)
	$(BIN)/python tools/build_site.py

## test-oldest: the same tests with exactly the lower bounds of requirements.txt, in a
## copy of the working tree under build/oldest (so its GIFs do not overwrite outputs/)
OLDEST := build/oldest
test-oldest:
	rm -rf $(OLDEST)/src
	mkdir -p $(OLDEST)/src
	git ls-files -z | tar --null -T - -cf - | tar -xf - -C $(OLDEST)/src
	sed -E 's/>=/==/' requirements.txt > $(OLDEST)/src/requirements.txt
	test -x $(OLDEST)/venv/bin/python || $(PYTHON) -m venv $(OLDEST)/venv
	@echo "Installing the oldest supported versions into $(OLDEST)/venv"
	cd $(OLDEST)/src && ../venv/bin/python -m pip install --quiet --disable-pip-version-check \
		-r requirements.txt
	$(OLDEST)/venv/bin/python $(UNINSTALL_SLOW_IMPORT)
	cd $(OLDEST)/src && ../venv/bin/python -m pytest $(PARALLEL)

## translations: update notebooks/zh-CN/*.po from the English notebooks (new cells added,
## changed ones marked fuzzy) and rebuild the Chinese notebooks notebooks/zh-CN/*.ipynb
translations: $(READY)
	$(BIN)/python tools/translations.py

## bench: compare the GIF writers on speed, size, memory and fidelity (takes minutes), on
## the sine and regression animations and then on every case of tests/corpus/ (with FFmpeg)
bench: $(READY)
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/corpus_bench.py
	$(BIN)/python benchmarks/corpus_bench.py --dpi 100 --frames 20

## lab: open the series in JupyterLab, serving the repository root so that the notebooks'
## GIFs (../outputs/) and links (../README.md) resolve; adds --allow-root only as root
lab: $(READY)
	$(BIN)/python tools/lab.py

## lint: ruff over the package, tests, tools and notebooks (ruff reads .ipynb itself)
lint: $(READY)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check ruff
	$(BIN)/python -m ruff check .

## clean: remove the virtual environments
clean:
	rm -rf $(VENV) $(OLDEST)
