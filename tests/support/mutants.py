"""Mutation catalog: wrong and correct-but-different answers to the graded cells, as data.

Each :class:`Mutant` replaces one or more solution cells of the notebook (by grade id) with its
own code: a complete ``def ...`` for a function cell, plain assignments for a data cell. A wrong
mutant names the test cells that must score 0 (all others must pass) and a substring of the
hint its failure message must contain; a correct mutant (``correct=True``) must get full marks.

The catalog is run through the checks directly (``tests/test_mutants.py``, every mutant, with
:func:`solution_namespace` + :func:`grade_directly`) and a subset through real
``nbgrader autograde`` (``tests/test_mutants_autograde.py``); the demo picks mutants by name.

Instructor-only, like the rest of :mod:`catvnoncat`.
"""

import copy
import linecache
import textwrap
from dataclasses import dataclass, field

import numpy as np

from catvnoncat import course, judge, reference
from catvnoncat.judge.specs import SPECS

__all__ = ["Mutant", "MUTANTS", "by_name", "notebook_solutions", "public_tests", "solution_namespace",
           "grade_directly"]


@dataclass(frozen=True)
class Mutant:
    """One variant of a student's notebook.

    Attributes
    ----------
    name : str
        Unique identifier (used by the demo and in test ids).
    replacements : dict
        ``{grade_id: code}`` replacing solution cells.
    failing : frozenset
        Test grade ids that must score 0; every other test cell must pass.
    hint : str
        Substring expected in the failure message of every failing cell ('' for correct ones).
    correct : bool
        True for a correct-but-different variant (``failing`` is then empty).
    description : str
        One line: what the variant does.
    follow_on : frozenset
        The vectorization cells in ``failing`` lost only because the function they judge is
        wrong (a vectorization point goes with correct results only); their message says so
        instead of carrying ``hint``.
    """

    name: str
    replacements: dict
    failing: frozenset = field(default_factory=frozenset)
    hint: str = ""
    correct: bool = False
    description: str = ""
    follow_on: frozenset = field(default_factory=frozenset)

    @property
    def times_a_loop(self):
        """Whether judging it times a Python loop over thousands of examples (seconds in-process:
        such cases are ``slow``)."""
        return bool((self.failing - self.follow_on) & set(judge.VECTORIZATION_CELLS.values()))


def _wrong(name, description, failing, hint, follow_on=None, **cells):
    """A wrong variant; by default a wrong propagate / predict also loses its vectorization cell."""
    if follow_on is None:
        follow_on = {vectorized for test_id, vectorized in judge.VECTORIZATION_CELLS.items()
                     if test_id in failing and vectorized not in failing}
    return Mutant(name, {gid: textwrap.dedent(code).strip() + "\n" for gid, code in cells.items()},
                  frozenset(failing) | frozenset(follow_on), hint, False, description,
                  frozenset(follow_on))


def _correct(name, description, **cells):
    return Mutant(name, {gid: textwrap.dedent(code).strip() + "\n" for gid, code in cells.items()},
                  frozenset(), "", True, description)


def public_tests():
    """The student-facing visible tests (``source/.../public_tests.py``), loaded as a module."""
    return course.student_module("public_tests.py")


#: The visible examples' expected outputs, as a student could copy them into a function.
_VISIBLE_PROPAGATE = public_tests().PROPAGATE_CASES[0]
_VISIBLE_SIGMOID = public_tests().SIGMOID_CASES[0]["expected"]

