"""The reference solution: maths, numerical behaviour, and the published run on the real data."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from catvnoncat import reference as ref
from catvnoncat.data import load_prepared

finite = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)


def textbook_cost(w, b, X, Y):
    """The cost exactly as written in the notebook's formula (no stability tricks)."""
    A = 1 / (1 + np.exp(-(w.T @ X + b)))
    return -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))


def random_problem(rng, n, m, scale=1.0):
    w = rng.normal(size=(n, 1)) * scale
    b = float(rng.normal())
    X = rng.normal(size=(n, m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    return w, b, X, Y


# --- sigmoid -------------------------------------------------------------------------------

def test_sigmoid_is_exactly_one_half_at_zero():
    assert ref.sigmoid(0) == 0.5
    assert ref.sigmoid(np.zeros((2, 3))).tolist() == [[0.5] * 3] * 2


@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 5)), elements=finite))
def test_sigmoid_bounds_symmetry_and_no_warning(z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning would fail the test
        with np.errstate(all="raise"):
            s, s_neg = ref.sigmoid(z), ref.sigmoid(-z)
    assert s.shape == z.shape and s.dtype == np.float64
    assert np.all((s >= 0) & (s <= 1)) and not np.any(np.isnan(s))
    np.testing.assert_allclose(s + s_neg, 1.0, rtol=0, atol=1e-15)


def test_sigmoid_matches_textbook_where_textbook_is_finite():
    z = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(ref.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-15, atol=0)


def test_sigmoid_saturates_without_nan_at_extremes():
    assert ref.sigmoid(np.array([-1e4, 1e4])).tolist() == [0.0, 1.0]


# --- initialize_with_zeros ----------------------------------------------------------------

@pytest.mark.parametrize("dim", [1, 2, 12288])
def test_initialize_with_zeros(dim):
    w, b = ref.initialize_with_zeros(dim)
    assert w.shape == (dim, 1) and w.dtype == np.float64 and not w.any()
    assert type(b) is float and b == 0.0


# --- propagate -----------------------------------------------------------------------------

@pytest.mark.parametrize("n, m", [(1, 1), (1, 7), (5, 1), (4, 9)])
def test_propagate_gradient_matches_central_differences(n, m):
    rng = np.random.default_rng(1000 * n + m)
    w, b, X, Y = random_problem(rng, n, m)
    grads, _ = ref.propagate(w, b, X, Y)
    h = 1e-6

    def cost(w_, b_):
        return ref.propagate(w_, b_, X, Y)[1]

    dw_numeric = np.zeros_like(w)
    for i in range(n):
        e = np.zeros_like(w)
        e[i, 0] = h
        dw_numeric[i, 0] = (cost(w + e, b) - cost(w - e, b)) / (2 * h)
    db_numeric = (cost(w, b + h) - cost(w, b - h)) / (2 * h)
    np.testing.assert_allclose(grads["dw"], dw_numeric, rtol=1e-6, atol=1e-9)
    assert grads["db"] == pytest.approx(db_numeric, rel=1e-6, abs=1e-9)


@given(st.integers(1, 6), st.integers(1, 8), st.integers(0, 2**32 - 1))
def test_propagate_shapes_types_and_no_mutation(n, m, seed):
    w, b, X, Y = random_problem(np.random.default_rng(seed), n, m)
    before = [w.copy(), X.copy(), Y.copy()]
    grads, cost = ref.propagate(w, b, X, Y)
    assert grads["dw"].shape == (n, 1) and np.ndim(grads["db"]) == 0 and np.ndim(cost) == 0
    assert np.isfinite(cost) and cost >= 0
    for original, now in zip(before, [w, X, Y]):
        np.testing.assert_array_equal(original, now)


def test_cost_equals_textbook_formula_where_finite():
    rng = np.random.default_rng(7)
    for n, m in [(1, 1), (3, 10), (20, 50)]:
        w, b, X, Y = random_problem(rng, n, m)
        assert ref.propagate(w, b, X, Y)[1] == pytest.approx(textbook_cost(w, b, X, Y), rel=1e-12)


def test_cost_stays_finite_when_predictions_saturate():
    # z = ±800: the textbook formula takes log(0) there; the reference must not.
    w, b = np.array([[800.0]]), 0.0
    X, Y = np.array([[1.0, -1.0, 1.0]]), np.array([[1.0, 1.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grads, cost = ref.propagate(w, b, X, Y)
    # Each wrong example costs |z| = 800, the right one costs ~0: J = (0 + 800 + 800) / 3.
    assert cost == pytest.approx(1600 / 3, rel=1e-12)
    assert np.all(np.isfinite(grads["dw"]))


# --- optimize / predict / model -------------------------------------------------------------

def test_optimize_records_costs_at_multiples_of_100_and_keeps_arguments():
    rng = np.random.default_rng(3)
    w, b, X, Y = random_problem(rng, 3, 6)
    w0 = w.copy()
    params, grads, costs = ref.optimize(w, b, X, Y, num_iterations=250, learning_rate=0.1)
    np.testing.assert_array_equal(w, w0)
    assert len(costs) == 3  # iterations 0, 100, 200
    assert costs[0] == ref.propagate(w, b, X, Y)[1]
    assert params["w"].shape == (3, 1) and grads["dw"].shape == (3, 1)
    # One hand-written step agrees with the update rule w := w - alpha dw.
    one, g0, _ = ref.optimize(w, b, X, Y, num_iterations=1, learning_rate=0.1)
    np.testing.assert_allclose(one["w"], w - 0.1 * ref.propagate(w, b, X, Y)[0]["dw"])
    np.testing.assert_allclose(g0["dw"], ref.propagate(w, b, X, Y)[0]["dw"])


def test_predict_is_a_zero_one_row_thresholded_at_one_half():
    w, b = np.array([[1.0]]), 0.0
    X = np.array([[-2.0, -1e-9, 0.0, 1e-9, 2.0]])
    Y_hat = ref.predict(w, b, X)
    assert Y_hat.shape == (1, 5) and Y_hat.dtype == np.float64
    assert Y_hat.tolist() == [[0.0, 0.0, 0.0, 1.0, 1.0]]  # sigma(0) = 0.5 is not > 0.5


@pytest.fixture(scope="module")
def published_run():
    X_train, Y_train, X_test, Y_test = load_prepared()
    d = ref.model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.005)
    return d, Y_train, Y_test


@pytest.mark.slow  # 2000 training steps on the real data: about 30 s of one core
def test_model_reproduces_the_published_run(published_run):
    # Published figures: datasets/README.md ("Known reference run") and the course's
    # week-2 notebook: train 99.04306220095694 %, test 70.0 %, costs 0.693147 ... 0.140872.
    d, Y_train, Y_test = published_run
    assert ref.accuracy(d["Y_prediction_train"], Y_train) == pytest.approx(99.04306220095694, abs=1e-9)
    assert ref.accuracy(d["Y_prediction_test"], Y_test) == pytest.approx(70.0, abs=1e-9)
    assert len(d["costs"]) == 20
    assert round(float(d["costs"][0]), 6) == 0.693147
    assert round(float(d["costs"][19]), 6) == 0.140872
    assert d["learning_rate"] == 0.005 and d["num_iterations"] == 2000
    assert d["w"].shape == (12288, 1) and d["Y_prediction_test"].shape == (1, 50)
