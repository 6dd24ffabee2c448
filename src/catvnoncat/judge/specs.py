"""What each graded function is judged on: the reference, how to read its result, the
modelled mistakes (candidates) that name a probable error, and the helpers lent to it.

A candidate is ``(hint, function)``: the reference with one classic mistake switched on. When
a failing result equals a candidate's result on the same hidden input (and the candidate differs
from the reference there), the candidate's hint is the diagnosis.
"""

import numpy as np

from .. import reference
from . import accept, wire
from .sentences import HINTS
from .verdict import Failure

__all__ = ["Spec", "SPECS", "REFERENCE_HELPERS", "DATA_GLOBALS", "decoy_data"]

#: Names of the graded functions in the notebook, lent by the grader while another function is
#: judged (so a mistake in one costs points only once).
REFERENCE_HELPERS = ("sigmoid", "initialize_with_zeros", "propagate", "optimize", "predict")
#: Notebook globals holding the prepared data; ``model`` is judged with decoys in their place to
#: catch a ``model`` that reads them instead of its arguments.
DATA_GLOBALS = ("train_set_x", "train_set_y", "test_set_x", "test_set_y")


class Spec:
    """How to judge one graded function against the reference."""

    def __init__(self, name, call, reference_fn, unpack, candidates=(), helpers=(),
                 probe_constant=True, diagnose_data_globals=False, globals_for_call=None,
                 new_arrays="z = -z instead of z *= -1"):
        self.name = name                      # e.g. "propagate"
        self.call = call                      # e.g. "propagate(w, b, X, Y)"
        self.reference_fn = reference_fn      # args -> result in the student's format
        self.unpack = unpack                  # (result, case) -> {quantity: value}
        self.candidates = candidates          # [(hint, args -> result)] modelling mistakes
        self.helpers = helpers                # graded names swapped for the reference
        self.probe_constant = probe_constant  # diagnose hard-coded outputs
        self.diagnose_data_globals = diagnose_data_globals  # ask: does it read DATA_GLOBALS?
        self.globals_for_call = globals_for_call or (lambda case: {})
        self.new_arrays = new_arrays          # example of the right way, for the in-place hint



def _unpack_sigmoid(result, case):
    (z,) = case.args
    if np.ndim(z) == 0:
        return {"sigmoid(z)": accept.scalar(result, "sigmoid(z)")}
    return {"sigmoid(z)": accept.array(result, "sigmoid(z)")}


_SIGMOID = Spec(
    "sigmoid", "sigmoid(z)", reference.sigmoid, _unpack_sigmoid,
    candidates=[
        (HINTS.SIGMOID_OF_MINUS_Z, lambda z: reference.sigmoid(-np.asarray(z, dtype=float))),
        (HINTS.SIGMOID_PARENTHESES,
         lambda z: 1 + np.exp(-np.asarray(z, dtype=float))),
        (HINTS.SIGMOID_DENOMINATOR_SIGN,
         lambda z: 1 / (1 - np.exp(-np.asarray(z, dtype=float)))),
    ],
)



def _unpack_initialize(result, case):
    w, b = accept.sequence(result, "initialize_with_zeros(dim)", 2)
    return {"w": accept.array(w, "w"), "b": accept.scalar(b, "b")}


_INITIALIZE = Spec(
    "initialize_with_zeros", "initialize_with_zeros(dim)", reference.initialize_with_zeros,
    _unpack_initialize, probe_constant=False,
    candidates=[(HINTS.W_NOT_ZERO, lambda dim: (np.ones((dim, 1)), 0.0)),
                (HINTS.FIXED_DIM, lambda dim: (np.zeros((12288, 1)), 0.0))],
)