MUTANTS = [
    # ------------------------------------------------------------------ data steps
    _wrong("shapes_m_train_from_height", "m_train read from shape[1] (the height)",
           {"test_dataset_shapes"}, "train_set_x_orig.shape[0]",
           dataset_shapes="""
           m_train = train_set_x_orig.shape[1]
           m_test = test_set_x_orig.shape[0]
           num_px = train_set_x_orig.shape[1]
           """),
    _wrong("shapes_num_px_from_count", "num_px read from shape[0] (the number of pictures)",
           {"test_dataset_shapes"}, "height (= width)",
           dataset_shapes="""
           m_train = train_set_x_orig.shape[0]
           m_test = test_set_x_orig.shape[0]
           num_px = train_set_x_orig.shape[0]
           """),
    _wrong("shapes_m_test_from_train", "m_test copied from the training set",
           {"test_dataset_shapes"}, "m_test came from the training set",
           dataset_shapes="""
           m_train = train_set_x_orig.shape[0]
           m_test = train_set_x_orig.shape[0]
           num_px = train_set_x_orig.shape[1]
           """),
    _wrong("flatten_mixes_images", "reshape(-1, m): right shape, pictures mixed",
           {"test_flatten"}, "mixes the pictures",
           flatten="""
           train_set_x_flatten = train_set_x_orig.reshape(-1, train_set_x_orig.shape[0])
           test_set_x_flatten = test_set_x_orig.reshape(-1, test_set_x_orig.shape[0])
           """),
    _wrong("flatten_not_transposed", "one picture per row instead of per column",
           {"test_flatten"}, "One example per column",
           flatten="""
           train_set_x_flatten = train_set_x_orig.reshape(train_set_x_orig.shape[0], -1)
           test_set_x_flatten = test_set_x_orig.reshape(test_set_x_orig.shape[0], -1)
           """),
    _wrong("flatten_scales_too_early", "divides by 255 while flattening (standardize then copies)",
           {"test_flatten"}, "Only flatten here",
           flatten="""
           train_set_x_flatten = train_set_x_orig.reshape(train_set_x_orig.shape[0], -1).T / 255
           test_set_x_flatten = test_set_x_orig.reshape(test_set_x_orig.shape[0], -1).T / 255
           """,
           standardize="""
           train_set_x = train_set_x_flatten
           test_set_x = test_set_x_flatten
           """),
    _wrong("standardize_integer_division", "// 255 leaves only 0 and 1",
           {"test_standardize"}, "integer division",
           standardize="""
           train_set_x = train_set_x_flatten // 255
           test_set_x = test_set_x_flatten // 255
           """),
    _wrong("standardize_forgets_test_set", "only the training set is scaled",
           {"test_standardize"}, "test_set_x was not standardized",
           standardize="""
           train_set_x = train_set_x_flatten / 255.
           test_set_x = test_set_x_flatten
           """),
    _wrong("standardize_centres", "mean / std standardization instead of / 255",
           {"test_standardize"}, "simply divide by 255",
           standardize="""
           train_set_x = (train_set_x_flatten - train_set_x_flatten.mean()) / train_set_x_flatten.std()
           test_set_x = (test_set_x_flatten - test_set_x_flatten.mean()) / test_set_x_flatten.std()
           """),
    # ------------------------------------------------------------------ sigmoid
    _wrong("sigmoid_of_minus_z", "1 / (1 + exp(z))", {"test_sigmoid"}, "sigmoid(-z)",
           sigmoid="""
           def sigmoid(z):
               return 1 / (1 + np.exp(z))
           """),
    _wrong("sigmoid_precedence", "1 / 1 + exp(-z)", {"test_sigmoid"}, "Check the parentheses",
           sigmoid="""
           def sigmoid(z):
               return 1 / 1 + np.exp(-z)
           """),
    _wrong("sigmoid_minus_in_denominator", "1 / (1 - exp(-z))", {"test_sigmoid"},
           "with a plus sign",
           sigmoid="""
           def sigmoid(z):
               return 1 / (1 - np.exp(-z))
           """),
    _wrong("sigmoid_math_exp", "math.exp fails on arrays", {"test_sigmoid"}, "use numpy's versions",
           sigmoid="""
           import math

           def sigmoid(z):
               return 1 / (1 + math.exp(-z))
           """),
    # Issue 20: an in-place change costs nothing (the arguments are read-only; a second try on
    # writable copies passes with a note), so this is a correct-but-different variant now.
    _correct("sigmoid_modifies_argument", "negates z in place (passes with a note)",
             sigmoid="""
           def sigmoid(z):
               if isinstance(z, np.ndarray):
                   z *= -1
                   return 1 / (1 + np.exp(z))
               return 1 / (1 + np.exp(-z))
           """),
    _wrong("sigmoid_hardcoded_visible", "returns the visible example's expected output",
           {"test_sigmoid"}, "hard-code",
           sigmoid=f"""
           def sigmoid(z):
               return np.array({_VISIBLE_SIGMOID!r})
           """),
    # ------------------------------------------------------------------ initialize_with_zeros
    _wrong("initialize_rank1", "np.zeros(dim)", {"test_initialize_with_zeros"}, "rank-1",
           initialize_with_zeros="""
           def initialize_with_zeros(dim):
               return np.zeros(dim), 0.0
           """),
    _wrong("initialize_row", "np.zeros((1, dim))", {"test_initialize_with_zeros"},
           "looks transposed",
           initialize_with_zeros="""
           def initialize_with_zeros(dim):
               return np.zeros((1, dim)), 0.0
           """),
    _correct("initialize_b_array", "b = np.zeros((1, 1)): one number in an array (noted)",
           initialize_with_zeros="""
           def initialize_with_zeros(dim):
               return np.zeros((dim, 1)), np.zeros((1, 1))
           """),
    # Issue 20: a dtype is the kernel's report, so right values of another dtype earn a note.
    _correct("initialize_int_weights", "w of integer dtype (passes with a note)",
             initialize_with_zeros="""
           def initialize_with_zeros(dim):
               return np.zeros((dim, 1), dtype=int), 0
           """),
    # ------------------------------------------------------------------ propagate
    _wrong("propagate_forgets_divide_by_m", "dw, db and cost are sums, not means",
           {"test_propagate"}, "did you divide by m",
           propagate="""
           def propagate(w, b, X, Y):
               A = sigmoid(np.dot(w.T, X) + b)
               cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
               dw = np.dot(X, (A - Y).T)
               db = np.sum(A - Y)
               return {"dw": dw, "db": db}, cost
           """),
    _wrong("propagate_gradient_sign", "dZ = Y - A", {"test_propagate"}, "wrong sign",
           propagate="""
           def propagate(w, b, X, Y):
               m = X.shape[1]
               A = sigmoid(np.dot(w.T, X) + b)
               cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
               dZ = Y - A
               return {"dw": np.dot(X, dZ.T) / m, "db": np.sum(dZ) / m}, cost
           """),
    _wrong("propagate_no_bias", "Z = w.T X without b", {"test_propagate"},
           "forget to add the bias",
           propagate="""
           def propagate(w, b, X, Y):
               m = X.shape[1]
               A = sigmoid(np.dot(w.T, X))
               cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
               return {"dw": np.dot(X, (A - Y).T) / m, "db": np.sum(A - Y) / m}, cost
           """),
    _wrong("propagate_sigmoid_of_minus_z", "A = sigmoid(-(w.T X + b))", {"test_propagate"},
           "not sigmoid(-z)",
           propagate="""
           def propagate(w, b, X, Y):
               m = X.shape[1]
               A = sigmoid(-(np.dot(w.T, X) + b))
               cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
               return {"dw": np.dot(X, (A - Y).T) / m, "db": np.sum(A - Y) / m}, cost
           """),
    _wrong("propagate_m_from_rows", "m = X.shape[0]", {"test_propagate"},
           "m is the number of examples, X.shape[1]",
           propagate="""
           def propagate(w, b, X, Y):
               m = X.shape[0]
               A = sigmoid(np.dot(w.T, X) + b)
               cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
               return {"dw": np.dot(X, (A - Y).T) / m, "db": np.sum(A - Y) / m}, cost
           """),
    _wrong("propagate_dw_transposed", "dw = (A - Y) X^T, shape (1, n)", {"test_propagate"},
           "looks transposed",
           propagate="""
           def propagate(w, b, X, Y):
               m = X.shape[1]
               A = sigmoid(np.dot(w.T, X) + b)
               cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
               return {"dw": np.dot(A - Y, X.T) / m, "db": np.sum(A - Y) / m}, cost
           """),
    _correct("propagate_cost_not_squeezed", "cost from np.dot is a (1, 1) array (noted)",
           propagate="""
           def propagate(w, b, X, Y):
               m = X.shape[1]
               A = sigmoid(np.dot(w.T, X) + b)
               cost = -(np.dot(Y, np.log(A).T) + np.dot(1 - Y, np.log(1 - A).T)) / m
               return {"dw": np.dot(X, (A - Y).T) / m, "db": np.sum(A - Y) / m}, cost
           """),
    _correct("propagate_db_keepdims", "db = sum(dZ, axis=1, keepdims=True) / m, a (1, 1) array "
             "(noted)",
           propagate="""
           def propagate(w, b, X, Y):
               m = X.shape[1]
               A = sigmoid(np.dot(w.T, X) + b)
               cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
               dZ = A - Y
               return {"dw": np.dot(X, dZ.T) / m, "db": np.sum(dZ, axis=1, keepdims=True) / m}, cost
           """),
    _wrong("propagate_log_terms_swapped", "Y log(1 - A) + (1 - Y) log(A)", {"test_propagate"},
           "log terms swapped",
           propagate="""
           def propagate(w, b, X, Y):
               m = X.shape[1]
               A = sigmoid(np.dot(w.T, X) + b)
               cost = -np.sum(Y * np.log(1 - A) + (1 - Y) * np.log(A)) / m
               return {"dw": np.dot(X, (A - Y).T) / m, "db": np.sum(A - Y) / m}, cost
           """),
    _wrong("propagate_hardcoded_visible", "returns the visible example's expected output",
           {"test_propagate"}, "hard-code",
           propagate=f"""
           def propagate(w, b, X, Y):
               return ({{"dw": np.array({_VISIBLE_PROPAGATE["dw"]!r}),
                        "db": {_VISIBLE_PROPAGATE["db"]!r}}}, {_VISIBLE_PROPAGATE["cost"]!r})
           """),
    _wrong("propagate_loops_over_examples", "right values, one example at a time",
           {"test_propagate_vectorized"}, "loops over the examples",
           propagate="""
           def propagate(w, b, X, Y):
               n, m = X.shape
               dw = np.zeros((n, 1))
               db = 0.0
               cost = 0.0
               for i in range(m):
                   a = sigmoid(np.dot(w[:, 0], X[:, i]) + b)
                   cost += -(Y[0, i] * np.log(a) + (1 - Y[0, i]) * np.log(1 - a))
                   dw[:, 0] += (a - Y[0, i]) * X[:, i]
                   db += a - Y[0, i]
               return {"dw": dw / m, "db": db / m}, cost / m
           """),
    # ------------------------------------------------------------------ optimize
    _wrong("optimize_return_inside_loop", "return indented into the for loop",
           {"test_optimize"}, "is your return inside the loop?",
           optimize="""
           def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
               costs = []
               for i in range(num_iterations):
                   grads, cost = propagate(w, b, X, Y)
                   dw, db = grads["dw"], grads["db"]
                   w = w - learning_rate * dw
                   b = b - learning_rate * db
                   if i % 100 == 0:
                       costs.append(cost)
                   return {"w": w, "b": b}, {"dw": dw, "db": db}, costs
           """),
    _wrong("optimize_ignores_learning_rate", "w = w - dw", {"test_optimize"},
           "not learning_rate",
           optimize="""
           def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
               costs = []
               for i in range(num_iterations):
                   grads, cost = propagate(w, b, X, Y)
                   dw, db = grads["dw"], grads["db"]
                   w = w - dw
                   b = b - db
                   if i % 100 == 0:
                       costs.append(cost)
               return {"w": w, "b": b}, {"dw": dw, "db": db}, costs
           """),
    _wrong("optimize_gradient_ascent", "w = w + learning_rate * dw", {"test_optimize"},
           "gradient descent subtracts",
           optimize="""
           def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
               costs = []
               for i in range(num_iterations):
                   grads, cost = propagate(w, b, X, Y)
                   dw, db = grads["dw"], grads["db"]
                   w = w + learning_rate * dw
                   b = b + learning_rate * db
                   if i % 100 == 0:
                       costs.append(cost)
               return {"w": w, "b": b}, {"dw": dw, "db": db}, costs
           """),
    _wrong("optimize_b_not_updated", "only w is updated", {"test_optimize"}, "b never changes",
           optimize="""
           def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
               costs = []
               for i in range(num_iterations):
                   grads, cost = propagate(w, b, X, Y)
                   dw, db = grads["dw"], grads["db"]
                   w = w - learning_rate * dw
                   if i % 100 == 0:
                       costs.append(cost)
               return {"w": w, "b": b}, {"dw": dw, "db": db}, costs
           """),
    _wrong("optimize_costs_every_iteration", "appends the cost at every iteration",
           {"test_optimize"}, "one entry per iteration",
           optimize="""
           def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
               costs = []
               for i in range(num_iterations):
                   grads, cost = propagate(w, b, X, Y)
                   dw, db = grads["dw"], grads["db"]
                   w = w - learning_rate * dw
                   b = b - learning_rate * db
                   costs.append(cost)
               return {"w": w, "b": b}, {"dw": dw, "db": db}, costs
           """),
    _wrong("optimize_costs_wrong_iterations", "records at i = 99, 199, ...", {"test_optimize"},
           "wrong iterations",
           optimize="""
           def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
               costs = []
               for i in range(num_iterations):
                   grads, cost = propagate(w, b, X, Y)
                   dw, db = grads["dw"], grads["db"]
                   w = w - learning_rate * dw
                   b = b - learning_rate * db
                   if (i + 1) % 100 == 0:
                       costs.append(cost)
               return {"w": w, "b": b}, {"dw": dw, "db": db}, costs
           """),
    _wrong("optimize_costs_only_when_printing", "records costs only if print_cost",
           {"test_optimize"}, "costs is empty",
           optimize="""
           def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
               costs = []
               for i in range(num_iterations):
                   grads, cost = propagate(w, b, X, Y)
                   dw, db = grads["dw"], grads["db"]
                   w = w - learning_rate * dw
                   b = b - learning_rate * db
                   if print_cost and i % 100 == 0:
                       costs.append(cost)
                       print(f"Cost after iteration {i}: {cost}")
               return {"w": w, "b": b}, {"dw": dw, "db": db}, costs
           """),
    # Issue 20: an in-place change costs nothing (see sigmoid_modifies_argument).
    _correct("optimize_updates_in_place", "w -= learning_rate * dw on the caller's w (passes "
             "with a note)",
             optimize="""
           def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
               costs = []
               for i in range(num_iterations):
                   grads, cost = propagate(w, b, X, Y)
                   dw, db = grads["dw"], grads["db"]
                   w -= learning_rate * dw
                   b -= learning_rate * db
                   if i % 100 == 0:
                       costs.append(cost)
               return {"w": w, "b": b}, {"dw": dw, "db": db}, costs
           """),
    _wrong("optimize_grads_after_loop", "recomputes the gradients after the last update",
           {"test_optimize"}, "do not call propagate again after the loop",
           optimize="""
           def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
               costs = []
               for i in range(num_iterations):
                   grads, cost = propagate(w, b, X, Y)
                   w = w - learning_rate * grads["dw"]
                   b = b - learning_rate * grads["db"]
                   if i % 100 == 0:
                       costs.append(cost)
               grads, cost = propagate(w, b, X, Y)
               return {"w": w, "b": b}, grads, costs
           """),
    # ------------------------------------------------------------------ predict
    _wrong("predict_returns_probabilities", "returns A instead of labels", {"test_predict"},
           "returns the probabilities",
           predict="""
           def predict(w, b, X):
               return sigmoid(np.dot(w.T, X) + b)
           """),
    _wrong("predict_rank1", "returns labels of shape (m,)", {"test_predict"}, "rank-1",
           predict="""
           def predict(w, b, X):
               A = sigmoid(np.dot(w.T, X) + b)
               return (A[0] > 0.5).astype(float)
           """),
    _wrong("predict_inverted", "1 where A <= 0.5", {"test_predict"}, "labels are inverted",
           predict="""
           def predict(w, b, X):
               A = sigmoid(np.dot(w.T, X) + b)
               return (A <= 0.5).astype(float)
           """),
    _wrong("predict_threshold_on_z", "z > 0.5 instead of sigmoid(z) > 0.5", {"test_predict"},
           "not to z itself",
           predict="""
           def predict(w, b, X):
               return (np.dot(w.T, X) + b > 0.5).astype(float)
           """),
    # Issue 20: booleans are a representation of the right 0 / 1 values: a note.
    _correct("predict_booleans", "returns A > 0.5 as booleans (passes with a note)",
             predict="""
           def predict(w, b, X):
               return sigmoid(np.dot(w.T, X) + b) > 0.5
           """),
    _wrong("predict_no_bias", "forgets b", {"test_predict"}, "forget the bias",
           predict="""
           def predict(w, b, X):
               return (sigmoid(np.dot(w.T, X)) > 0.5).astype(float)
           """),
    _wrong("predict_loops_over_examples", "right labels, one example at a time (the classic loop)",
           {"test_predict_vectorized"}, "loops over the examples",
           predict="""
           def predict(w, b, X):
               m = X.shape[1]
               Y_prediction = np.zeros((1, m))
               A = sigmoid(np.dot(w.T, X) + b)
               for i in range(A.shape[1]):
                   if A[0, i] > 0.5:
                       Y_prediction[0, i] = 1
                   else:
                       Y_prediction[0, i] = 0
               return Y_prediction
           """),
    _wrong("predict_list_comprehension", "a list comprehension over the columns of X",
           {"test_predict_vectorized"}, "loops over the examples",
           predict="""
           def predict(w, b, X):
               labels = [1.0 if sigmoid(np.dot(w[:, 0], x) + b) > 0.5 else 0.0 for x in X.T]
               return np.array([labels])
           """),
    # ------------------------------------------------------------------ model
    _wrong("model_trains_on_test_set", "optimize on X_test, Y_test", {"test_model"},
           "trained on the test set",
           model="""
           def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5,
                     print_cost=False):
               w, b = initialize_with_zeros(X_train.shape[0])
               params, grads, costs = optimize(w, b, X_test, Y_test, num_iterations, learning_rate)
               w, b = params["w"], params["b"]
               return {"costs": costs, "Y_prediction_test": predict(w, b, X_test),
                       "Y_prediction_train": predict(w, b, X_train), "w": w, "b": b,
                       "learning_rate": learning_rate, "num_iterations": num_iterations}
           """),
    _wrong("model_ignores_num_iterations", "always 2000 iterations", {"test_model"},
           "ignores its num_iterations",
           model="""
           def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5,
                     print_cost=False):
               w, b = initialize_with_zeros(X_train.shape[0])
               params, grads, costs = optimize(w, b, X_train, Y_train, 2000, learning_rate)
               w, b = params["w"], params["b"]
               return {"costs": costs, "Y_prediction_test": predict(w, b, X_test),
                       "Y_prediction_train": predict(w, b, X_train), "w": w, "b": b,
                       "learning_rate": learning_rate, "num_iterations": num_iterations}
           """),
    _wrong("model_ignores_learning_rate", "optimize's default learning rate", {"test_model"},
           "ignores its learning_rate",
           model="""
           def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5,
                     print_cost=False):
               w, b = initialize_with_zeros(X_train.shape[0])
               params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations)
               w, b = params["w"], params["b"]
               return {"costs": costs, "Y_prediction_test": predict(w, b, X_test),
                       "Y_prediction_train": predict(w, b, X_train), "w": w, "b": b,
                       "learning_rate": learning_rate, "num_iterations": num_iterations}
           """),
    _wrong("model_uses_global_data", "trains on the notebook's train_set_x / train_set_y",
           {"test_model"}, "instead of its arguments",
           model="""
           def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5,
                     print_cost=False):
               w, b = initialize_with_zeros(train_set_x.shape[0])
               params, grads, costs = optimize(w, b, train_set_x, train_set_y, num_iterations,
                                               learning_rate)
               w, b = params["w"], params["b"]
               return {"costs": costs, "Y_prediction_test": predict(w, b, X_test),
                       "Y_prediction_train": predict(w, b, X_train), "w": w, "b": b,
                       "learning_rate": learning_rate, "num_iterations": num_iterations}
           """),
    _wrong("model_swaps_predictions", "train and test predictions swapped", {"test_model"},
           "are swapped",
           model="""
           def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5,
                     print_cost=False):
               w, b = initialize_with_zeros(X_train.shape[0])
               params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate)
               w, b = params["w"], params["b"]
               return {"costs": costs, "Y_prediction_test": predict(w, b, X_train),
                       "Y_prediction_train": predict(w, b, X_test), "w": w, "b": b,
                       "learning_rate": learning_rate, "num_iterations": num_iterations}
           """),
    _wrong("model_initializes_from_examples", "initialize_with_zeros(X_train.shape[1])",
           {"test_model"}, "initialize_with_zeros(X_train.shape[0])",
           model="""
           def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5,
                     print_cost=False):
               w, b = initialize_with_zeros(X_train.shape[1])
               params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate)
               w, b = params["w"], params["b"]
               return {"costs": costs, "Y_prediction_test": predict(w, b, X_test),
                       "Y_prediction_train": predict(w, b, X_train), "w": w, "b": b,
                       "learning_rate": learning_rate, "num_iterations": num_iterations}
           """),
    # ================================================================== correct but different
    _wrong("model_leaves_optimize_defaults", "optimize(w, b, X_train, Y_train): its default "
           "100 iterations and rate 0.009", {"test_model"},
           "ignores its num_iterations and learning_rate arguments",
           model="""
           def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5,
                     print_cost=False):
               w, b = initialize_with_zeros(X_train.shape[0])
               params, grads, costs = optimize(w, b, X_train, Y_train)
               w, b = params["w"], params["b"]
               return {"costs": costs, "Y_prediction_test": predict(w, b, X_test),
                       "Y_prediction_train": predict(w, b, X_train), "w": w, "b": b,
                       "learning_rate": learning_rate, "num_iterations": num_iterations}
           """),
    _wrong("model_hard_codes_features", "initialize_with_zeros(12288): the real data's size",
           {"test_model"}, "initialize_with_zeros(X_train.shape[0])",
           model="""
           def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5,
                     print_cost=False):
               w, b = initialize_with_zeros(12288)
               params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations,
                                               learning_rate)
               w, b = params["w"], params["b"]
               return {"costs": costs, "Y_prediction_test": predict(w, b, X_test),
                       "Y_prediction_train": predict(w, b, X_train), "w": w, "b": b,
                       "learning_rate": learning_rate, "num_iterations": num_iterations}
           """),
    _wrong("predict_thresholds_wx", "(w.T @ X > 0.5): no sigmoid, no bias", {"test_predict"},
           "the sigmoid and the bias b are both missing",
           predict="""
           def predict(w, b, X):
               return (np.dot(w.T, X) > 0.5).astype(float)
           """),
    _wrong("predict_forgets_return", "computes the labels, returns nothing", {"test_predict"},
           "did you forget `return`",
           predict="""
           def predict(w, b, X):
               A = sigmoid(np.dot(w.T, X) + b)
               Y_prediction = (A > 0.5).astype(float)
           """),
    _wrong("predict_loop_body_pass", "the template's loop with its body left as pass",
           {"test_predict"}, "not implemented yet where it says `pass`",
           predict="""
           def predict(w, b, X):
               m = X.shape[1]
               Y_prediction = np.zeros((1, m))
               A = sigmoid(np.dot(w.T, X) + b)
               for i in range(A.shape[1]):
                   pass
               return Y_prediction
           """),
    _wrong("optimize_misspelled_parameter", "def optimize(..., num_iteration=100, ...)",
           {"test_optimize"}, "misspelled `num_iteration`",
           optimize="""
           def optimize(w, b, X, Y, num_iteration=100, learning_rate=0.009, print_cost=False):
               costs = []
               for i in range(num_iteration):
                   grads, cost = propagate(w, b, X, Y)
                   w = w - learning_rate * grads["dw"]
                   b = b - learning_rate * grads["db"]
                   if i % 100 == 0:
                       costs.append(cost)
               return {"w": w, "b": b}, grads, costs
           """),
    _wrong("sigmoid_math_not_imported", "math.e ** -z without import math", {"test_sigmoid"},
           "add `import math`",
           sigmoid="""
           def sigmoid(z):
               return 1 / (1 + math.e ** (-z))
           """),
    _wrong("propagate_cost_parentheses", "-1/m * np.sum(Y log A) + np.sum((1 - Y) log(1 - A))",
           {"test_propagate"}, "sum covers only the first log term",
           propagate="""
           def propagate(w, b, X, Y):
               m = X.shape[1]
               A = sigmoid(np.dot(w.T, X) + b)
               cost = -1 / m * np.sum(Y * np.log(A)) + np.sum((1 - Y) * np.log(1 - A))
               dw = np.dot(X, (A - Y).T) / m
               return {"dw": dw, "db": np.sum(A - Y) / m}, cost
           """),
    _wrong("propagate_cost_sign_and_parentheses", "1/m * np.sum(Y log A) + np.sum(...): no minus",
           {"test_propagate"}, "wrong sign and misplaced parentheses",
           propagate="""
           def propagate(w, b, X, Y):
               m = X.shape[1]
               A = sigmoid(np.dot(w.T, X) + b)
               cost = 1 / m * np.sum(Y * np.log(A)) + np.sum((1 - Y) * np.log(1 - A))
               dw = np.dot(X, (A - Y).T) / m
               return {"dw": dw, "db": np.sum(A - Y) / m}, cost
           """),
    _correct("shapes_with_len", "len() and unpacking the shape",
             dataset_shapes="""
             m_train = len(train_set_x_orig)
             m_test = len(test_set_x_orig)
             _, num_px, _, _ = train_set_x_orig.shape
             """),
    _correct("flatten_explicit_size", "reshape(m, num_px * num_px * 3).T",
             flatten="""
             train_set_x_flatten = train_set_x_orig.reshape(m_train, num_px * num_px * 3).T
             test_set_x_flatten = test_set_x_orig.reshape(m_test, num_px * num_px * 3).T
             """),
    _correct("standardize_float32", "scaled in float32",
             standardize="""
             train_set_x = train_set_x_flatten.astype(np.float32) / np.float32(255)
             test_set_x = test_set_x_flatten.astype(np.float32) / np.float32(255)
             """),
    _correct("standardize_times_reciprocal", "multiplied by 1 / 255 (differs in the last bits)",
             standardize="""
             train_set_x = train_set_x_flatten * (1 / 255)
             test_set_x = np.multiply(test_set_x_flatten, 1.0 / 255.0)
             """),
    _correct("sigmoid_tanh", "0.5 * (1 + tanh(z / 2))",
             sigmoid="""
             def sigmoid(z):
                 return 0.5 * (1 + np.tanh(0.5 * z))
             """),
    _correct("sigmoid_piecewise_where", "np.where piecewise, never exp of a large number",
             sigmoid="""
             def sigmoid(z):
                 z = np.asarray(z, dtype=float)
                 e = np.exp(-np.abs(z))
                 s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
                 return s if s.ndim else float(s)
             """),
    _correct("sigmoid_logaddexp", "exp(-logaddexp(0, -z)), returns 0-d arrays for scalars",
             sigmoid="""
             def sigmoid(z):
                 return np.exp(-np.logaddexp(0, -np.asarray(z, dtype=float)))
             """),
    _correct("initialize_int_b", "b = 0 (an int), w built with np.zeros(shape=...)",
             initialize_with_zeros="""
             def initialize_with_zeros(dim):
                 w = np.zeros(shape=(dim, 1))
                 b = 0
                 return w, b
             """),
    _correct("initialize_0d_b", "b = np.float64(0) as a 0-d array, returned as a list",
             initialize_with_zeros="""
             def initialize_with_zeros(dim):
                 return [np.zeros((dim, 1), dtype=np.float64), np.array(0.0)]
             """),
    _correct("propagate_matmul_mean", "@ operator, np.mean, plain floats",
             propagate="""
             def propagate(w, b, X, Y):
                 A = sigmoid(w.T @ X + b)
                 cost = float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))
                 dZ = A - Y
                 dw = X @ dZ.T / X.shape[1]
                 db = float(np.mean(dZ))
                 return {"dw": dw, "db": db}, cost
             """),
    _correct("propagate_dot_squeeze", "np.dot cost, squeezed to a 0-d array, matmul gradients",
             propagate="""
             def propagate(w, b, X, Y):
                 m = X.shape[1]
                 A = sigmoid(np.matmul(w.T, X) + b)
                 cost = -(np.dot(Y, np.log(A).T) + np.dot(1 - Y, np.log(1 - A).T)) / m
                 grads = {"db": np.sum(A - Y) / m, "dw": np.matmul(X, (A - Y).T) / m}
                 return grads, np.squeeze(cost)
             """),
    _correct("propagate_stable_logaddexp", "cost from z with logaddexp, no sigmoid call",
             propagate="""
             def propagate(w, b, X, Y):
                 m = X.shape[1]
                 Z = np.dot(w.T, X) + b
                 A = np.exp(-np.logaddexp(0, -Z))
                 cost = np.sum(Y * np.logaddexp(0, -Z) + (1 - Y) * np.logaddexp(0, Z)) / m
                 return {"dw": np.dot(X, (A - Y).T) / m, "db": np.sum(A - Y) / m}, cost
             """),
    _wrong("propagate_loops_over_features", "a Python loop over the n features: right values, "
           "not vectorized (12288 iterations on the real data)", {"test_propagate_vectorized"},
           "loops over the examples in Python",
           propagate="""
             def propagate(w, b, X, Y):
                 n, m = X.shape
                 A = sigmoid(np.dot(w.T, X) + b)
                 cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
                 dZ = A - Y
                 dw = np.zeros((n, 1))
                 for j in range(n):
                     dw[j, 0] = np.dot(X[j], dZ[0]) / m
                 return {"dw": dw, "db": np.sum(dZ) / m}, cost
             """),
    _correct("optimize_deepcopy_inplace", "copies w first, then updates the copy in place",
             optimize="""
             import copy

             def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
                 w = copy.deepcopy(w)
                 b = copy.deepcopy(b)
                 costs = []
                 for i in range(num_iterations):
                     grads, cost = propagate(w, b, X, Y)
                     dw = grads["dw"]
                     db = grads["db"]
                     w -= learning_rate * dw
                     b -= learning_rate * db
                     if i % 100 == 0:
                         costs.append(cost)
                         if print_cost:
                             print("Cost after iteration %i: %f" % (i, cost))
                 return {"w": w, "b": b}, {"dw": dw, "db": db}, costs
             """),
    _correct("optimize_while_loop", "while loop, costs as 0-d arrays",
             optimize="""
             def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
                 costs = []
                 i = 0
                 while i < num_iterations:
                     grads, cost = propagate(w, b, X, Y)
                     if i % 100 == 0:
                         costs.append(np.array(cost))
                     w, b = w - learning_rate * grads["dw"], b - learning_rate * grads["db"]
                     i += 1
                 return dict(w=w, b=b), dict(dw=grads["dw"], db=grads["db"]), costs
             """),
    _correct("predict_where_int", "np.where(A > 0.5, 1, 0): integer labels",
             predict="""
             def predict(w, b, X):
                 A = sigmoid(w.T @ X + b)
                 return np.where(A > 0.5, 1, 0)
             """),
    _correct("predict_sign_of_z", "z > 0 is A > 0.5, without computing A",
             predict="""
             def predict(w, b, X):
                 return (np.dot(w.T, X) + b > 0).astype(float)
             """),
    _correct("predict_round", "np.round of the probabilities",
             predict="""
             def predict(w, b, X):
                 return np.round(sigmoid(np.dot(w.T, X) + b))
             """),
    _correct("model_keywords", "keyword arguments, dict built step by step, prints when asked",
             model="""
             def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5,
                       print_cost=False):
                 dim = X_train.shape[0]
                 w, b = initialize_with_zeros(dim)
                 params, grads, costs = optimize(w, b, X_train, Y_train,
                                                 learning_rate=learning_rate,
                                                 num_iterations=num_iterations,
                                                 print_cost=print_cost)
                 d = {}
                 d["w"], d["b"] = params["w"], params["b"]
                 d["Y_prediction_train"] = predict(d["w"], d["b"], X_train)
                 d["Y_prediction_test"] = predict(d["w"], d["b"], X_test)
                 d["costs"] = costs
                 d["learning_rate"] = learning_rate
                 d["num_iterations"] = num_iterations
                 print("model trained")
                 return d
             """),
    # ------------------------------------------------------------------ issue 20: named mistakes
    _wrong("initialize_random", "w = np.random.randn(dim, 1) * 0.01", {"test_initialize_with_zeros"},
           "starts w from random values",
           initialize_with_zeros="""
           def initialize_with_zeros(dim):
               return np.random.randn(dim, 1) * 0.01, 0.0
           """),
    _wrong("propagate_returns_cost_first", "return cost, grads", {"test_propagate"},
           "grads first",
           propagate="""
           def propagate(w, b, X, Y):
               m = X.shape[1]
               A = sigmoid(np.dot(w.T, X) + b)
               cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
               return cost, {"dw": np.dot(X, (A - Y).T) / m, "db": np.sum(A - Y) / m}
           """),
    _wrong("propagate_squared_error_cost", "cost = np.sum((A - Y) ** 2) / m", {"test_propagate"},
           "squared error",
           propagate="""
           def propagate(w, b, X, Y):
               m = X.shape[1]
               A = sigmoid(np.dot(w.T, X) + b)
               cost = np.sum((A - Y) ** 2) / m
               return {"dw": np.dot(X, (A - Y).T) / m, "db": np.sum(A - Y) / m}, cost
           """),
    _wrong("propagate_cost_one_minus_y_bare", "1 - Y without parentheses in the cost",
           {"test_propagate"}, "misplaced parenthesis",
           propagate="""
           def propagate(w, b, X, Y):
               m = X.shape[1]
               A = sigmoid(np.dot(w.T, X) + b)
               cost = -np.sum(Y * np.log(A) + 1 - Y * np.log(1 - A)) / m
               return {"dw": np.dot(X, (A - Y).T) / m, "db": np.sum(A - Y) / m}, cost
           """),
    _wrong("predict_template_none", "the 2017 template's A = None left in place",
           {"test_predict"}, "placeholder `A = None`",
           predict="""
           def predict(w, b, X):
               A = None
               return (A > 0.5).astype(float)
           """),
    _wrong("model_w_from_num_px", "w = np.zeros((num_px * num_px * 3, 1)): the notebook's global",
           {"test_model"}, "the notebook's global num_px",
           model="""
           def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5,
                     print_cost=False):
               w, b = np.zeros((num_px * num_px * 3, 1)), 0.0
               params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations,
                                               learning_rate, print_cost)
               w, b = params["w"], params["b"]
               return {"costs": costs, "w": w, "b": b,
                       "Y_prediction_test": predict(w, b, X_test),
                       "Y_prediction_train": predict(w, b, X_train),
                       "learning_rate": learning_rate, "num_iterations": num_iterations}
           """),
]

