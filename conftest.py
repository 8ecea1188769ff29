"""Project-wide pytest setup: strict nbval runs (see tests/nbval-sanitize.cfg), a
snapshot of outputs/, and which tests run together when the tests run in parallel.

``make test`` runs the tests on every core with pytest-xdist (``-n auto``). What
holds in a plain ``pytest`` run must hold there too:

- A notebook's cells run in order, in one kernel, and the tests of the GIFs it
  writes (tests/test_outputs.py) run after it: all on one worker (`scope`).
- The browser tests start one server and one browser per module: one worker each.
- Tests that show the GIFs (the website, JupyterLab) never read one while a
  notebook writes it again: they read a copy of outputs/ as it was before any
  test ran (``committed_outputs()`` in tests/browser.py).
"""

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

# A backend forced from outside (MPLBACKEND=Agg, common on CI) would stop the
# notebooks' figures from showing inline, and their stored outputs would differ.
os.environ.pop("MPLBACKEND", None)

ROOT = Path(__file__).resolve().parent
SANITIZER = ROOT / "tests" / "nbval-sanitize.cfg"
SNAPSHOT = "MPLGIF_OUTPUTS_SNAPSHOT"  # where the copy of outputs/ is, for every worker

# The Chinese notebooks are built from the English ones (tools/translations.py),
# code and outputs copied; tests/test_translations.py checks them instead of nbval.
collect_ignore_glob = ["notebooks/zh-CN/*"]


def pytest_configure(config):
    # nbval resolves a relative sanitizer path against where pytest was
    # started; an absolute path works from anywhere.
    if hasattr(config.option, "nbval_sanitize_with") and not config.option.nbval_sanitize_with:
        config.option.nbval_sanitize_with = str(SANITIZER)
    # The controller (or a run without workers) copies outputs/ once; the workers it
    # starts inherit the variable.
    if not hasattr(config, "workerinput") and SNAPSHOT not in os.environ:
        folder = Path(tempfile.mkdtemp(prefix="mplgif-outputs-"))
        shutil.copytree(ROOT / "outputs", folder / "outputs")
        os.environ[SNAPSHOT] = str(folder / "outputs")

        def remove_snapshot():
            shutil.rmtree(folder, ignore_errors=True)
            os.environ.pop(SNAPSHOT, None)

        config.add_cleanup(remove_snapshot)


def pytest_collection_modifyitems(session, config, items):
    from tests.rerender import add_rerender_items

    add_rerender_items(items)
    # The rule `scope` relies on, checked in every run, parallel or not.
    notebooks = notebook_numbers(config.rootpath)
    for item in items:
        scope(item.nodeid, notebooks)


# Modules whose tests share a module-wide fixture (a server and a browser, a built site,
# or a small one that is cheaper built once).
TOGETHER = {"tests/test_site.py", "tests/test_lab.py", "tests/test_plots.py",
            "tests/test_smoothing.py"}
GIF_TESTS = "tests/test_outputs.py"


def notebook_numbers(root: Path) -> dict[str, str]:
    """The series' notebooks by number: {"02": "notebooks/02-erase-redraw.ipynb", ...}."""
    return {path.name[:2]: path.relative_to(root).as_posix()
            for path in (root / "notebooks").glob("[0-9][0-9]-*.ipynb")}


def scope(nodeid: str, notebooks: dict[str, str]) -> str:
    """The unit of work a test belongs to: tests of one unit run on one worker, in the
    order they were collected (notebooks first). Any other test runs anywhere."""
    path = nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        return path
    if path == GIF_TESTS:  # with the notebook whose GIF it reads, after its cells
        number = re.search(r"\[(\d\d)-", nodeid)
        if number is None or number[1] not in notebooks:
            raise pytest.UsageError(f"{nodeid}: a test in {GIF_TESTS} must be parametrized "
                                    "with the GIF it reads, named NN-... for notebook NN")
        return notebooks[number[1]]
    return path if path in TOGETHER else nodeid


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist, when it is installed
def pytest_xdist_make_scheduler(config, log):
    # pytest-xdist's own --dist loadgroup relies on rewriting test ids, which
    # pytest 9.2 no longer allows (pytest-xdist issue 1386): the grouping is by id here.
    if config.getvalue("dist") not in ("load", "loadscope", "loadgroup"):
        return None  # another distribution asked for (each, loadfile, worksteal...)
    from xdist.scheduler import LoadScopeScheduling

    notebooks = notebook_numbers(config.rootpath)

    class Scheduler(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scope(nodeid, notebooks)

    return Scheduler(config, log)
