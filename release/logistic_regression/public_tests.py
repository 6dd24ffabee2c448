"""Visible tests of the logistic regression assignment.

Each ``*_test`` function calls your code on small fixed inputs and compares the result with
the expected values written out below (computed with a correct solution; the classic cases are
the ones published with this exercise). A failure raises ``AssertionError`` saying what was
expected, what your code returned and what the usual mistake is; a pass prints what was checked.

Passing these tests is necessary, not sufficient: when your notebook is graded, every test cell
also runs hidden tests on other inputs.
"""

import warnings

import numpy as np

#: Two numbers agree when ``|got - expected| <= ATOL + RTOL * |expected|`` (the expected values
#: below are rounded to 8 decimals).
RTOL = 1e-6
ATOL = 1e-7

# ----------------------------------------------------------------------------------------------
# Expected values
# ----------------------------------------------------------------------------------------------
DATASET_SHAPES = {"m_train": 209, "m_test": 50, "num_px": 64}

FLATTEN_SHAPES = {"train_set_x_flatten": (12288, 209), "test_set_x_flatten": (12288, 50)}
#: The first five entries of the first column (the first picture's first pixels).
FLATTEN_FIRST_VALUES = {"train_set_x_flatten": [17, 31, 56, 22, 33],
                        "test_set_x_flatten": [158, 104, 83, 161, 106]}
STANDARDIZE_FIRST_VALUES = {
    "train_set_x": [0.06666667, 0.12156863, 0.21960784, 0.08627451, 0.12941176],
    "test_set_x": [0.61960784, 0.40784314, 0.3254902, 0.63137255, 0.41568627],
}

SIGMOID_CASES = [
    {"z": [0.0, 2.0], "expected": [0.5, 0.88079708]},
    {"z": [[-1.0, 0.0], [1.0, 3.0]], "expected": [[0.26894142, 0.5], [0.73105858, 0.95257413]]},
]

INITIALIZE_DIM = 2

PROPAGATE_CASE = {
    "w": [[1.0], [2.0]], "b": 2.0,
    "X": [[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]], "Y": [[1, 0, 1]],
    "dw": [[0.99845601], [2.39507239]], "db": 0.00145557813678, "cost": 5.801545319394553,
}

OPTIMIZE_CASE = {
    "w": [[1.0], [2.0]], "b": 2.0,
    "X": [[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]], "Y": [[1, 0, 1]],
    "num_iterations": 100, "learning_rate": 0.009,
    "w_out": [[0.19033591], [0.12259159]], "b_out": 1.92535983008,
    "dw": [[0.67752042], [1.41625495]], "db": 0.219194504541,
    "costs": [5.80154532],
}

PREDICT_CASE = {
    "w": [[0.1124579], [0.23106775]], "b": -0.3,
    "X": [[1.0, -1.1, -3.2], [1.2, 2.0, 0.1]],
    "expected": [[1.0, 1.0, 0.0]],
}

MODEL_CASE = {
    "X_train": [[1.0, -2.0, 0.5, 3.0], [2.0, 1.0, -1.0, 0.0]], "Y_train": [[1, 0, 0, 1]],
    "X_test": [[0.5, -1.0, 2.0], [1.0, 0.5, -2.0]], "Y_test": [[1, 0, 1]],
    "num_iterations": 150, "learning_rate": 0.1,
    "w": [[1.61020982], [1.42047321]], "b": -1.00904766,
    "costs": [0.69314718, 0.10546599],
    "Y_prediction_train": [[1.0, 0.0, 0.0, 1.0]], "Y_prediction_test": [[1.0, 0.0, 0.0]],
}

#: Batch sizes of the "whole batch at once" tests (random inputs from a fixed seed).
BATCH_SEED = 2
BATCH_N_X = 3
BATCH_M = 50


