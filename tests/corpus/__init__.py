"""A corpus of small, awkward animations, written for this project.

Each case is a function that builds a fresh figure and animation and returns
``(fig, anim)``. They cover what a learner may bring to ``save_gif`` or
``writer="mplgif"``: 3D axes, artists added or removed without being
returned, changing titles, limits and tick labels, images and colorbars,
gradients with more colours than a GIF palette, many hues, re-created
``fill_between``, twin axes, subplots, constrained layout, changing legends,
``ArtistAnimation``, transparent figures, ``blit=True`` and ``blit=False``,
changes that mark no artist stale (a transform or an array changed in place,
a formatter reading a variable, a legend placed "best", an annotation placed
from another artist), artists marked animated, and the series' own
animations. Kept small (a few frames at a low dpi) so that the whole corpus
runs in the tests. :func:`as_a_gif_shows` and
:func:`off_by` say how far a decoded GIF frame is from the frame drawn.
"""

from __future__ import annotations

import functools

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import ArtistAnimation, FuncAnimation, PillowWriter

FRAMES = 6
SIZE = (2.4, 1.8)
DPI = 40

CASES: dict = {}


def as_a_gif_shows(rgba: np.ndarray) -> np.ndarray:
    """What a GIF can show of an RGBA frame, as int16 RGBA: transparent where
    alpha is 0, every other pixel its colour, opaque (a GIF has no partial
    transparency; Matplotlib's colours are not premultiplied by alpha). The
    colour of a transparent pixel is 0, so that it compares equal to any other."""
    shown = rgba.astype(np.int16)
    clear = shown[..., 3] == 0
    shown[..., 3] = 255
    shown[clear] = 0
    return shown


def off_by(want: np.ndarray, got: np.ndarray) -> np.ndarray:
    """Per pixel and channel (0-255), how far `got` is from `want`, both from
    :func:`as_a_gif_shows`: 255 where one is transparent and the other not."""
    off = np.abs(want[..., :3] - got[..., :3])
    off[want[..., 3] != got[..., 3]] = 255
    return off


class RecordingPillowWriter(PillowWriter):
    """Matplotlib's PillowWriter, keeping each frame it hands Pillow (as RGBA) in
    ``recorded``: the frames to compare a GIF with."""

    def setup(self, fig, outfile, dpi=None):
        super().setup(fig, outfile, dpi=dpi)
        self.recorded = []

    def grab_frame(self, **savefig_kwargs):
        super().grab_frame(**savefig_kwargs)
        self.recorded.append(np.asarray(self._frames[-1].convert("RGBA")))


def case(function):
    CASES[function.__name__] = function
    return function


def _figure(**kwargs):
    return plt.subplots(figsize=SIZE, dpi=DPI, **kwargs)


def _x():
    return np.linspace(0, 2 * np.pi, 60)


# -- Plain lines -----------------------------------------------------------------


@case
def sine_returned():
    fig, ax = _figure()
    x = _x()
    (line,) = ax.plot(x, np.sin(x), color="tab:orange", lw=2)

    def update(frame):
        line.set_ydata(np.sin(x + frame / 3))
        return (line,)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


@case
def sine_blit_true():
    fig, ax = _figure()
    x = _x()
    (line,) = ax.plot(x, np.sin(x), color="tab:green")

    def update(frame):
        line.set_ydata(np.sin(x - frame / 3))
        return (line,)

    return fig, FuncAnimation(fig, update, frames=FRAMES, blit=True)


@case
def sine_returns_nothing():
    fig, ax = _figure()
    x = _x()
    (line,) = ax.plot(x, np.sin(x))

    def update(frame):
        line.set_ydata(np.sin(x + frame / 2))

    return fig, FuncAnimation(fig, update, frames=FRAMES)


