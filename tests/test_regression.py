"""train() against independent computations, and its handling of bad runs."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from strict_warnings import every_warning_an_error

from mplgif.regression import DivergenceWarning, keep_snapshot, make_data, train


def test_make_data_follows_the_recipe():
    x, y = make_data()
    assert x.shape == y.shape == (50,)
    np.testing.assert_allclose(x, np.linspace(0, 10, 50))
    noise = np.random.default_rng(0).normal(0, 1, 50)
    np.testing.assert_allclose(y, x - 2 + noise)
    np.testing.assert_array_equal(make_data(seed=0)[1], y)
    assert not np.array_equal(make_data(seed=1)[1], y)


def test_stored_cost_is_the_sum_of_squared_residuals_of_stored_weight_and_bias():
    x, y = make_data()
    trace = train(x, y, learning_rate=0.001, epochs=60, display_step=20)
    for weight, bias, cost, fitted in zip(
        trace.weight, trace.bias, trace.cost, trace.fitted, strict=True
    ):
        np.testing.assert_allclose(fitted, weight * x + bias)
        np.testing.assert_allclose(cost, np.sum((y - (weight * x + bias)) ** 2))


@pytest.mark.parametrize(("epochs", "display_step"), [(20, 10), (500, 40), (7, 3), (45, 11)])
def test_snapshot_epochs_follow_the_articles_rule_plus_the_last(epochs, display_step):
    x, y = make_data()
    trace = train(x, y, learning_rate=0.0001, epochs=epochs, display_step=display_step)
    expected = sorted({e + 1 for e in range(epochs) if e < 10 or e % display_step == 0} | {epochs})
    assert trace.epoch.tolist() == expected
    assert trace.fitted.shape == (len(expected), 50)
    assert [e for e in range(epochs) if keep_snapshot(e, display_step, epochs)] == [
        e - 1 for e in expected
    ]


def test_one_epoch_matches_a_hand_written_loop_on_three_points():
    x = np.array([1.0, 2.0, 4.0])
    y = np.array([0.5, 1.0, 3.0])
    rate = 0.01
    weight, bias = -1.0, 1.0
    for xi, yi in zip(x, y, strict=True):  # d/dw (w x + b - y)^2 = 2 (w x + b - y) x
        error = weight * xi + bias - yi
        weight, bias = weight - rate * 2 * error * xi, bias - rate * 2 * error

    trace = train(x, y, learning_rate=rate, epochs=1, display_step=1)
    assert trace.epoch.tolist() == [1]
    assert trace.weight[0] == pytest.approx(weight, rel=1e-12)
    assert trace.bias[0] == pytest.approx(bias, rel=1e-12)
    # By hand: error1 = -0.5 -> w=-0.99, b=1.01; error2 = -1.97 -> w=-0.9112, b=1.0494;
    # error3 = -5.5954 -> w=-0.463568, b=1.161308.
    assert trace.weight[0] == pytest.approx(-0.463568)
    assert trace.bias[0] == pytest.approx(1.161308)


def test_the_articles_tuned_run_lands_near_least_squares():
    x, y = make_data()
    trace = train(x, y, learning_rate=0.001, epochs=500, display_step=40)
    slope, intercept = np.polyfit(x, y, 1)
    assert abs(trace.weight[-1] - slope) < 0.15
    assert abs(trace.bias[-1] - intercept) < 0.15
    assert trace.snapshots == 23
    assert not trace.diverged
    # The cost rises between the first two snapshots before it falls (notebook 06).
    assert trace.cost[1] > trace.cost[0]
    assert trace.cost[-1] == pytest.approx(38.9, abs=0.05)


def test_a_small_rate_is_slow_and_ends_far_from_least_squares():
    x, y = make_data()
    trace = train(x, y, learning_rate=0.0001, epochs=500, display_step=40)
    slope, intercept = np.polyfit(x, y, 1)
    assert abs(trace.bias[-1] - intercept) > 0.8
    assert np.all(np.diff(trace.cost) < 0)


def test_a_large_rate_reports_divergence_with_finite_arrays():
    x, y = make_data()
    with pytest.warns(DivergenceWarning, match=r"epoch 17 with learning_rate=0\.05.*smaller"):
        trace = train(x, y, learning_rate=0.05, epochs=500, display_step=40)
    assert trace.diverged
    assert trace.diverged_at == 17
    # The article's rule keeps epochs 1-10; the last finite epoch, 16, ends the trace.
    assert trace.epoch.tolist() == [*range(1, 11), 16]
    for name in ("cost", "weight", "bias", "fitted"):
        assert np.isfinite(getattr(trace, name)).all()
    assert "diverged in epoch 17" in repr(trace)


def test_divergence_in_the_first_epoch_leaves_an_empty_trace():
    x, y = make_data()
    with pytest.warns(DivergenceWarning, match="epoch 1 .*0 snapshots"):
        trace = train(x, y, learning_rate=100.0, epochs=5, display_step=1)
    assert trace.snapshots == 0
    assert trace.fitted.shape == (0, 50)


def test_no_numpy_warnings_escape_a_diverging_run():
    x, y = make_data()
    with every_warning_an_error():
        warnings.simplefilter("ignore", DivergenceWarning)
        train(x, y, learning_rate=0.5, epochs=50, display_step=5)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"x": [1.0, 2.0], "y": [1.0]}, ValueError, "same length; got 2 and 1"),
        ({"x": [], "y": []}, ValueError, "empty"),
        ({"x": [1.0, np.nan], "y": [1.0, 2.0]}, ValueError, "finite"),
        ({"learning_rate": 0}, ValueError, "positive, finite"),
        ({"learning_rate": -0.1}, ValueError, "positive, finite"),
        ({"learning_rate": float("nan")}, ValueError, "positive, finite"),
        ({"learning_rate": "0.1"}, TypeError, "must be a number"),
        ({"epochs": 0}, ValueError, "epochs must be at least 1"),
        ({"epochs": 2.5}, TypeError, "epochs must be a whole number"),
        ({"display_step": 0}, ValueError, "display_step must be at least 1"),
    ],
)
def test_bad_arguments_get_clear_errors(kwargs, error, message):
    arguments = {
        "x": [0.0, 1.0, 2.0],
        "y": [1.0, 2.0, 3.0],
        "learning_rate": 0.01,
        "epochs": 3,
        "display_step": 1,
    } | kwargs
    x, y = arguments.pop("x"), arguments.pop("y")
    with pytest.raises(error, match=message):
        train(x, y, **arguments)
