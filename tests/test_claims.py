"""Timing claims the notebooks make in prose, checked here because their
measured numbers change from run to run (the notebooks print them in cells
whose output nbval ignores)."""

from __future__ import annotations

import timeit

import matplotlib.pyplot as plt
import numpy as np
import pytest
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


def sine_animation(frames=20):
    """Notebook 07's animation: 20 frames of 320x240 pixels on an Agg canvas."""
    from matplotlib.animation import FuncAnimation
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 3), dpi=80)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot(X, np.cos(X))
    (line,) = ax.plot(X, np.sin(X))

    def update(frame):
        line.set_ydata(np.sin(X + frame / 10))
        return (line,)

    return FuncAnimation(fig, update, frames=frames, interval=20)


def test_07_a_frame_has_more_than_256_colours():
    from mplgif.writer import draw_frames

    first = next(iter(draw_frames(sine_animation(1))))[..., :3]
    assert len(np.unique(first.reshape(-1, 3), axis=0)) > 256


def test_07_save_gif_is_twice_as_fast_as_pillow_smaller_and_as_faithful(tmp_path):
    from PIL import Image, ImageSequence

    import mplgif
    from mplgif.writer import draw_frames

    frames = 10  # the writers' race in notebook 07
    reference = [pixels[..., :3].copy()
                 for pixels in draw_frames(sine_animation(frames), blit=False)]

    writers = {
        "pillow": lambda anim, path: anim.save(path, writer="pillow"),
        "mplgif": lambda anim, path: mplgif.save_gif(anim, path, fps=50),
    }
    # Timed in turns, best of two each, after an untimed save_gif (its first imports
    # SciPy's k-d tree): the tests run in parallel with other work, so a slow moment
    # must hit both writers alike, not one of them.
    writers["mplgif"](sine_animation(frames), tmp_path / "warm-up.gif")
    seconds = {name: [] for name in writers}
    for _ in range(2):
        for name, save in writers.items():
            start = timeit.default_timer()  # building the animation counts, as in 07
            save(sine_animation(frames), tmp_path / f"{name}.gif")
            seconds[name].append(timeit.default_timer() - start)

    def measure(name):
        path = tmp_path / f"{name}.gif"
        with Image.open(path) as gif:
            error = np.mean([
                np.abs(np.asarray(frame.convert("RGB"), dtype=int) - want).mean()
                for want, frame in zip(reference, ImageSequence.Iterator(gif), strict=False)
            ])
        return min(seconds[name]), path.stat().st_size, error

    pillow, fast = measure("pillow"), measure("mplgif")
    assert 2 * fast[0] < pillow[0], (fast, pillow)
    assert fast[1] < pillow[1], (fast, pillow)
    assert fast[2] <= pillow[2] + 0.05, (fast, pillow)
    assert fast[2] < 0.5, (fast, pillow)  # "well under one level" (Pillow's: 1.09 on 3.7)


def test_01_and_07_with_a_layout_engine_both_draw_as_often_as_matplotlib(tmp_path, monkeypatch):
    """01 and 07: a figure whose draws change the next draw (a layout engine) is drawn "as
    often as Matplotlib", every draw included, and gives the frames PillowWriter gets."""
    from corpus import RecordingPillowWriter
    from matplotlib.animation import FuncAnimation
    from matplotlib.figure import Figure

    import mplgif

    draws = []
    figure_draw = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda fig, renderer: draws.append(1)
                        or figure_draw(fig, renderer))

    def constrained(frames=3):
        fig = Figure(figsize=(2, 1.5), dpi=40, layout="constrained")
        FigureCanvasAgg(fig)  # a canvas that draws at once, as pyplot's without a window
        ax = fig.add_subplot()
        (line,) = ax.plot(X, np.sin(X))

        def update(k):
            line.set_ydata(10.0 ** k * np.sin(X))  # tick labels widen: the layout moves
            ax.set_ylim(-(10.0 ** k), 10.0 ** k)
            return (line,)

        return FuncAnimation(fig, update, frames=frames)

    counts = {}
    pillow = RecordingPillowWriter(fps=10)
    for how, save in {
        "pillow": lambda path: constrained().save(path, writer=pillow),
        "save_gif": lambda path: mplgif.save_gif(constrained(), path, fps=10),
        "writer": lambda path: constrained().save(path, writer="mplgif", fps=10),
    }.items():
        draws.clear()
        save(tmp_path / f"{how}.gif")
        counts[how] = len(draws)
    assert counts["save_gif"] == counts["writer"] == counts["pillow"] > 3, counts
    from mplgif.frames import draw_frames

    frames = [pixels.copy() for pixels in draw_frames(constrained())]
    assert all((a == b).all() for a, b in zip(frames, pillow.recorded, strict=True))


def test_00_without_imagemagick_extra_args_make_the_pillow_stand_in_fail(tmp_path):
    """00: "`extra_args=[...]` given to `anim.save` makes the Pillow stand-in fail with a
    `TypeError`" (and Matplotlib only logs that it uses Pillow instead)."""
    import matplotlib as mpl
    from matplotlib.animation import FuncAnimation

    fig, ax = plt.subplots(figsize=(1, 1), dpi=20)
    (line,) = ax.plot(X, np.sin(X))
    anim = FuncAnimation(fig, lambda k: line.set_ydata(np.sin(X + k)), frames=2)
    try:
        with mpl.rc_context({"animation.convert_path": str(tmp_path / "no-such-convert")}):
            with pytest.raises(TypeError, match="extra_args"):
                anim.save(tmp_path / "x.gif", writer="imagemagick",
                          extra_args=["-layers", "Optimize"])
    finally:
        plt.close(fig)
    assert not (tmp_path / "x.gif").exists()