@case
def returns_one_of_two_changed():
    fig, ax = _figure()
    x = _x()
    (first,) = ax.plot(x, np.sin(x))
    (second,) = ax.plot(x, np.cos(x))

    def update(frame):
        first.set_ydata(np.sin(x + frame / 3))
        second.set_ydata(np.cos(x + frame / 3))  # changed, never returned
        return (first,)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


# -- 3D --------------------------------------------------------------------------


def _axes_3d():
    fig = plt.figure(figsize=SIZE, dpi=DPI)
    return fig, fig.add_subplot(projection="3d")


@case
def rotating_3d_view():
    fig, ax = _axes_3d()
    grid = np.linspace(-2, 2, 12)
    xs, ys = np.meshgrid(grid, grid)
    surface = ax.plot_surface(xs, ys, np.exp(-(xs**2 + ys**2)), cmap="viridis")

    def update(frame):
        ax.view_init(elev=30, azim=20 + 25 * frame)
        return (surface,)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


@case
def moving_3d_scatter():
    fig, ax = _axes_3d()
    rng = np.random.default_rng(19680801)
    points = rng.uniform(-1, 1, (3, 30))
    scatter = ax.scatter(*points, c="tab:red")
    ax.set(xlim=(-2, 2), ylim=(-2, 2), zlim=(-2, 2))

    def update(frame):
        scatter._offsets3d = tuple(points * (1 + frame / 5))
        return (scatter,)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


@case
def surface_replotted_3d():
    fig, ax = _axes_3d()
    grid = np.linspace(-2, 2, 10)
    xs, ys = np.meshgrid(grid, grid)
    surfaces = [ax.plot_surface(xs, ys, np.sin(xs) * np.cos(ys), cmap="plasma")]
    ax.set_zlim(-1, 1)

    def update(frame):
        surfaces.pop().remove()
        surfaces.append(
            ax.plot_surface(xs, ys, np.sin(xs + frame / 2) * np.cos(ys), cmap="plasma")
        )
        return surfaces

    return fig, FuncAnimation(fig, update, frames=FRAMES)


# -- Artists added or removed without being returned -----------------------------


@case
def trail_added_each_frame():
    fig, ax = _figure()
    x = _x()
    (head,) = ax.plot([], [], "o", color="black")
    ax.set(xlim=(0, 2 * np.pi), ylim=(-1.2, 1.2))

    def update(frame):
        part = x[: 10 * (frame + 1)]
        ax.plot(part, np.sin(part), color="tab:blue", alpha=0.5)  # not returned
        head.set_data([part[-1]], [np.sin(part[-1])])
        return (head,)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


def _removed_at_frame_3(make):
    fig, ax = _figure()
    x = _x()
    (line,) = ax.plot(x, np.sin(x))
    extra = make(ax)

    def update(frame):
        line.set_ydata(np.sin(x + frame / 3))
        if frame == 3:
            extra.remove()
        return (line,)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


@case
def line_removed():
    return _removed_at_frame_3(lambda ax: ax.plot([1, 5], [-1, 1], "s-", color="tab:red")[0])


@case
def text_removed():
    return _removed_at_frame_3(lambda ax: ax.text(3, 0.5, "goes away", color="tab:purple"))


@case
def patch_removed():
    from matplotlib.patches import Circle

    return _removed_at_frame_3(lambda ax: ax.add_patch(Circle((3, 0), 0.6, color="tab:olive")))


@case
def fill_between_recreated():
    fig, ax = _figure()
    x = _x()
    (line,) = ax.plot(x, np.sin(x), color="black")
    bands = [ax.fill_between(x, np.sin(x) - 0.2, np.sin(x) + 0.2, alpha=0.3)]

    def update(frame):
        y = np.sin(x + frame / 3)
        line.set_ydata(y)
        bands.pop().remove()
        bands.append(ax.fill_between(x, y - 0.2, y + 0.2, alpha=0.3, color="tab:cyan"))
        return (line,)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


# -- Text, limits and ticks changing ----------------------------------------------


