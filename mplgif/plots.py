"""Turn a training :class:`~mplgif.regression.Trace` into an animation.

Every artist is created once, when the plot is built; ``update(frame)`` only
changes data, text and visibility, and returns what it changed. So the same
animation can be saved, displayed and saved again without a single artist or
axes being added (the article created its cost axis inside the update
function, which added one more axes on every render).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend

from .regression import Trace
from .smoothing import smooth

__all__ = ["TrainingPlot", "animate_comparison", "animate_training", "plot_training"]

DATA_COLOUR = "tab:red"
LINE_COLOUR = "tab:green"
COST_COLOUR = "tab:blue"


def _check(trace: Trace, x, y) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if trace.snapshots == 0:
        raise ValueError(
            f"The trace has no snapshots to draw (training diverged in epoch "
            f"{trace.diverged_at} with learning_rate={trace.learning_rate:g}). "
            "Train with a smaller learning rate."
        )
    if x.shape != y.shape or x.shape != trace.fitted.shape[1:]:
        raise ValueError(
            f"x and y must be the data the trace was trained on: got {x.shape[0]} x and "
            f"{y.shape[0]} y values for a trace fitted at {trace.fitted.shape[1]} points."
        )
    for name in ("cost", "weight", "bias", "fitted"):
        if not np.isfinite(getattr(trace, name)).all():
            raise ValueError(
                f"trace.{name} contains NaN or inf, which cannot be drawn; keep only the "
                "finite snapshots (mplgif.regression.train stops before divergence)."
            )
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("x and y contain NaN or inf, which cannot be drawn.")
    return x, y


def _y_limits(y: np.ndarray, fitted: np.ndarray) -> tuple[float, float]:
    """Room for the data and the fitted lines, but not for lines far off the data."""
    span = float(np.ptp(y)) or 1.0
    low = max(min(float(y.min()), float(fitted.min())), float(y.min()) - span / 4)
    high = min(max(float(y.max()), float(fitted.max())), float(y.max()) + span / 4)
    margin = 0.05 * (high - low)
    return low - margin, high + margin


@dataclass(eq=False)
class TrainingPlot:
    """The artists of one training animation, and how to move them.

    Built by :func:`plot_training`. Call :meth:`update` with a snapshot index.
    """

    trace: Trace
    ax: Axes
    cost_ax: Axes
    points: Artist
    fitted_line: Artist
    cost_line: Artist
    cost_text: Artist
    legend_training: Legend | None
    legend_final: Legend | None
    show_cost: bool
    title: str = ""

    def _title(self, index: int) -> str:
        epoch = f"epoch {self.trace.epoch[index]}"
        if index == self.frames - 1 and self.trace.diverged:
            epoch += f", diverged in {self.trace.diverged_at}"
        return self.title + epoch

    @property
    def frames(self) -> int:
        """Number of frames: one per snapshot."""
        return self.trace.snapshots

    def update(self, frame: int) -> list[Artist]:
        """Show snapshot `frame` (clamped to the last one); return the changed artists."""
        index = min(int(frame), self.frames - 1)
        last = index == self.frames - 1
        trace = self.trace
        self.fitted_line.set_ydata(trace.fitted[index])
        self.ax.title.set_text(self._title(index))
        self.cost_text.set_visible(last)
        changed = [self.fitted_line, self.ax.title, self.cost_text]
        if self.show_cost:
            # On the last frame the cost axes shows, with the legend that
            # includes the cost line; before that, the two-entry legend.
            self.cost_ax.set_visible(last)
            changed.append(self.cost_ax)
            if self.legend_training is not None:
                self.legend_training.set_visible(not last)
                changed.append(self.legend_training)
        return changed


def plot_training(
    trace: Trace,
    x,
    y,
    *,
    ax: Axes,
    show_cost: bool = True,
    smooth_method: str | None = "pchip",
    legend_loc: str | None = "upper center",
    title: str = "",
) -> TrainingPlot:
    """Draw the first snapshot of `trace` on `ax` and return its :class:`TrainingPlot`.

    The data are a scatter, the fitted line a dashed line that
    :meth:`TrainingPlot.update` moves. A twin axes on the right holds the
    cost curve, created now and shown only on the last frame, with a legend
    that then includes it, and the final cost as text.

    Parameters
    ----------
    trace : Trace
        From :func:`mplgif.regression.train`.
    x, y : array_like
        The data the trace was trained on.
    ax : Axes
        Where to draw.
    show_cost : bool
        Show the cost curve and its legend entry on the last frame. The final
        cost is written on the last frame either way.
    smooth_method : {"pchip", "cubic"} or None
        How to smooth the cost curve (see :func:`mplgif.smoothing.smooth`);
        None draws straight segments between the snapshots.
    legend_loc : str or None
        Where the legend goes; None draws no legend.
    title : str
        Put before "epoch N" in the axes title, e.g. ``"learning rate 0.01\n"``.

    Raises
    ------
    ValueError
        If the trace is empty, holds NaN or inf, or does not match `x` and `y`.
    """
    x, y = _check(trace, x, y)
    points = ax.scatter(x, y, s=14, color=DATA_COLOUR, label="data", zorder=3)
    (fitted_line,) = ax.plot(x, trace.fitted[0], "--", color=LINE_COLOUR, lw=2, label="fitted line")
    ax.set(xlabel="x", ylabel="y")
    ax.set_xlim(x.min() - 0.03 * np.ptp(x), x.max() + 0.03 * np.ptp(x))
    ax.set_ylim(*_y_limits(y, trace.fitted))
    final_cost = trace.cost[-1]
    cost_text = ax.text(
        0.97,
        0.2,
        f"cost {final_cost:.2f}" if final_cost < 1e6 else f"cost {final_cost:.3g}",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        color=DATA_COLOUR,
        fontsize="large",
        visible=False,
    )
    legend_training = None
    if legend_loc is not None:
        legend_training = ax.legend(handles=[points, fitted_line], loc=legend_loc)

    # As in the article, the cost curve spreads the snapshots evenly across the
    # x range: its horizontal position is the snapshot's number, not x and not
    # the epoch (the first ten snapshots are one epoch apart, later ones
    # display_step apart, which puts a bend where the spacing changes).
    cost_ax = ax.twinx()
    progress = np.linspace(x.min(), x.max(), trace.snapshots)
    if smooth_method is not None and trace.snapshots >= (4 if smooth_method == "cubic" else 2):
        curve_x, curve_y = smooth(progress, trace.cost, method=smooth_method)
    else:
        curve_x, curve_y = progress, trace.cost
    (cost_line,) = cost_ax.plot(curve_x, curve_y, color=COST_COLOUR, lw=2, label="cost")
    cost_ax.set_ylabel("cost", color=COST_COLOUR)
    cost_ax.tick_params(axis="y", colors=COST_COLOUR)
    legend_final = None
    if show_cost and legend_loc is not None:
        legend_final = cost_ax.legend(handles=[points, fitted_line, cost_line], loc=legend_loc)
    cost_ax.set_visible(False)
    plot = TrainingPlot(
        trace=trace,
        ax=ax,
        cost_ax=cost_ax,
        points=points,
        fitted_line=fitted_line,
        cost_line=cost_line,
        cost_text=cost_text,
        legend_training=legend_training,
        legend_final=legend_final,
        show_cost=show_cost,
        title=title,
    )
    ax.set_title(plot._title(0))
    return plot


def animate_training(
    trace: Trace,
    x,
    y,
    *,
    interval_ms: int = 100,
    figsize: tuple[float, float] = (6, 4.5),
    dpi: float = 80,
    smooth_method: str | None = "pchip",
) -> FuncAnimation:
    """The article's finished animation: the line learning, the cost on the last frame.

    Returns a ``FuncAnimation`` with one frame per snapshot, `interval_ms`
    apart. Its :class:`TrainingPlot` is ``anim.training_plot`` (the figure
    is ``anim.training_plot.ax.figure``). Save it with :func:`mplgif.save_gif` and
    ``fps=1000 / interval_ms``.
    """
    fig = Figure(figsize=figsize, dpi=dpi)
    fig.subplots_adjust(left=0.1, right=0.86, bottom=0.11, top=0.92)
    plot = plot_training(trace, x, y, ax=fig.add_subplot(), smooth_method=smooth_method)
    anim = FuncAnimation(fig, plot.update, frames=plot.frames, interval=interval_ms)
    anim.training_plot = plot
    return anim


def animate_comparison(
    traces: Sequence[Trace],
    x,
    y,
    *,
    interval_ms: int = 100,
    panel_size: tuple[float, float] = (3.2, 3.0),
    dpi: float = 80,
) -> FuncAnimation:
    """Several training runs side by side, one panel each, frame by frame.

    Panels share the y axis. A run with fewer snapshots (one that diverged)
    holds its last frame while the others go on. Each panel's title says its
    learning rate.
    """
    if len(traces) == 0:
        raise ValueError("Give at least one trace to compare.")
    width, height = panel_size
    fig = Figure(figsize=(width * len(traces), height), dpi=dpi)
    axes = fig.subplots(1, len(traces), sharey=True, squeeze=False)[0]
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.15, top=0.84, wspace=0.08)
    plots = [
        plot_training(
            trace,
            x,
            y,
            ax=ax,
            show_cost=False,
            legend_loc="upper left" if index == 0 else None,
            title=f"learning rate {trace.learning_rate:g}\n",
        )
        for index, (trace, ax) in enumerate(zip(traces, axes, strict=True))
    ]
    low = min(plot.ax.get_ylim()[0] for plot in plots)
    high = max(plot.ax.get_ylim()[1] for plot in plots)
    axes[0].set_ylim(low, high)  # shared by all panels
    for ax in axes[1:]:
        ax.set_ylabel("")

    def update(frame: int) -> list[Artist]:
        return [artist for plot in plots for artist in plot.update(frame)]

    frames = max(plot.frames for plot in plots)
    anim = FuncAnimation(fig, update, frames=frames, interval=interval_ms)
    anim.training_plots = plots
    return anim
