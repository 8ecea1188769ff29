"""Every warning an error, in the tests that check that a save warns of nothing."""

from __future__ import annotations

import contextlib
import warnings


@contextlib.contextmanager
def every_warning_an_error():
    """Inside, every warning raises, as in Matplotlib's own writer tests; all but one.
    Matplotlib warns "Animation was deleted without rendering anything" when the garbage
    collector deletes an animation never drawn: another test's, at any moment, here too
    (pyproject.toml ignores it everywhere else). As an error inside ``__del__`` it would
    be reported against this test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", "Animation was deleted without rendering")
        yield