_BY_NAME = {m.name: m for m in MUTANTS}
assert len(_BY_NAME) == len(MUTANTS), "mutant names must be unique"


def by_name(name):
    """The mutant called ``name`` (KeyError listing the known names otherwise)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no mutant {name!r}; known: {', '.join(_BY_NAME)}") from None


# ------------------------------------------------------------------------------------------------
# Running a notebook's solution cells (optionally mutated) and grading them with the checks
# ------------------------------------------------------------------------------------------------
def notebook_solutions(source_nb=None):
    """``{grade_id: code}`` of the source notebook's code solution cells, in notebook order."""
    nb = source_nb if source_nb is not None else course.read_notebook(course.SOURCE_NOTEBOOK)
    kinds = course.grade_cells(nb)
    return {gid: code for gid, code in course.solution_sources(nb).items()
            if kinds.get(gid, {}).get("kind") == "solution"}


def solution_namespace(solutions, replacements=None, dataset=None):
    """Execute the solution cells the way a notebook does: one globals dict shared by all cells.

    Parameters
    ----------
    solutions : dict
        ``{grade_id: code}`` in notebook order (see :func:`notebook_solutions`).
    replacements : dict, optional
        ``{grade_id: code}`` overriding some cells (a mutant's replacements).
    dataset : tuple, optional
        ``load_dataset()``'s five arrays; loaded from ``catvnoncat.data`` when omitted.

    Returns
    -------
    dict
        The namespace. A cell that raises is skipped (the notebook would go on with the next
        cell); its exception is stored under ``"__cell_errors__"``.
    """
    from catvnoncat.data import load_dataset

    train_x_orig, train_y, test_x_orig, test_y, classes = dataset or load_dataset()
    namespace = {"__name__": "__main__", "np": np, "copy": copy, "accuracy": reference.accuracy,
                 "train_set_x_orig": train_x_orig, "train_set_y": train_y,
                 "test_set_x_orig": test_x_orig, "test_set_y": test_y, "classes": classes,
                 "__cell_errors__": {}, "__sources__": []}
    for grade_id, code in {**solutions, **(replacements or {})}.items():
        namespace["__sources__"].append(code)
        filename = f"<cell {grade_id}>"
        # Registered like IPython does, so tracebacks can quote the student's line.
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        try:
            exec(compile(code, filename, "exec"), namespace)  # noqa: S102 - instructor test data
        except Exception as error:  # noqa: BLE001 - a failing cell is part of what is graded
            namespace["__cell_errors__"][grade_id] = error
    return namespace