def _unpack_propagate(result, case):
    grads, cost = accept.sequence(result, "propagate(w, b, X, Y)", 2)
    if isinstance(cost, wire.Map) and not isinstance(grads, wire.Map):
        raise Failure("propagate(w, b, X, Y) returned (cost, grads), expected (grads, cost).",
                      HINTS.PROPAGATE_SWAPPED)
    grads = accept.mapping(grads, "grads", ("dw", "db"))
    return {"dw": accept.array(grads["dw"], "dw"), "db": accept.scalar(grads["db"], "db"),
            "cost": accept.scalar(cost, "cost")}


def _propagate_formula(w, b, X, Y, flip_z=False, swap_logs=False, use_bias=True,
                       cost_sign=-1.0, second_term_outside=False, cost_form=None):
    """The propagate formulas with one of the classic mistakes switched on.

    ``second_term_outside``: the parentheses close after the first log term, so only it is
    scaled by ``cost_sign / m`` and the second is added as a plain sum. ``cost_form``: another
    misplaced parenthesis (see :data:`_COST_FORMS`) or a squared-error cost.
    """
    m = X.shape[1]
    Z = w.T @ X + (b if use_bias else 0.0)
    if flip_z:
        Z = -Z
    A = reference.sigmoid(Z)
    log_a, log_1ma = -np.logaddexp(0, -Z), -np.logaddexp(0, Z)
    if swap_logs:
        log_a, log_1ma = log_1ma, log_a
    dZ = A - Y
    if cost_form is not None:
        return {"dw": X @ dZ.T / m, "db": np.sum(dZ) / m}, _COST_FORMS[cost_form](Y, A, log_a,
                                                                                log_1ma, m)
    if second_term_outside == "unsummed":  # an array: the sum closes after the first term
        cost = cost_sign * np.sum(Y * log_a) / m + (1 - Y) * log_1ma
    elif second_term_outside == "scaled_unsummed":  # -(1/m) * (np.sum(Y log A) + (1-Y) log(1-A))
        cost = cost_sign * (np.sum(Y * log_a) + (1 - Y) * log_1ma) / m
    elif second_term_outside == "minus_unscaled":   # -(1/m) np.sum(Y log A) - np.sum(...)
        cost = cost_sign * np.sum(Y * log_a) / m + cost_sign * np.sum((1 - Y) * log_1ma)
    elif second_term_outside:
        cost = cost_sign * np.sum(Y * log_a) / m + np.sum((1 - Y) * log_1ma)
    else:
        cost = cost_sign * np.sum(Y * log_a + (1 - Y) * log_1ma) / m
    return {"dw": X @ dZ.T / m, "db": np.sum(dZ) / m}, cost


#: Costs with a misplaced parenthesis or the squared error, ``(Y, A, log A, log(1 - A), m)``.
_COST_FORMS = {
    "one_minus_y_bare": lambda Y, A, la, l1a, m: -np.sum(Y * la + 1 - Y * l1a) / m,
    "sum_closed_early": lambda Y, A, la, l1a, m: -np.sum(Y * la + (1 - Y)) * l1a / m,
    "m_times_sum": lambda Y, A, la, l1a, m: -1 / (m * np.sum(Y * la + (1 - Y) * l1a)),
    "log_one_minus": lambda Y, A, la, l1a, m: -np.sum(Y * la + (1 - Y) * (0 - A)) / m,
    "squared": lambda Y, A, la, l1a, m: np.sum((A - Y) ** 2) / m,
    "squared_half": lambda Y, A, la, l1a, m: np.sum((A - Y) ** 2) / (2 * m),
}


def _squared_error_propagate(half):
    """propagate of the squared-error cost, with its own gradients (through the sigmoid)."""
    def mistake(w, b, X, Y):
        m = X.shape[1]
        A = reference.sigmoid(w.T @ X + b)
        scale = 1.0 if half else 2.0
        dZ = scale * (A - Y) * A * (1 - A)
        cost = np.sum((A - Y) ** 2) / ((2 if half else 1) * m)
        return {"dw": X @ dZ.T / m, "db": np.sum(dZ) / m}, cost
    return mistake


