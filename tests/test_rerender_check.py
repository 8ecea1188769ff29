"""The re-render check (tests/rerender.py) catches an animation that grows."""

from __future__ import annotations

import contextlib
import io
import json

import matplotlib.pyplot as plt
import pytest
from matplotlib.animation import FuncAnimation

from tests.rerender import CHECK, check_report


def report_for(**animations) -> dict:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(CHECK, {**animations, "_skip": []})
    return json.loads(printed.getvalue())


def test_it_catches_the_articles_twinx_in_the_update_function():
    fig, ax = plt.subplots(figsize=(2, 2), dpi=40)
    (line,) = ax.plot([0, 1], [0, 1])

    def update(frame):
        line.set_ydata([0, frame])
        if frame == 2:
            ax.twinx()  # a new axes on every render
        return (line,)

    report = report_for(growing=FuncAnimation(fig, update, frames=3))
    with pytest.raises(AssertionError, match="growing grew"):
        check_report("synthetic", report)
    plt.close(fig)


def test_it_passes_an_animation_that_only_updates():
    fig, ax = plt.subplots(figsize=(2, 2), dpi=40)
    (line,) = ax.plot([0, 1], [0, 1])

    def update(frame):
        line.set_ydata([0, frame])
        return (line,)

    check_report("synthetic", report_for(steady=FuncAnimation(fig, update, frames=3)))
    plt.close(fig)