#: Vectorization outcomes already measured in this process, by the code they judged (see
#: :func:`_code_key`): timing a function takes about a second (a loop, ten), and most mutants
#: and learners share the notebook's propagate and predict.
_VECTORIZATION_SEEN = {}


def _code_key(namespace, name, seen=None, depth=0, lent=()):
    """What decides the vectorization verdict of ``namespace[name]``: its code, defaults and
    closure, the values of the other globals it names, and the same of every notebook function
    it reaches through its global names, except the graded helpers the judge lends it meanwhile
    (``lent``)."""
    seen = set(lent) if seen is None else seen
    function = namespace.get(name)
    code = getattr(function, "__code__", None)
    if code is None or name in seen or depth > 8:
        return (name, type(function).__name__, code is not None)
    seen.add(name)

    def names(code):
        yield from code.co_names
        for constant in code.co_consts:
            if hasattr(constant, "co_names"):
                yield from names(constant)

    reached = tuple(_code_key(namespace, n, seen, depth + 1)
                    if getattr(namespace.get(n), "__code__", None) is not None
                    else (n, type(namespace.get(n)).__name__, repr(namespace.get(n))[:400])
                    for n in sorted(set(names(code))))
    closure = tuple(repr(c.cell_contents) for c in (function.__closure__ or ()))
    return (name, code, repr(function.__defaults__), repr(function.__kwdefaults__), closure,
            reached)