def _misplaced(form, detail):
    return (HINTS.COST_MISPLACED_PARENTHESIS.format(detail=detail),
            lambda w, b, X, Y: _propagate_formula(w, b, X, Y, cost_form=form))


def _scaled_propagate(factor):
    def mistake(w, b, X, Y):
        grads, cost = reference.propagate(w, b, X, Y)
        k = factor(X)
        return {"dw": grads["dw"] * k, "db": grads["db"] * k}, cost * k
    return mistake


_PROPAGATE = Spec(
    "propagate", "propagate(w, b, X, Y)", reference.propagate, _unpack_propagate,
    helpers=("sigmoid",),
    candidates=[
        (HINTS.DIVIDE_BY_M,
         _scaled_propagate(lambda X: X.shape[1])),
        (HINTS.DIVIDED_BY_M_TWICE,
         _scaled_propagate(lambda X: 1 / X.shape[1])),
        (HINTS.DIVIDED_BY_FEATURES,
         _scaled_propagate(lambda X: X.shape[1] / X.shape[0])),
        (HINTS.WRONG_SIGN, _scaled_propagate(lambda X: -1)),
        (HINTS.PROPAGATE_NO_BIAS, lambda w, b, X, Y: _propagate_formula(w, b, X, Y,
                                                                             use_bias=False)),
        (HINTS.LOGS_SWAPPED,
         lambda w, b, X, Y: _propagate_formula(w, b, X, Y, swap_logs=True)),
        (HINTS.ACTIVATION_OF_MINUS_Z, lambda w, b, X, Y: _propagate_formula(w, b, X, Y, flip_z=True)),
        (HINTS.COST_PARENTHESES,
         lambda w, b, X, Y: _propagate_formula(w, b, X, Y, second_term_outside=True)),
        (HINTS.COST_SIGN_AND_PARENTHESES,
         lambda w, b, X, Y: _propagate_formula(w, b, X, Y, cost_sign=1.0,
                                               second_term_outside=True)),
        (HINTS.COST_PARENTHESES,
         lambda w, b, X, Y: _propagate_formula(w, b, X, Y, second_term_outside="unsummed")),
        (HINTS.COST_SIGN_AND_PARENTHESES,
         lambda w, b, X, Y: _propagate_formula(w, b, X, Y, cost_sign=1.0,
                                               second_term_outside="unsummed")),
        (HINTS.COST_PARENTHESES,
         lambda w, b, X, Y: _propagate_formula(w, b, X, Y, second_term_outside="scaled_unsummed")),
        (HINTS.COST_PARENTHESES,
         lambda w, b, X, Y: _propagate_formula(w, b, X, Y, second_term_outside="minus_unscaled")),
        _misplaced("one_minus_y_bare", HINTS.COST_DETAIL_ONE_MINUS_Y),
        _misplaced("sum_closed_early", HINTS.COST_DETAIL_SUM_CLOSED_EARLY),
        _misplaced("m_times_sum", HINTS.COST_DETAIL_M_TIMES_SUM),
        _misplaced("log_one_minus", HINTS.COST_DETAIL_LOG_ONE),
        (HINTS.SQUARED_ERROR_COST,
         lambda w, b, X, Y: _propagate_formula(w, b, X, Y, cost_form="squared")),
        (HINTS.SQUARED_ERROR_COST,
         lambda w, b, X, Y: _propagate_formula(w, b, X, Y, cost_form="squared_half")),
        (HINTS.SQUARED_ERROR_COST, _squared_error_propagate(half=True)),
        (HINTS.SQUARED_ERROR_COST, _squared_error_propagate(half=False)),
    ],
)



