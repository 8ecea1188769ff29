"""smooth(): through the data, PCHIP within range, cubic may overshoot."""

from __future__ import annotations

import numpy as np
import pytest

from mplgif.regression import make_data, train
from mplgif.smoothing import smooth


@pytest.fixture(scope="module")
def cost_curve():
    x, y = make_data()
    trace = train(x, y, learning_rate=0.001, epochs=500, display_step=40)
    return np.linspace(0, 10, trace.snapshots), trace.cost


@pytest.mark.parametrize("method", ["pchip", "cubic"])
def test_passes_through_the_data_points(cost_curve, method):
    x, y = cost_curve
    x_smooth, y_smooth = smooth(x, y, points=221, method=method)  # 221 = 10 * 22 + 1
    assert len(x_smooth) == len(y_smooth) == 221
    at_data = np.searchsorted(x_smooth, x)
    np.testing.assert_allclose(x_smooth[at_data], x, atol=1e-12)
    np.testing.assert_allclose(y_smooth[at_data], y, rtol=1e-9)


def largest_overshoot(x, y, x_smooth, y_smooth):
    """How far the smooth curve leaves the range of each pair of neighbouring points."""
    worst = 0.0
    for left in range(len(x) - 1):
        between = (x_smooth >= x[left]) & (x_smooth <= x[left + 1])
        low, high = sorted((y[left], y[left + 1]))
        worst = max(worst, y_smooth[between].max() - high, low - y_smooth[between].min())
    return worst


def test_pchip_stays_within_the_data_range(cost_curve):
    x, y = cost_curve
    x_smooth, y_smooth = smooth(x, y, points=2201, method="pchip")
    assert y_smooth.min() >= y.min() - 1e-9
    assert y_smooth.max() <= y.max() + 1e-9
    assert largest_overshoot(x, y, x_smooth, y_smooth) < 1e-9


def test_cubic_overshoots_before_the_sharp_bend(cost_curve):
    x, y = cost_curve
    x_smooth, y_smooth = smooth(x, y, points=2201, method="cubic")
    assert largest_overshoot(x, y, x_smooth, y_smooth) > 5


def test_a_float_count_is_a_type_error_that_says_why():
    with pytest.raises(TypeError, match="whole number.*float"):
        smooth([0, 1, 2, 3], [1, 2, 3, 4], points=217.4)


@pytest.mark.parametrize(
    ("x", "y", "kwargs", "message"),
    [
        ([0, 1, 2], [1, 2, 3], {"method": "cubic"}, "at least 4 data points"),
        ([0, 1, 1, 2], [1, 2, 3, 4], {}, "strictly increasing"),
        ([0, 1, 2, 3], [1, np.inf, 3, 4], {}, "finite"),
        ([0, 1, 2, 3], [1, 2, 3], {}, "same length"),
        ([0, 1, 2, 3], [1, 2, 3, 4], {"method": "spline"}, "method must be one of"),
        ([0, 1, 2, 3], [1, 2, 3, 4], {"points": 1}, "at least 2"),
    ],
)
def test_bad_input_is_refused(x, y, kwargs, message):
    with pytest.raises(ValueError, match=message):
        smooth(x, y, **kwargs)
