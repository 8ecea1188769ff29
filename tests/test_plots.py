"""The training animations: artists made once, right things on the last frame."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest

import mplgif
from mplgif.plots import animate_comparison, animate_training
from mplgif.regression import DivergenceWarning, make_data, train


@pytest.fixture(scope="module")
def data():
    return make_data()


@pytest.fixture(scope="module")
def short_trace(data):
    x, y = data
    return train(x, y, learning_rate=0.001, epochs=30, display_step=10)


def inventory(fig):
    """How many axes, and how many artists in each, a figure holds."""
    return [len(fig.axes)] + [len(ax.get_children()) for ax in fig.axes]


def test_update_moves_the_line_and_shows_the_cost_only_at_the_end(data, short_trace):
    x, y = data
    anim = animate_training(short_trace, x, y)
    plot = anim.training_plot
    last = plot.frames - 1
    assert plot.frames == short_trace.snapshots == 13
    for frame in range(plot.frames):
        changed = plot.update(frame)
        assert plot.fitted_line in changed
        np.testing.assert_allclose(plot.fitted_line.get_ydata(), short_trace.fitted[frame])
        assert plot.ax.get_title() == f"epoch {short_trace.epoch[frame]}"
        assert plot.cost_ax.get_visible() is (frame == last)
        assert plot.cost_text.get_visible() is (frame == last)
        assert plot.legend_training.get_visible() is (frame != last)
    labels = [text.get_text() for text in plot.legend_final.get_texts()]
    assert labels == ["data", "fitted line", "cost"]
    assert [t.get_text() for t in plot.legend_training.get_texts()] == ["data", "fitted line"]
    assert plot.cost_text.get_text() == f"cost {short_trace.cost[-1]:.2f}"
    assert plot.cost_line.get_color() == "tab:blue"


def test_save_display_save_adds_no_artist_or_axes_and_gives_the_same_bytes(
    data, short_trace, tmp_path
):
    x, y = data
    anim = animate_training(short_trace, x, y)
    fig = anim.training_plot.ax.figure
    before = inventory(fig)
    first = mplgif.save_gif(anim, tmp_path / "first.gif", fps=10)
    anim.to_jshtml()  # what displaying it in Jupyter does
    middle = inventory(fig)
    second = mplgif.save_gif(anim, tmp_path / "second.gif", fps=10)
    assert before == middle == inventory(fig)
    assert len(fig.axes) == 2
    assert first.frames == second.frames == 13
    assert (tmp_path / "first.gif").read_bytes() == (tmp_path / "second.gif").read_bytes()


def test_comparison_holds_a_short_run_on_its_last_frame(data):
    x, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DivergenceWarning)
        traces = [
            train(x, y, learning_rate=rate, epochs=30, display_step=10) for rate in (0.001, 0.05)
        ]
    assert traces[1].snapshots < traces[0].snapshots
    anim = animate_comparison(traces, x, y)
    slow, diverged = anim.training_plots
    diverged.update(traces[0].snapshots - 1)
    assert diverged.ax.get_title().endswith(
        f"epoch {traces[1].epoch[-1]}, diverged in {traces[1].diverged_at}"
    )
    assert diverged.ax.get_title().startswith("learning rate 0.05\n")
    assert slow.legend_training is not None and diverged.legend_training is None


def test_an_empty_trace_is_a_clear_error(data):
    x, y = data
    with pytest.warns(DivergenceWarning):
        trace = train(x, y, learning_rate=100.0, epochs=3, display_step=1)
    with pytest.raises(ValueError, match="no snapshots.*diverged in epoch 1.*smaller"):
        animate_training(trace, x, y)


def test_nan_in_a_trace_is_a_clear_error(data, short_trace):
    x, y = data
    fitted = short_trace.fitted.copy()
    fitted[3, 7] = np.nan
    broken = dataclasses.replace(short_trace, fitted=fitted)
    with pytest.raises(ValueError, match=r"trace\.fitted contains NaN or inf"):
        animate_training(broken, x, y)


def test_data_that_does_not_match_the_trace_is_a_clear_error(data, short_trace):
    x, y = data
    with pytest.raises(ValueError, match="the data the trace was trained on"):
        animate_training(short_trace, x[:10], y[:10])