def _optimize_variant(w, b, X, Y, num_iterations, learning_rate, print_cost=False, *,
                      iterations=None, rate=None, update_b=True, grads_after_loop=False,
                      record=lambda i: i % reference.COST_EVERY == 0, cost_after_update=False):
    """Gradient descent with one of the classic mistakes switched on (reference propagate)."""
    iterations = num_iterations if iterations is None else iterations
    rate = learning_rate if rate is None else rate
    costs, dw, db = [], np.zeros_like(w, dtype=float), 0.0
    for i in range(iterations):
        grads, cost = reference.propagate(w, b, X, Y)
        dw, db = grads["dw"], grads["db"]
        w = w - rate * dw
        if update_b:
            b = b - rate * db
        if record(i):
            costs.append(reference.propagate(w, b, X, Y)[1] if cost_after_update else cost)
    if grads_after_loop:
        grads, _ = reference.propagate(w, b, X, Y)
        dw, db = grads["dw"], grads["db"]
    return {"w": w, "b": b}, {"dw": dw, "db": db}, costs


def _optimize_mistake(**mistake):
    return lambda *args: _optimize_variant(*args, **mistake)


def _unpack_optimize(result, case):
    params, grads, costs = accept.sequence(result, "optimize(...)", 3)
    params = accept.mapping(params, "params", ("w", "b"))
    grads = accept.mapping(grads, "grads", ("dw", "db"))
    return {"w": accept.array(params["w"], "w"), "b": accept.scalar(params["b"], "b"),
            "dw": accept.array(grads["dw"], "dw"), "db": accept.scalar(grads["db"], "db"),
            "costs": accept.costs(costs)}


_WRONG_ITERATIONS = HINTS.COSTS_WRONG_ITERATIONS.format(every=reference.COST_EVERY,
                                                      twice=2 * reference.COST_EVERY)
_OPTIMIZE = Spec(
    "optimize", "optimize(w, b, X, Y, num_iterations, learning_rate)",
    reference.optimize, _unpack_optimize, helpers=("sigmoid", "propagate"),
    new_arrays="w = w - learning_rate * dw instead of w -= learning_rate * dw",
    candidates=[
        (HINTS.RETURN_INSIDE_LOOP,
         _optimize_mistake(iterations=1)),
        (HINTS.WRONG_ITERATION_COUNT, _optimize_mistake(iterations=100)),
        (HINTS.WRONG_ITERATION_COUNT, _optimize_mistake(iterations=2000)),
        (HINTS.LEARNING_RATE_IGNORED, _optimize_mistake(rate=0.009)),
        (HINTS.LEARNING_RATE_IGNORED, _optimize_mistake(rate=1.0)),
        (HINTS.GRADIENT_ASCENT,
         lambda *args: _optimize_variant(*args, rate=-args[5])),
        (HINTS.B_NOT_UPDATED,
         _optimize_mistake(update_b=False)),
        (HINTS.GRADS_AFTER_LOOP, _optimize_mistake(grads_after_loop=True)),
        (HINTS.COSTS_EVERY_ITERATION.format(every=reference.COST_EVERY),
         _optimize_mistake(record=lambda i: True)),
        (HINTS.COSTS_EMPTY,
         _optimize_mistake(record=lambda i: False)),
        (_WRONG_ITERATIONS, _optimize_mistake(record=lambda i: i % reference.COST_EVERY
                                              == reference.COST_EVERY - 1)),
        (_WRONG_ITERATIONS, _optimize_mistake(record=lambda i: i % reference.COST_EVERY == 0
                                              and i > 0)),
        (_WRONG_ITERATIONS, _optimize_mistake(cost_after_update=True)),
    ],
)



def _unpack_predict(result, case):
    return {"Y_prediction": accept.array(result, "Y_prediction", kinds="fiu")}


_PREDICT = Spec(
    "predict", "predict(w, b, X)", reference.predict, _unpack_predict, helpers=("sigmoid",),
    candidates=[
        (HINTS.PREDICT_PROBABILITIES, lambda w, b, X: reference.sigmoid(w.T @ X + b)),
        (HINTS.PREDICT_INVERTED, lambda w, b, X: 1.0 - reference.predict(w, b, X)),
        (HINTS.PREDICT_NO_BIAS, lambda w, b, X: reference.predict(w, 0.0, X)),
        (HINTS.THRESHOLD_ON_Z,
         lambda w, b, X: (w.T @ X + b > 0.5).astype(float)),
        (HINTS.PREDICT_NO_SIGMOID_NO_BIAS, lambda w, b, X: (w.T @ X > 0.5).astype(float)),
    ],
)