# ----------------------------------------------------------------------------------------------
# Comparison helpers
# ----------------------------------------------------------------------------------------------
def close(got, expected):
    """True when ``got`` has the shape of ``expected`` and agrees with it to RTOL / ATOL."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=RTOL, atol=ATOL))


def _show(value):
    """A short printable form of a value (arrays on one line, numbers as plain floats)."""
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return np.array2string(value, precision=8, separator=", ").replace("\n", "")
    if isinstance(value, (float, np.floating, np.ndarray)) and np.isrealobj(value):
        return repr(float(value))
    return repr(value)


def _fail(what, expected, got, hint):
    raise AssertionError(f"{what}: expected {_show(expected)}, got {_show(got)}. {hint}")


def _expect_close(what, got, expected, hint):
    if not close(got, expected):
        expected = np.asarray(expected, dtype=float)
        if np.shape(got) != expected.shape:
            _fail(f"{what} shape", expected.shape, np.shape(got), hint)
        _fail(what, expected, np.asarray(got), hint)


def _expect_shape(what, got, shape, hint):
    if not isinstance(got, np.ndarray):
        _fail(f"{what} type", "a numpy array", type(got).__name__, hint)
    if got.shape != tuple(shape):
        _fail(f"{what} shape", tuple(shape), got.shape, hint)


def _expect_number(what, got, hint):
    """A single real number: a Python or numpy scalar, or a 0-d array."""
    if np.ndim(got) != 0 or not np.isrealobj(got) or isinstance(got, (str, bytes)):
        _fail(f"{what}", "a single number", f"{type(got).__name__} of shape {np.shape(got)}", hint)


def _call(function, *args, **kwargs):
    """Call student code; report its warnings on stdout (a grader scores stderr output as a failure)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = function(*args, **kwargs)
    for w in caught:
        print(f"note: {function.__name__} warned: {w.category.__name__}: {w.message}")
    return result


def _passed(name, lines):
    for line in lines:
        print(f"  {line}")
    print(f"{name}: all visible tests passed.")


def _array(values):
    return np.array(values, dtype=float)


# ----------------------------------------------------------------------------------------------
# Data steps
# ----------------------------------------------------------------------------------------------
def dataset_shapes_test(m_train, m_test, num_px):
    """``m_train``, ``m_test``, ``num_px`` are integers with the values of this dataset."""
    got = {"m_train": m_train, "m_test": m_test, "num_px": num_px}
    for name, expected in DATASET_SHAPES.items():
        value = got[name]
        if not isinstance(value, (int, np.integer)) or value != expected:
            _fail(name, expected, value,
                  "Read it from the .shape of train_set_x_orig / test_set_x_orig, which is "
                  "(number of pictures, height, width, 3).")
    _passed("dataset_shapes", [f"{name} = {got[name]}" for name in DATASET_SHAPES])


def _flatten_hint(name):
    return (f"Each column of {name} must be one whole picture: reshape to (m, -1) so every row "
            f"is one image, then transpose. reshape(-1, m) gives the right shape but mixes "
            f"pixels of different pictures.")


def flatten_test(train_set_x_flatten, test_set_x_flatten):
    """Flattened sets: one picture per column, pixels in their original order."""
    got = {"train_set_x_flatten": train_set_x_flatten, "test_set_x_flatten": test_set_x_flatten}
    for name, value in got.items():
        _expect_shape(name, value, FLATTEN_SHAPES[name], _flatten_hint(name))
        first = value[:5, 0]
        if not np.array_equal(first, FLATTEN_FIRST_VALUES[name]):
            _fail(f"{name}[0:5, 0]", np.array(FLATTEN_FIRST_VALUES[name]), first, _flatten_hint(name))
    _passed("flatten", [f"{name}.shape = {value.shape}, {name}[0:5, 0] = {value[:5, 0]}"
                        for name, value in got.items()])


def standardize_test(train_set_x, test_set_x):
    """Standardized sets: the flattened pixels divided by 255, so every value is in [0, 1]."""
    got = {"train_set_x": train_set_x, "test_set_x": test_set_x}
    hint = "Divide the flattened pixel values (0 to 255) by 255."
    for name, value in got.items():
        shape = FLATTEN_SHAPES[f"{name}_flatten"]
        _expect_shape(name, value, shape, hint)
        _expect_close(f"{name}[0:5, 0]", value[:5, 0], STANDARDIZE_FIRST_VALUES[name], hint)
        if value.min() < 0 or value.max() > 1:
            _fail(f"range of {name}", "values in [0, 1]", f"[{value.min()}, {value.max()}]", hint)
    _passed("standardize", [f"{name}[0:5, 0] = {_show(value[:5, 0])}" for name, value in got.items()])


