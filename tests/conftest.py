"""Shared fixtures: small animations that save in well under a second."""

from __future__ import annotations

from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")  # tests never open windows

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.animation import FuncAnimation  # noqa: E402


@pytest.fixture
def make_anim() -> Callable[..., FuncAnimation]:
    """Build a small moving-sine animation; `fail_at` makes frame k raise `error`."""
    made = []

    def build(frames=5, *, fail_at=None, error=RuntimeError, interval=20):
        fig, ax = plt.subplots(figsize=(2, 1.5), dpi=40)
        x = np.linspace(0, 2 * np.pi, 50)
        (line,) = ax.plot(x, np.sin(x), color="tab:red")

        def update(frame):
            if frame == fail_at:
                raise error(f"frame {frame} failed on purpose")
            line.set_ydata(np.sin(x + frame / 2))
            return (line,)

        anim = FuncAnimation(fig, update, frames=frames, interval=interval)
        made.append((fig, anim))
        return anim

    yield build
    # Many tests refuse to save before a frame is drawn, on purpose; Matplotlib then
    # warns, when the animation is deleted (whenever the garbage collector gets to it),
    # that it was never rendered. Marked as started, it does not. (Collecting here
    # instead, within catch_warnings, cost 0.15 s a test.)
    for fig, anim in made:
        anim._draw_was_started = True
        plt.close(fig)
    made.clear()