def _model_variant(X_train, Y_train, X_test, Y_test, num_iterations, learning_rate,
                   print_cost=False, *, train_on_test=False, iterations=None, rate=None,
                   swap_predictions=False):
    """The reference model with one of the classic mistakes switched on."""
    X_fit, Y_fit = (X_test, Y_test) if train_on_test else (X_train, Y_train)
    d = reference.model(X_fit, Y_fit, X_fit, Y_fit,
                        num_iterations if iterations is None else iterations,
                        learning_rate if rate is None else rate)
    d["Y_prediction_train"] = reference.predict(d["w"], d["b"], X_train)
    d["Y_prediction_test"] = reference.predict(d["w"], d["b"], X_test)
    if swap_predictions:
        d["Y_prediction_train"], d["Y_prediction_test"] = (d["Y_prediction_test"],
                                                           d["Y_prediction_train"])
    d["learning_rate"], d["num_iterations"] = learning_rate, num_iterations
    return d


def _model_mistake(**mistake):
    return lambda *args: _model_variant(*args, **mistake)


_MODEL_KEYS = ("costs", "w", "b", "Y_prediction_train", "Y_prediction_test", "learning_rate",
               "num_iterations")


def _unpack_model(result, case):
    d = accept.mapping(result, "d", _MODEL_KEYS)
    return {
        "costs": accept.costs(d["costs"], "d['costs']"),
        "w": accept.array(d["w"], "d['w']"),
        "b": accept.scalar(d["b"], "d['b']"),
        "Y_prediction_train": accept.array(d["Y_prediction_train"], "d['Y_prediction_train']", "fiu"),
        "Y_prediction_test": accept.array(d["Y_prediction_test"], "d['Y_prediction_test']", "fiu"),
        "learning_rate": accept.scalar(d["learning_rate"], "d['learning_rate']"),
        "num_iterations": accept.scalar(d["num_iterations"], "d['num_iterations']"),
    }


def decoy_data(case, seed=911):
    """Stand-ins for the notebook's data globals, shaped like this case's arrays."""
    rng = np.random.default_rng(seed)
    X_train, Y_train, X_test, Y_test = case.args[:4]
    return {"train_set_x": rng.normal(size=X_train.shape),
            "train_set_y": rng.integers(0, 2, size=Y_train.shape),
            "test_set_x": rng.normal(size=X_test.shape),
            "test_set_y": rng.integers(0, 2, size=Y_test.shape)}




_MODEL = Spec(
    "model", "model(X_train, Y_train, X_test, Y_test, num_iterations, learning_rate)",
    reference.model, _unpack_model, helpers=REFERENCE_HELPERS,
    globals_for_call=decoy_data, diagnose_data_globals=True,
    candidates=[
        (HINTS.MODEL_TRAINED_ON_TEST, _model_mistake(train_on_test=True)),
        (HINTS.PREDICTIONS_SWAPPED,
         _model_mistake(swap_predictions=True)),
        (HINTS.MODEL_IGNORES_ITERATIONS,
         _model_mistake(iterations=2000)),
        (HINTS.MODEL_IGNORES_ITERATIONS,
         _model_mistake(iterations=100)),
        (HINTS.MODEL_IGNORES_RATE,
         _model_mistake(rate=0.5)),
        (HINTS.MODEL_IGNORES_RATE,
         _model_mistake(rate=0.009)),
    ],
)



#: The spec of each graded function, by name.
SPECS = {spec.name: spec for spec in (_SIGMOID, _INITIALIZE, _PROPAGATE, _OPTIMIZE, _PREDICT,
                                      _MODEL)}