# ----------------------------------------------------------------------------------------------
# Graded functions
# ----------------------------------------------------------------------------------------------
def sigmoid_test(sigmoid):
    """``sigmoid`` applied element-wise on arrays of any shape."""
    lines = []
    for case in SIGMOID_CASES:
        z = _array(case["z"])
        got = _call(sigmoid, z)
        _expect_close(f"sigmoid({_show(z)})", got, case["expected"],
                      "Compute 1 / (1 + exp(-z)) element-wise with np.exp (not math.exp), "
                      "keeping the shape of z.")
        lines.append(f"sigmoid({_show(z)}) = {_show(np.asarray(got))}")
    _passed("sigmoid", lines)


def initialize_with_zeros_test(initialize_with_zeros):
    """``w`` is a zero column of shape (dim, 1), ``b`` the number zero."""
    dim = INITIALIZE_DIM
    w, b = _call(initialize_with_zeros, dim)
    hint = ("w must be a column of zeros of shape (dim, 1) (np.zeros takes the shape as a tuple), "
            "and b the number 0.")
    _expect_shape("w", w, (dim, 1), hint)
    if not np.issubdtype(w.dtype, np.floating):
        _fail("w.dtype", "a float dtype", w.dtype, hint)
    _expect_close("w", w, np.zeros((dim, 1)), hint)
    _expect_number("b", b, hint)
    if b != 0:
        _fail("b", 0.0, b, hint)
    _passed("initialize_with_zeros", [f"initialize_with_zeros({dim}) = ({_show(w)}, {_show(b)})"])


def propagate_test(propagate):
    """Gradients and cost on the classic three-example case."""
    case = PROPAGATE_CASE
    w, b, X, Y = _array(case["w"]), case["b"], _array(case["X"]), _array(case["Y"])
    grads, cost = _call(propagate, w, b, X, Y)
    m_hint = "Did you divide by m = X.shape[1]?"
    _expect_close("dw", grads["dw"], case["dw"],
                  "dw = X (A - Y)^T / m has the shape of w, (n_x, 1). " + m_hint)
    _expect_number("db", grads["db"], "db = sum(A - Y) / m is a single number.")
    _expect_close("db", grads["db"], case["db"], "db = sum(A - Y) / m. " + m_hint)
    _expect_number("cost", cost, "The cost is a single number; np.squeeze removes extra axes.")
    _expect_close("cost", cost, case["cost"],
                  "J = -(1/m) sum(Y log(A) + (1 - Y) log(1 - A)) with A = sigmoid(w^T X + b). "
                  + m_hint)
    _passed("propagate", [f"dw = {_show(grads['dw'])}", f"db = {_show(grads['db'])}", f"cost = {_show(cost)}"])


def _batch_inputs():
    rng = np.random.default_rng(BATCH_SEED)
    w = rng.standard_normal((BATCH_N_X, 1))
    b = float(rng.standard_normal())
    X = rng.standard_normal((BATCH_N_X, BATCH_M))
    Y = (rng.random((1, BATCH_M)) > 0.5).astype(float)
    return w, b, X, Y


def propagate_vectorized_test(propagate):
    """On a whole batch, the gradients and the cost are the averages over single examples."""
    w, b, X, Y = _batch_inputs()
    grads, cost = _call(propagate, w, b, X, Y)
    singles = [_call(propagate, w, b, X[:, [i]], Y[:, [i]]) for i in range(BATCH_M)]
    hint = ("Process all m examples at once: the activations form one array of shape (1, m); "
            "sum over the examples and divide by m = X.shape[1].")
    _expect_close(f"dw for a batch of {BATCH_M} examples", grads["dw"],
                  np.mean([g["dw"] for g, _ in singles], axis=0), hint)
    _expect_close(f"db for a batch of {BATCH_M} examples", grads["db"],
                  np.mean([g["db"] for g, _ in singles]), hint)
    _expect_close(f"cost for a batch of {BATCH_M} examples", cost,
                  np.mean([np.squeeze(c) for _, c in singles]), hint)
    _passed("propagate (whole batch)", [f"a batch of {BATCH_M} examples gives the average of the "
                                        f"{BATCH_M} single-example gradients and costs"])


