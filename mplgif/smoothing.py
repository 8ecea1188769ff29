"""Smooth a short curve for display, with SciPy's current interpolators.

The article smoothed its cost curve with ``scipy.interpolate.spline``, which
SciPy removed in version 1.3. Its replacements differ in one way that shows:
a cubic spline (``make_interp_spline``) can overshoot between points, drawing
bumps and dips that are not in the data, while PCHIP
(``PchipInterpolator``) keeps each piece between its two data points.
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy.interpolate import PchipInterpolator, make_interp_spline

__all__ = ["METHODS", "smooth"]

METHODS = ("pchip", "cubic")


def smooth(x, y, *, points: int = 200, method: str = "pchip") -> tuple[np.ndarray, np.ndarray]:
    """Resample the curve through (x, y) at `points` evenly spaced x values.

    Parameters
    ----------
    x : array_like, shape (n,)
        Strictly increasing positions of the data points.
    y : array_like, shape (n,)
        Values at those positions; finite.
    points : int
        How many points to return. A whole number: the article computed it
        from the cost values (``max(cost) - min(cost)``), which made it depend
        on the data and gave a float, which ``np.linspace`` refuses.
    method : {"pchip", "cubic"}
        ``"pchip"``: piecewise cubic that stays between neighbouring data
        points (no overshoot). ``"cubic"``: a C2-smooth cubic spline through
        the points, which may overshoot; it needs at least 4 points.

    Returns
    -------
    x_smooth, y_smooth : ndarray, shape (points,)
        The resampled curve, which passes through every data point.

    Examples
    --------
    >>> xs, ys = smooth([0, 1, 2, 3], [0, 1, 1, 0], points=7)
    >>> xs.tolist()
    [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0]
    >>> [round(v, 3) for v in ys.tolist()]  # flat between the two 1s
    [0.0, 0.688, 1.0, 1.0, 1.0, 0.688, 0.0]
    >>> _, ys = smooth([0, 1, 2, 3], [0, 1, 1, 0], points=7, method="cubic")
    >>> [round(v, 3) for v in ys.tolist()]  # overshoots to 1.125 between them
    [0.0, 0.625, 1.0, 1.125, 1.0, 0.625, 0.0]
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}.")
    if isinstance(points, bool) or not isinstance(points, numbers.Integral):
        raise TypeError(
            f"points must be a whole number, not {type(points).__name__} {points!r}; "
            "pick a fixed count such as 200 (np.linspace refuses a float count)."
        )
    if points < 2:
        raise ValueError(f"points must be at least 2; got {points}.")
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(
            f"x and y must be one-dimensional and the same length; got {x.shape} and {y.shape}."
        )
    needed = 4 if method == "cubic" else 2
    if len(x) < needed:
        raise ValueError(f"method={method!r} needs at least {needed} data points; got {len(x)}.")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("x and y must be finite to smooth them; they contain NaN or inf.")
    if np.any(np.diff(x) <= 0):
        raise ValueError("x must be strictly increasing.")
    x_smooth = np.linspace(x[0], x[-1], points)
    if method == "pchip":
        curve = PchipInterpolator(x, y)
    else:
        curve = make_interp_spline(x, y, k=3)
    return x_smooth, curve(x_smooth)
