"""Timing claims the notebooks make in prose, checked here because their
measured numbers change from run to run (the notebooks print them in cells
whose output nbval ignores)."""

from __future__ import annotations

import timeit

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg

X = np.arange(0, 2 * np.pi, 0.01)


def sine_figure():
    """The sine-and-cosine figure of notebooks 01 and 02."""
    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=80)
    ax.plot(X, np.cos(X), color="tab:blue")
    (sine,) = ax.plot(X, np.sin(X), color="tab:red")
    return fig, ax, sine, FigureCanvasAgg(fig)


def best_ms(step, number):
    """Best of five runs of `number` calls, in milliseconds per call."""
    return min(timeit.repeat(step, number=number, repeat=5)) / number * 1000


def test_01_a_blitted_frame_costs_a_small_fraction_of_a_full_draw():
    fig, ax, sine, canvas = sine_figure()
    full_ms = best_ms(canvas.draw, number=3)
    sine.set_animated(True)
    canvas.draw()
    background = canvas.copy_from_bbox(fig.bbox)

    def blit():
        canvas.restore_region(background)
        ax.draw_artist(sine)

    blit_ms = best_ms(blit, number=20)
    plt.close(fig)
    assert full_ms > 5 * blit_ms, (full_ms, blit_ms)


def test_02_rebuilding_a_line_costs_more_than_updating_it_and_drawing_more_than_both():
    fig, ax, sine, canvas = sine_figure()
    update_ms = best_ms(lambda: sine.set_ydata(np.sin(X + 1)), number=100)
    sine.remove()
    state = {"line": ax.plot(X, np.sin(X), color="tab:red")[0]}

    def rebuild():
        state["line"].remove()
        (state["line"],) = ax.plot(X, np.sin(X + 1), color="tab:red")

    rebuild_ms = best_ms(rebuild, number=100)
    draw_ms = best_ms(canvas.draw, number=3)
    plt.close(fig)
    assert rebuild_ms > 5 * update_ms, (rebuild_ms, update_ms)
    assert draw_ms > 10 * rebuild_ms, (draw_ms, rebuild_ms)