@case
def title_and_suptitle_change():
    fig, ax = _figure()
    x = _x()
    (line,) = ax.plot(x, np.sin(x))

    def update(frame):
        line.set_ydata(np.sin(x + frame / 3))
        ax.set_title(f"step {frame}")
        fig.suptitle(f"run {frame % 2}")
        return (line,)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


@case
def limits_change():
    fig, ax = _figure()
    x = _x()
    (line,) = ax.plot(x, np.sin(x))

    def update(frame):
        line.set_ydata((frame + 1) * np.sin(x))
        ax.set_ylim(-(frame + 1), frame + 1)
        return (line,)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


@case
def tick_labels_change():
    fig, ax = _figure()
    x = _x()
    (line,) = ax.plot(x, np.sin(x))

    def update(frame):
        line.set_ydata(np.sin(x + frame))
        ax.set_xticks([0, 3, 6], [f"{frame}a", f"{frame}b", f"{frame}c"])
        return (line,)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


# -- Images and colours ------------------------------------------------------------


@case
def imshow_with_colorbar():
    fig, ax = _figure()
    grid = np.linspace(-3, 3, 40)
    xs, ys = np.meshgrid(grid, grid)
    image = ax.imshow(np.sin(xs) * np.cos(ys), cmap="viridis", vmin=-1, vmax=1)
    fig.colorbar(image, ax=ax)

    def update(frame):
        image.set_data(np.sin(xs + frame / 2) * np.cos(ys))
        return (image,)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


@case
def gradient_many_colours():
    fig, ax = _figure()
    ramp = np.linspace(0, 1, 300)
    image = ax.imshow(np.tile(ramp, (40, 1)), cmap="twilight", aspect="auto",
                      interpolation="bilinear")
    (line,) = ax.plot([0, 299], [20, 20], color="white")

    def update(frame):
        image.set_data(np.tile(np.roll(ramp, 30 * frame), (40, 1)))
        line.set_ydata([20 + frame, 20 - frame])
        return (image, line)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


@case
def many_lines_many_hues():
    fig, ax = _figure()
    x = _x()
    colours = plt.get_cmap("hsv")(np.linspace(0, 1, 40, endpoint=False))
    lines = [ax.plot(x, np.sin(x + k / 6), color=c, lw=1)[0] for k, c in enumerate(colours)]

    def update(frame):
        for k, line in enumerate(lines):
            line.set_ydata(np.sin(x + k / 6 + frame / 4) * (1 - k / 80))
        return lines

    return fig, FuncAnimation(fig, update, frames=FRAMES)


@case
def transparent_figure():
    fig, ax = _figure()
    fig.patch.set_alpha(0)
    ax.patch.set_alpha(0.3)
    x = _x()
    (line,) = ax.plot(x, np.sin(x), color="tab:red")

    def update(frame):
        line.set_ydata(np.sin(x + frame / 3))
        return (line,)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


@case
def see_through_moving_line():
    # Nothing behind the line: the pixels it leaves must turn transparent again.
    fig, ax = _figure()
    fig.patch.set_alpha(0)
    ax.patch.set_alpha(0)
    x = _x()
    (line,) = ax.plot(x, np.sin(x), color="tab:green", lw=2)

    def update(frame):
        line.set_ydata(np.sin(x + frame / 2))
        return (line,)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


@case
def figure_facecolor_none():
    # Transparent around an opaque axes; anim.save keeps it so for writers that
    # support transparency (Matplotlib 3.8 and later), else paints it onto white.
    fig, ax = _figure(facecolor="none")
    x = _x()
    (line,) = ax.plot(x, np.sin(x), color="tab:purple")
    ax.set_title("0")

    def update(frame):
        line.set_ydata(np.sin(x + frame / 3))
        ax.set_title(str(frame))
        return (line,)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


# -- Layouts ---------------------------------------------------------------------


