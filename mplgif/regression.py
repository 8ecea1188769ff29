"""Linear regression by per-sample gradient descent, recorded as a trace.

This is the article's TensorFlow 1 model in plain NumPy and Python: a line
``y = weight * x + bias``, the cost ``sum((weight * x + bias - y) ** 2)`` over
all points, and one gradient step per point, in order, every epoch. Nothing
here draws: training records arrays, and plotting reads them afterwards.
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass

import numpy as np

__all__ = ["DivergenceWarning", "Trace", "make_data", "train", "keep_snapshot"]


class DivergenceWarning(RuntimeWarning):
    """Training stopped because the weight, bias or cost stopped being finite."""


@dataclass(frozen=True, eq=False)
class Trace:
    """Snapshots of a training run, one row per kept epoch.

    Attributes
    ----------
    epoch : ndarray of int, shape (snapshots,)
        1-based epoch after which each snapshot was taken.
    cost : ndarray of float, shape (snapshots,)
        Sum of squared errors over all points at that moment.
    weight, bias : ndarray of float, shape (snapshots,)
        The line's slope and intercept at that moment.
    fitted : ndarray of float, shape (snapshots, points)
        The fitted line ``weight * x + bias`` at every data point.
    learning_rate : float
        The step size used.
    epochs : int
        The number of epochs asked for.
    diverged_at : int or None
        The 1-based epoch in which the numbers stopped being finite (the
        same number the :class:`DivergenceWarning` names), or None if
        training ran to the end.
    """

    epoch: np.ndarray
    cost: np.ndarray
    weight: np.ndarray
    bias: np.ndarray
    fitted: np.ndarray
    learning_rate: float
    epochs: int
    diverged_at: int | None = None

    @property
    def snapshots(self) -> int:
        """Number of snapshots kept."""
        return len(self.epoch)

    @property
    def diverged(self) -> bool:
        """True if training stopped early because the numbers blew up."""
        return self.diverged_at is not None

    def __repr__(self) -> str:
        end = (
            f"diverged in epoch {self.diverged_at}"
            if self.diverged
            else f"ran {self.epochs} epochs"
        )
        last = (
            f", final weight={self.weight[-1]:.4g} bias={self.bias[-1]:.4g} "
            f"cost={self.cost[-1]:.4g}"
            if self.snapshots
            else ""
        )
        return (
            f"Trace(learning_rate={self.learning_rate:g}, {end}, {self.snapshots} snapshots{last})"
        )


def make_data(n: int = 50, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The article's data: ``n`` points on ``y = x - 2`` plus unit Gaussian noise.

    Parameters
    ----------
    n : int
        Number of points, spread evenly over ``[0, 10]``.
    seed : int
        Seed of the random generator, so the noise is the same on every run.

    Returns
    -------
    x, y : ndarray of float, shape (n,)

    Examples
    --------
    >>> x, y = make_data(5, seed=0)
    >>> x
    array([ 0. ,  2.5,  5. ,  7.5, 10. ])
    >>> bool(np.allclose(make_data(5, seed=0)[1], y))
    True
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 2:
        raise ValueError(f"n must be a whole number of points, at least 2; got {n!r}.")
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 10, n)
    y = x - 2 + rng.normal(0, 1, n)
    return x, y


def keep_snapshot(epoch: int, display_step: int, epochs: int) -> bool:
    """The article's rule for which 0-based epochs to record, plus the last one.

    Every one of the first ten epochs (where the line moves most), then every
    ``display_step``-th, and always the last, so the trace ends where training
    ended.

    Examples
    --------
    >>> [e for e in range(25) if keep_snapshot(e, display_step=10, epochs=25)]
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 24]
    """
    return epoch < 10 or epoch % display_step == 0 or epoch == epochs - 1


def _check_inputs(x, y, learning_rate, epochs, display_step):
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 1 or y.ndim != 1:
        raise ValueError(
            f"x and y must be one-dimensional arrays; got shapes {x.shape} and {y.shape}."
        )
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length; got {len(x)} and {len(y)} points.")
    if len(x) == 0:
        raise ValueError("x and y are empty: there is nothing to fit.")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("x and y must be finite: remove NaN and inf values before training.")
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, numbers.Real):
        raise TypeError(f"learning_rate must be a number; got {learning_rate!r}.")
    if not (math.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a positive, finite number; got {learning_rate!r}.")
    for name, value in (("epochs", epochs), ("display_step", display_step)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be a whole number; got {value!r}.")
        if value < 1:
            raise ValueError(f"{name} must be at least 1; got {value!r}.")
    return x, y


def train(
    x,
    y,
    *,
    learning_rate: float,
    epochs: int,
    display_step: int,
    weight: float = -1.0,
    bias: float = 1.0,
) -> Trace:
    """Fit ``y = weight * x + bias`` by per-sample gradient descent, recording a trace.

    Each epoch visits the points in order and, after each one, steps the
    weight and bias against the gradient of that point's squared error,
    ``2 * error * x`` and ``2 * error`` with ``error = weight * x + bias - y``.
    Snapshots are kept after the epochs :func:`keep_snapshot` selects.

    If the weight, bias or cost stop being finite (the learning rate is too
    large), training stops there: the trace keeps the snapshots taken so far
    plus the last finite epoch, ``diverged_at`` records the epoch that
    overflowed, and a :class:`DivergenceWarning` says so.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        The data.
    learning_rate : float
        Step size, positive.
    epochs : int
        Passes over the data.
    display_step : int
        After the first ten epochs, keep a snapshot every this many epochs.
    weight, bias : float
        Where the line starts (the article starts at -1 and 1).

    Returns
    -------
    Trace

    Examples
    --------
    >>> trace = train([0.0, 1.0, 2.0], [1.0, 3.0, 5.0], learning_rate=0.05,
    ...               epochs=300, display_step=100)
    >>> trace.epoch.tolist()
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 101, 201, 300]
    >>> print(f"{trace.weight[-1]:.3f} {trace.bias[-1]:.3f}")
    2.000 1.000
    """
    x, y = _check_inputs(x, y, learning_rate, epochs, display_step)
    points = list(zip(x.tolist(), y.tolist(), strict=True))
    weight, bias = float(weight), float(bias)
    kept: list[tuple[int, float, float, float]] = []
    last_finite = None
    diverged_at = None
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs):
            for xi, yi in points:
                error = weight * xi + bias - yi
                # Both gradients use the values from before this step, as
                # TensorFlow's optimizer did.
                weight, bias = (
                    weight - learning_rate * 2 * error * xi,
                    bias - learning_rate * 2 * error,
                )
            cost = float(np.sum((weight * x + bias - y) ** 2))
            if not (math.isfinite(weight) and math.isfinite(bias) and math.isfinite(cost)):
                diverged_at = epoch + 1
                # End the trace where training last had usable numbers.
                if last_finite is not None and (not kept or kept[-1] != last_finite):
                    kept.append(last_finite)
                break
            last_finite = (epoch + 1, cost, weight, bias)
            if keep_snapshot(epoch, display_step, epochs):
                kept.append(last_finite)
    if diverged_at is not None:
        warnings.warn(
            f"Training diverged in epoch {diverged_at} with learning_rate={learning_rate:g}: "
            "the weight, bias or cost overflowed. The trace keeps the "
            f"{len(kept)} snapshots taken before that. Try a smaller learning rate.",
            DivergenceWarning,
            stacklevel=2,
        )
    epoch_numbers = np.array([row[0] for row in kept], dtype=int)
    weights = np.array([row[2] for row in kept], dtype=float)
    biases = np.array([row[3] for row in kept], dtype=float)
    return Trace(
        epoch=epoch_numbers,
        cost=np.array([row[1] for row in kept], dtype=float),
        weight=weights,
        bias=biases,
        fitted=weights[:, None] * x[None, :] + biases[:, None],
        learning_rate=float(learning_rate),
        epochs=int(epochs),
        diverged_at=diverged_at,
    )