def grade_directly(namespace, test_ids=None, hidden=None):
    """Judge a namespace's notebook as the grader judges a kernel (in-process prober), with the
    hidden inputs of ``hidden`` (a ``judge.HiddenKey``; default: the session's secret).

    A vectorization cell whose function has the code of one already judged in this process
    (the key: :func:`_code_key`) gets that judgement again instead of a second timing.

    Returns
    -------
    dict
        ``{test grade id: None if passed, else the failure message}``.
    """
    prober = judge.InProcessProber(namespace)
    sources = namespace.get("__sources__", ())
    vectorized_names = {cell: cell.removeprefix("test_").removesuffix("_vectorized")
                        for cell in judge.VECTORIZATION_CELLS.values()}
    outcomes = {}
    for test_id in judge.TEST_CELLS:
        if test_ids is not None and test_id not in test_ids:
            continue
        key = None
        if test_id in vectorized_names:
            try:
                name = vectorized_names[test_id]
                key = (test_id, hidden.tag if hidden is not None else None,
                       _code_key(namespace, name, lent=SPECS[name].helpers))
                hash(key)
            except TypeError:  # an unhashable constant somewhere: time it
                key = None
        if key is not None and key in _VECTORIZATION_SEEN:
            outcomes[test_id] = _VECTORIZATION_SEEN[key]
            continue
        verdict = judge.judge(test_id, prober, sources, hidden)
        outcomes[test_id] = None if verdict.passed else verdict.message()
        if key is not None:
            _VECTORIZATION_SEEN[key] = outcomes[test_id]
    return outcomes


def params(catalog=None):
    """The catalog as ``pytest.param`` s named after the mutants, the ones that time a loop
    marked ``slow`` (the fast loop leaves them out)."""
    import pytest

    return [pytest.param(m, id=m.name, marks=[pytest.mark.slow] * m.times_a_loop)
            for m in (MUTANTS if catalog is None else catalog)]