@case
def twin_axes():
    fig, ax = _figure()
    twin = ax.twinx()
    x = _x()
    (left,) = ax.plot(x, np.sin(x), color="tab:blue")
    (right,) = twin.plot(x, 100 * np.cos(x), color="tab:red")

    def update(frame):
        left.set_ydata(np.sin(x + frame / 3))
        right.set_ydata(100 * np.cos(x + frame / 3))
        return (left, right)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


@case
def two_subplots():
    fig, (top, bottom) = _figure(nrows=2)
    x = _x()
    (upper,) = top.plot(x, np.sin(x))
    (lower,) = bottom.plot(x, np.cos(x), color="tab:orange")

    def update(frame):
        upper.set_ydata(np.sin(x + frame / 3))
        lower.set_ydata(np.cos(x + frame / 3))
        return (upper, lower)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


@case
def later_axes_over_the_moving_line():
    # An axes added after the first one, over part of its moving line, with a dot
    # moving in it too: a full draw paints it over the line, so blitting must too.
    fig, ax = _figure()
    x = _x()
    (line,) = ax.plot(x, np.sin(x), color="tab:blue", lw=3)
    inset = fig.add_axes((0.45, 0.4, 0.4, 0.45))
    inset.set(xlim=(-1.3, 1.3), ylim=(-1.3, 1.3), xticks=[], yticks=[])
    (dot,) = inset.plot([1], [0], "o", color="tab:red")

    def update(frame):
        line.set_ydata(np.sin(x + frame / 3))
        dot.set_data([np.cos(frame / 2)], [np.sin(frame / 2)])
        return (line, dot)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


@case
def constrained_layout_growing_title():
    fig, ax = _figure(layout="constrained")
    x = _x()
    (line,) = ax.plot(x, np.sin(x))
    title = fig.suptitle("start")

    def update(frame):
        line.set_ydata(np.sin(x + frame / 3))
        title.set_text("line\n" * (frame % 3) + "title")
        return (line, title)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


@case
def legend_changes():
    fig, ax = _figure()
    x = _x()
    (line,) = ax.plot(x, np.sin(x), label="phase 0")
    ax.legend(loc="upper right")

    def update(frame):
        line.set_ydata(np.sin(x + frame / 3))
        line.set_label(f"phase {frame}")
        ax.legend(loc="upper right")
        return (line,)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


@case
def artist_animation():
    fig, ax = _figure()
    x = _x()
    frames = [ax.plot(x, np.sin(x + k / 3), color="tab:brown") for k in range(FRAMES)]
    return fig, ArtistAnimation(fig, frames)


@case
def partial_arguments_and_init():
    fig, ax = _figure()
    x = _x()
    (line,) = ax.plot([], [], color="tab:pink")
    ax.set(xlim=(0, 2 * np.pi), ylim=(-1, 1))

    def init():
        line.set_data([], [])
        return (line,)

    def update(frame, phase):
        line.set_data(x, np.sin(x * phase + frame / 3))
        return (line,)

    anim = FuncAnimation(fig, functools.partial(update, phase=2), frames=FRAMES, init_func=init)
    return fig, anim


# -- Changes that mark no artist stale ---------------------------------------------


@case
def polar_view_turning():
    # set_theta_offset changes a transform in place: grid and labels turn, unmarked.
    fig, ax = plt.subplots(figsize=SIZE, dpi=DPI, subplot_kw={"projection": "polar"})
    theta = _x()
    (petals,) = ax.plot(theta, 1 + 0.4 * np.cos(3 * theta), color="tab:orange")

    def update(frame):
        ax.set_theta_offset(frame / 3)
        petals.set_ydata(1 + 0.4 * np.cos(3 * theta + frame / 2))
        return (petals,)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