def optimize_test(optimize):
    """100 steps of gradient descent on the classic case (uses your ``propagate``)."""
    case = OPTIMIZE_CASE
    w, b, X, Y = _array(case["w"]), case["b"], _array(case["X"]), _array(case["Y"])
    w_before = w.copy()
    params, grads, costs = _call(optimize, w, b, X, Y, num_iterations=case["num_iterations"],
                                 learning_rate=case["learning_rate"])
    hint = ("In each iteration, call propagate on the current w and b, then move w and b "
            "against their gradients, scaled by learning_rate.")
    _expect_close("params['w']", params["w"], case["w_out"], hint)
    _expect_close("params['b']", params["b"], case["b_out"], hint)
    _expect_close("grads['dw']", grads["dw"], case["dw"],
                  "Return the gradients of the last iteration. " + hint)
    _expect_close("grads['db']", grads["db"], case["db"],
                  "Return the gradients of the last iteration. " + hint)
    _expect_close("costs", [np.squeeze(c) for c in costs], case["costs"],
                  "Record the cost of iterations 0, 100, 200, ... (one value per 100 iterations).")
    if not np.array_equal(w, w_before):
        _fail("the caller's w after optimize", w_before, w,
              "optimize must not change the array it was given: update a copy.")
    _passed("optimize", [f"w = {_show(params['w'])}", f"b = {_show(params['b'])}",
                         f"dw = {_show(grads['dw'])}", f"db = {_show(grads['db'])}",
                         f"costs = {_show(np.array(costs, dtype=float))}"])


def predict_test(predict):
    """Labels 0 / 1 on the classic three-example case."""
    case = PREDICT_CASE
    got = _call(predict, _array(case["w"]), case["b"], _array(case["X"]))
    hint = ("Predict 1 where sigmoid(w^T x + b) > 0.5 and 0 elsewhere; return labels of shape "
            "(1, m), not probabilities.")
    _expect_shape("predictions", np.asarray(got), np.shape(case["expected"]), hint)
    _expect_close("predictions", got, case["expected"], hint)
    _passed("predict", [f"predict(w, b, X) = {_show(np.asarray(got, dtype=float))}"])


def predict_vectorized_test(predict):
    """On a whole batch, the labels are those of the examples taken one at a time."""
    w, b, X, _ = _batch_inputs()
    got = _call(predict, w, b, X)
    hint = "Predict all m columns of X at once; the result has shape (1, m)."
    _expect_shape(f"predictions for a batch of {BATCH_M} examples", np.asarray(got), (1, BATCH_M), hint)
    one_by_one = np.concatenate([np.asarray(_call(predict, w, b, X[:, [i]]), dtype=float)
                                 for i in range(BATCH_M)], axis=1)
    _expect_close(f"predictions for a batch of {BATCH_M} examples", got, one_by_one, hint)
    _passed("predict (whole batch)", [f"a batch of {BATCH_M} examples gives the labels of the "
                                      f"{BATCH_M} examples taken one at a time"])


def model_test(model):
    """Training from zeros on a tiny data set (uses your other functions)."""
    case = MODEL_CASE
    d = _call(model, _array(case["X_train"]), _array(case["Y_train"]), _array(case["X_test"]),
              _array(case["Y_test"]), num_iterations=case["num_iterations"],
              learning_rate=case["learning_rate"])
    hint = ("Initialize with zeros, run optimize with the given num_iterations and "
            "learning_rate, then predict on both sets with the learned w and b.")
    expected_keys = {"costs", "Y_prediction_test", "Y_prediction_train", "w", "b",
                     "learning_rate", "num_iterations"}
    if not isinstance(d, dict) or not expected_keys <= set(d):
        _fail("model(...) keys", sorted(expected_keys), sorted(d) if isinstance(d, dict) else d,
              "Return the dictionary d built at the end of model.")
    for key in ("w", "b", "costs", "Y_prediction_train", "Y_prediction_test"):
        got = [np.squeeze(c) for c in d[key]] if key == "costs" else d[key]
        _expect_close(f"d['{key}']", got, case[key], hint)
    _passed("model", [f"w = {_show(d['w'])}", f"b = {_show(d['b'])}",
                      f"costs = {_show(np.array(d['costs'], dtype=float))}",
                      f"Y_prediction_train = {_show(np.asarray(d['Y_prediction_train']))}",
                      f"Y_prediction_test = {_show(np.asarray(d['Y_prediction_test']))}"])
