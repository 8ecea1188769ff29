"""Project-wide pytest setup for strict nbval runs (see tests/nbval-sanitize.cfg)."""

import os
from pathlib import Path

# A backend forced from outside (MPLBACKEND=Agg, common on CI) would stop the
# notebooks' figures from showing inline, and their stored outputs would differ.
os.environ.pop("MPLBACKEND", None)

SANITIZER = Path(__file__).resolve().parent / "tests" / "nbval-sanitize.cfg"

# The Chinese notebooks are built from the English ones (tools/translations.py),
# code and outputs copied; tests/test_translations.py checks them instead of nbval.
collect_ignore_glob = ["notebooks/zh-CN/*"]


def pytest_collection_modifyitems(session, config, items):
    from tests.rerender import add_rerender_items

    add_rerender_items(items)


def pytest_configure(config):
    # nbval resolves a relative sanitizer path against where pytest was
    # started; an absolute path works from anywhere.
    if hasattr(config.option, "nbval_sanitize_with") and not config.option.nbval_sanitize_with:
        config.option.nbval_sanitize_with = str(SANITIZER)