@case
def formatter_reading_a_clock():
    # Tick labels from a formatter that reads a variable: a scrolling time axis.
    fig, ax = _figure()
    x = _x()
    (line,) = ax.plot(x, np.sin(x))
    clock = {"start": 0}
    ax.xaxis.set_major_formatter(lambda value, position: f"{value + clock['start']:.0f}")

    def update(frame):
        clock["start"] = 7 * frame
        line.set_ydata(np.sin(x + frame / 2))
        return (line,)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


@case
def best_legend_under_the_line():
    # loc="best" follows the data; the returned line is drawn above the legend.
    fig, ax = _figure()
    x = _x()
    ax.plot(x, np.zeros_like(x), color="gray", label="rest")
    (wave,) = ax.plot(x, np.sin(x), color="tab:blue", lw=3, zorder=10, label="wave")
    ax.legend(loc="best")

    def update(frame):
        wave.set_ydata(np.sin(x + 1.3 * frame))
        return (wave,)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


@case
def annotation_following_a_dot():
    # An annotation in the upper axes placed from a dot in the lower one.
    fig, (upper, lower) = _figure(nrows=2)
    for ax in (upper, lower):
        ax.set(xlim=(0, 6), ylim=(-1.5, 1.5))
    (dot,) = lower.plot([0.5], [0], "o", color="tab:red")
    upper.annotate("dot", xy=(0.5, 0.5), xycoords=dot, xytext=(0.1, 0.5),
                   textcoords="axes fraction", arrowprops={"arrowstyle": "->"},
                   annotation_clip=False)

    def update(frame):
        dot.set_data([0.5 + frame], [np.sin(frame)])
        return (dot,)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


@case
def shared_rotation():
    # One Affine2D turns two patches; only one of them is returned.
    from matplotlib.patches import Circle, Rectangle
    from matplotlib.transforms import Affine2D

    fig, ax = _figure()
    ax.set(xlim=(-2, 2), ylim=(-2, 2), aspect="equal")
    turn = Affine2D()
    ax.add_patch(Circle((1, 0), 0.3, color="tab:red", transform=turn + ax.transData))
    arm = ax.add_patch(Rectangle((-1, -0.15), 2, 0.3, transform=turn + ax.transData, zorder=3))

    def update(frame):
        turn.clear().rotate_deg(20 * frame)
        return (arm,)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


@case
def values_changed_in_place():
    # Arrays changed where they are, not through a setter: points, a path, an image.
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path

    fig, ax = _figure()
    ax.set(xlim=(0, 4), ylim=(0, 4))
    image = ax.imshow(np.zeros((2, 2)), extent=(0, 1, 0, 1), vmin=0, vmax=FRAMES, zorder=0)
    points = ax.scatter([1.5, 2, 2.5], [1, 1, 1], color="tab:green")
    path = Path(np.array([[3, 3], [4, 3], [4, 4], [3, 3]], dtype=float))
    ax.add_patch(PathPatch(path, color="tab:purple"))
    (line,) = ax.plot([0, 4], [2, 2], zorder=3)

    def update(frame):
        image.get_array()[0, 0] = frame
        points.get_offsets()[1] = [2, 1 + frame / 3]
        path.vertices[1] = [4 - frame / 6, 3 - frame / 6]
        line.set_ydata([2, 2 + frame / 4])
        return (line,)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


@case
def parts_no_one_lists():
    # A text's box, an annotation's arrow and a table cell's text are drawn by their
    # owners but listed by no get_children().
    fig, ax = _figure()
    ax.set(xlim=(0, 4), ylim=(0, 4))
    note = ax.text(0.3, 3.2, "note", bbox={"facecolor": "white"})
    pointer = ax.annotate("", xy=(3.5, 3.5), xytext=(2.5, 2.5), arrowprops={"arrowstyle": "->"})
    table = ax.table([["a", "b"]], loc="top")
    (line,) = ax.plot([0, 4], [1, 1])

    def update(frame):
        note.get_bbox_patch().set_facecolor(("white", "gold")[frame % 2])
        pointer.arrow_patch.set_color(("black", "tab:red")[frame % 2])
        table[0, 0].get_text().set_text(str(frame))
        line.set_ydata([1, 1 + frame / 3])
        return (line,)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


# -- Artists marked animated ---------------------------------------------------------


@case
def animated_lines_redrawn():
    # Erase and redraw with lines marked animated, and nothing returned: a saving
    # draw paints them all the same.
    fig, ax = _figure()
    ax.set(xlim=(0, 2 * np.pi), ylim=(-1.5, 1.5))
    x = _x()
    drawn = []

    def update(frame):
        for line in drawn:
            line.remove()
        drawn[:] = ax.plot(x, np.sin(x + frame / 2), animated=True)

    return fig, FuncAnimation(fig, update, frames=FRAMES)


@case
def animated_background_from_init():
    # The init function makes two animated artists and returns one: the other, a
    # reference line below it, must still be drawn.
    fig, ax = _figure()
    ax.set(xlim=(0, 2 * np.pi), ylim=(-1.5, 1.5))
    x = _x()
    made = {}

    def init():
        made["level"] = ax.axhline(0.5, color="gray", lw=3, zorder=1, animated=True)
        (made["wave"],) = ax.plot([], [], color="tab:red", animated=True)
        return (made["wave"],)

    def update(frame):
        made["wave"].set_data(x, np.sin(x + frame / 2))
        return (made["wave"],)

    return fig, FuncAnimation(fig, update, frames=FRAMES, init_func=init, blit=True)


@case
def blit_true_figure_text():
    # blit=True marks what the update returns as animated, and a figure never draws
    # its own animated children: Matplotlib's own save leaves this text out.
    fig, ax = _figure()
    x = _x()
    (line,) = ax.plot(x, np.sin(x))
    label = fig.text(0.02, 0.02, "t = 0")

    def update(frame):
        line.set_ydata(np.sin(x + frame / 2))
        label.set_text(f"t = {frame}")
        return (line, label)

    return fig, FuncAnimation(fig, update, frames=FRAMES, blit=True)


@case
def blit_true_returns_an_axes():
    # Returning a whole Axes with blit=True: marked animated, it is left out too.
    fig, (left, right) = _figure(ncols=2)
    x = _x()
    left.plot(x, np.sin(x))
    (line,) = right.plot(x, np.cos(x))

    def update(frame):
        line.set_ydata(np.cos(x + frame / 2))
        return (right,)

    return fig, FuncAnimation(fig, update, frames=FRAMES, blit=True)


# -- The series' own animations ----------------------------------------------------


def _trace():
    from mplgif.regression import make_data, train

    x, y = make_data()
    return x, y, train(x, y, learning_rate=0.001, epochs=60, display_step=20)


@case
def series_training():
    from mplgif.plots import animate_training

    x, y, trace = _trace()
    anim = animate_training(trace, x, y, figsize=SIZE, dpi=DPI)
    return anim._fig, anim


@case
def series_comparison():
    from mplgif.plots import animate_comparison
    from mplgif.regression import make_data, train

    x, y = make_data()
    traces = [
        train(x, y, learning_rate=rate, epochs=60, display_step=20) for rate in (0.001, 0.0001)
    ]
    anim = animate_comparison(traces, x, y, panel_size=(1.6, 1.5), dpi=DPI)
    return anim._fig, anim


@case
def series_erase_and_redraw():
    # Notebook 02's pattern: remove the old line, plot a new one, return it.
    fig, ax = _figure()
    x = _x()
    ax.plot(x, np.cos(x), color="gray")
    current = [ax.plot(x, np.sin(x), color="tab:red")[0]]

    def update(frame):
        current.pop().remove()
        current.append(ax.plot(x, np.sin(x + frame / 3), color="tab:red")[0])
        return current

    return fig, FuncAnimation(fig, update, frames=FRAMES)
