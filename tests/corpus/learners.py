"""The real-world corpus of issue 11: notebooks in the styles real learners write, labelled.

Every entry is a whole notebook (the nine solution cells, ``{grade_id: code}``) in one learner's
style (a family of ``families.py``, with one or two cells rewritten for the buggy ones), and its
label:

* ``says``: ``{test grade id: needle}`` for each test cell that must score 0; empty for a
  correct learner, who must get full marks. Every other test cell must pass (no collateral).
* a needle is a substring (or a tuple of substrings, all required) of the *hint* of that cell's
  message (its last line, the sentence naming the mistake); the summary line above it quotes
  the call (``optimize(w, b, X, Y, num_iterations, learning_rate) on ...``), so needles are
  looked for in the hint, not in the summary. The one exception is the vectorization cell lost
  only because its function is wrong: its needle is ``judge.vectorized.NOT_JUDGED``, which is in
  the summary, so it is looked for in the whole message.

Written for this course's tests (styles read from public learners' repositories, no code copied).
The policy the labels encode is summarized in ``ACCEPTED`` and ``DIAGNOSED`` below.
"""

import textwrap
from dataclasses import dataclass, field

from catvnoncat import judge

from .families import FAMILIES

NOT_JUDGED = judge.vectorized.NOT_JUDGED

#: What the corpus asserts is accepted (full marks), for README's "Accepted" list.
ACCEPTED = (
    "a size-1 array where the docstring says scalar: db as (1, 1) from keepdims=True or (1,) "
    "from axis=1, cost as (1, 1) from np.dot or (1,) from axis=1, b = np.zeros((1, 1))",
    "an int bias b = 0; b updated with b -= ... ; w copied (w.copy(), np.copy, copy.deepcopy) "
    "then updated in place",
    "the 2021+ template's w = copy.deepcopy(w) without an import in the cell (the packages cell "
    "imports copy)",
    "the 2017 template: optimize without default arguments, asserts, "
    "Y_prediction[0, :] = A[0, :] > 0.5 into a float array",
    "labels from > 0.5 or >= 0.5, np.around / np.round, 1 * (A > 0.5), np.where(A > 0.5, 1, 0), "
    "astype(int)",
    "debug prints in every function (also every iteration of optimize regardless of print_cost)",
    "comments, docstrings and local names in other languages; own helper functions "
    "(activacion, cout, gradients) called by the graded ones; a while loop in optimize",
    "@, np.dot, np.matmul, np.einsum, np.multiply; tanh sigmoid; log1p; type hints; "
    "dict(...) / list / tuple returns; keyword arguments",
    "with a note, costing nothing: an argument updated in place without a copy; labels as "
    "booleans or as a list; an integer w of zeros",
)

#: What the corpus asserts is diagnosed: (mistake, needle of the hint).
DIAGNOSED = (
    ("None returned (a forgotten return)", "forget + return"),
    ("an unfinished body (pass, NotImplementedError left)", "not implemented"),
    ("model with num_iterations AND learning_rate hard-coded", "num_iterations + learning_rate"),
    ("predict thresholding w.T @ X: no sigmoid AND no bias", "sigmoid + bias + missing"),
    ("cost with the minus sign missing AND a misplaced parenthesis", "sign + parenthes"),
    ("a hard-coded feature count in model (12288, num_px * num_px * 3)", "X_train.shape[0]"),
    ("a hard-coded feature count in initialize_with_zeros", "dim"),
    ("a misspelled parameter (num_iteration)", "num_iterations"),
    ("a missing parameter (model without print_cost)", "print_cost"),
    ("math.exp on arrays", "np.exp"),
    ("NameError for a standard module not imported (math)", "import math"),
    ("NameError for a misspelled helper (sigmod)", "spelling"),
    ("a graded function defined under another name (initialize_with_zero, optimise)",
     "Define <name>"),
    ("a loop over the examples (template loop, comprehension)", "loops over the examples"),
    ("a wrong / unfinished propagate or predict: its vectorization cell", NOT_JUDGED),
    ("model sizing w from the notebook's num_px or the constant 12288, also in its own loop",
     "fits only the 64 x 64 x 3"),
    ("the 2017 template's None placeholders left (A = None, w = None)", "placeholder"),
    ("propagate returning (cost, grads), and its optimize unpacking them so",
     "grads first"),
    ("random instead of zero initialization (initialize_with_zeros, model)", "random"),
    ("a misplaced parenthesis in the cost (1 - Y bare, the sum closed early)", "parenthesis"),
    ("a squared-error cost (with or without its own gradients)", "squared error"),
)


@dataclass(frozen=True)
class Learner:
    """One learner's notebook and its label (see the module docstring)."""

    name: str
    style: str
    cells: dict
    says: dict = field(default_factory=dict)

    @property
    def must_lose(self):
        return frozenset(self.says)

    @property
    def correct(self):
        return not self.says


def _dedent(code):
    return textwrap.dedent(code).strip("\n") + "\n"


def correct(name, style, family, **cells):
    """A learner who must get full marks: ``family``'s notebook with ``cells`` rewritten."""
    return Learner(name, style, {**FAMILIES[family], **{g: _dedent(c) for g, c in cells.items()}})


def buggy(name, style, family, says, **cells):
    """A learner who must lose exactly the cells of ``says``.

    A wrong propagate / predict also loses its vectorization cell with the NOT_JUDGED message,
    unless ``says`` names that cell itself.
    """
    says = dict(says)
    for test_id, vectorized in judge.VECTORIZATION_CELLS.items():
        if test_id in says:
            says.setdefault(vectorized, NOT_JUDGED)
    return Learner(name, style, {**FAMILIES[family], **{g: _dedent(c) for g, c in cells.items()}},
                   says)


LEARNERS = [
    # ============================================================== correct: full marks
    correct("coursera_2017", "2017 template: asserts, optimize without defaults, "
            "Y_prediction[0, :] = A[0, :] > 0.5", "coursera_2017"),
    correct("coursera_2021", "2021+ template: w = copy.deepcopy(w) (copy imported by the "
            "packages cell), cost from np.dot squeezed, np.where(A > 0.5, 1, 0)", "coursera_2021"),
    correct("keepdims", "db and cost (1, 1) from keepdims=True, int b = 0, 1 * (A > 0.5), "
            "m_train from train_set_y.shape[1]", "keepdims"),
    correct("axis1_around", "db and cost (1,) from axis=1, np.around(A)", "axis1"),
    correct("matmul_typehints", "@, np.mean, type hints, f-strings, >= 0.5 as int, w.copy() "
            "then b -=", "matmul"),
    correct("spanish_helper", "Spanish comments and names, own helper activacion, costes",
            "spanish"),
    correct("chinese_asserts", "Chinese comments, asserts, np.where(A > 0.5, 1., 0.)", "chinese"),
    correct("debug_prints", "prints shapes and values in every function, costs printed always",
            "debug_prints"),
    correct("german_inplace_on_copy", "German comments, 2019 markers, np.copy(w) then w -= / b -=",
            "german_inplace"),
    correct("french_helpers_while", "French comments, helpers cout / gradients, while loop, "
            "list and dict() returns, keyword arguments", "french_helpers"),
    correct("einsum_tanh", "tanh sigmoid, einsum, log1p, float(cost) in costs", "einsum_tanh"),
    correct("coursera_2021_inplace_after_deepcopy", "2021+ template, w -= after copy.deepcopy",
            "coursera_2021",
            optimize='''
            def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
                w = copy.deepcopy(w)
                b = copy.deepcopy(b)
                costs = []
                for i in range(num_iterations):
                    # YOUR CODE STARTS HERE
                    grads, cost = propagate(w, b, X, Y)
                    dw = grads["dw"]
                    db = grads["db"]
                    w -= learning_rate * dw
                    b -= learning_rate * db
                    # YOUR CODE ENDS HERE
                    if i % 100 == 0:
                        costs.append(cost)
                        if print_cost:
                            print ("Cost after iteration %i: %f" %(i, cost))
                params = {"w": w, "b": b}
                grads = {"dw": dw, "db": db}
                return params, grads, costs
            '''),
    correct("keepdims_b_array", "b = np.zeros((1, 1)) in initialize_with_zeros, keepdims "
            "gradients", "keepdims",
            initialize_with_zeros='''
            def initialize_with_zeros(dim):
                w = np.zeros((dim, 1))
                b = np.zeros((1, 1))  # same shape as db
                return w, b
            '''),
    correct("coursera_2017_round_int_b", "2017 template, predict with np.round and astype(int), "
            "print_cost prints every 100", "coursera_2017",
            predict='''
            # GRADED FUNCTION: predict

            def predict(w, b, X):
                m = X.shape[1]
                w = w.reshape(X.shape[0], 1)
                ### START CODE HERE ### (≈ 1 line of code)
                A = sigmoid(np.dot(w.T, X) + b)
                ### END CODE HERE ###
                Y_prediction = np.round(A).astype(int)
                assert(Y_prediction.shape == (1, m))
                return Y_prediction
            '''),
    correct("matmul_squeeze_keepdims_cost", "@ with cost from np.dot kept (1, 1) and db from "
            "np.sum(..., keepdims=True)", "matmul",
            propagate='''
            def propagate(w, b, X, Y):
                m = X.shape[1]
                A = sigmoid(w.T @ X + b)
                cost = -(Y @ np.log(A).T + (1 - Y) @ np.log(1 - A).T) / m   # (1, 1)
                dZ = A - Y
                dw = X @ dZ.T / m
                db = np.sum(dZ, keepdims=True) / m
                return {"dw": dw, "db": db}, cost
            '''),

    # ============================================================== policy 3: diagnoses
    buggy("propagate_forgets_return", "debug prints; propagate computes everything, no return",
          "debug_prints", {"test_propagate": ("forget", "return")},
          propagate='''
          def propagate(w, b, X, Y):
              m = X.shape[1]
              print("DEBUG shapes w", w.shape, "X", X.shape, "Y", Y.shape)
              A = sigmoid(np.dot(w.T, X) + b)
              cost = -1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
              dw = 1 / m * np.dot(X, (A - Y).T)
              db = 1 / m * np.sum(A - Y)
              grads = {"dw": dw, "db": db}
              print("DEBUG grads", grads, "cost", cost)
          '''),
    buggy("sigmoid_forgets_return", "2021 template; s computed, return forgotten",
          "coursera_2021", {"test_sigmoid": ("forget", "return")},
          sigmoid='''
          # GRADED FUNCTION: sigmoid

          def sigmoid(z):
              #(≈ 1 line of code)
              # s = ...
              # YOUR CODE STARTS HERE
              s = 1 / (1 + np.exp(-z))

              # YOUR CODE ENDS HERE
          '''),
    buggy("predict_pass", "Spanish; predict left for later with pass", "spanish",
          {"test_predict": "not implemented"},
          predict='''
          def predict(w, b, X):
              # TODO: terminar después
              pass
          '''),
    buggy("model_not_implemented", "2017 template; model still raises NotImplementedError",
          "coursera_2017", {"test_model": "not implemented"},
          model='''
          def model(X_train, Y_train, X_test, Y_test, num_iterations = 2000, learning_rate = 0.5, print_cost = False):
              # YOUR CODE HERE
              raise NotImplementedError()
          '''),
    buggy("model_hardcodes_both", "2021 template; optimize called with 2000 and 0.005 (the "
          "values of the training cell)", "coursera_2021",
          {"test_model": ("num_iterations", "learning_rate")},
          model='''
          def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
              # YOUR CODE STARTS HERE
              w, b = initialize_with_zeros(X_train.shape[0])
              params, grads, costs = optimize(w, b, X_train, Y_train, 2000, 0.005, print_cost)
              w = params["w"]
              b = params["b"]
              Y_prediction_test = predict(w, b, X_test)
              Y_prediction_train = predict(w, b, X_train)
              # YOUR CODE ENDS HERE
              d = {"costs": costs,
                   "Y_prediction_test": Y_prediction_test,
                   "Y_prediction_train" : Y_prediction_train,
                   "w" : w,
                   "b" : b,
                   "learning_rate" : learning_rate,
                   "num_iterations": num_iterations}
              return d
          '''),
    buggy("predict_no_sigmoid_no_bias", "@ style; thresholds w.T @ X: no sigmoid and no b",
          "matmul", {"test_predict": ("sigmoid", "bias", "missing")},
          predict='''
          def predict(w: np.ndarray, b: float, X: np.ndarray) -> np.ndarray:
              return (w.T @ X > 0.5).astype(int)
          '''),
    buggy("cost_sign_and_parenthesis", "Chinese comments; cost without the leading minus and "
          "np.sum closed after the first term", "chinese",
          {"test_propagate": ("sign", "parenthes")},
          propagate='''
          def propagate(w, b, X, Y):
              m = X.shape[1]
              # 正向传播
              A = sigmoid(np.dot(w.T, X) + b)
              cost = (1 / m) * np.sum(Y * np.log(A)) + (1 - Y) * np.log(1 - A)  # 计算成本
              # 反向传播
              dw = (1 / m) * np.dot(X, (A - Y).T)
              db = (1 / m) * np.sum(A - Y)
              grads = {"dw": dw, "db": db}
              return (grads, np.squeeze(cost))
          '''),
    buggy("cost_sign_and_inner_sum", "einsum style; cost without the minus, np.sum closed "
          "after an inner np.sum of the second term", "einsum_tanh",
          {"test_propagate": ("sign", "parenthes")},
          propagate='''
          def propagate(w, b, X, Y):
              m = X.shape[1]
              A = sigmoid(np.einsum("ij,ik->jk", w, X) + b)
              cost = 1 / m * np.sum(Y * np.log(A) + np.sum((1 - Y) * np.log(1 - A)))
              dZ = A - Y
              return {"dw": np.einsum("ik,jk->ij", X, dZ) / m, "db": dZ.sum() / m}, cost
          '''),
    buggy("model_initialize_12288", "2017 template; initialize_with_zeros(12288)",
          "coursera_2017", {"test_model": "X_train.shape[0]"},
          model='''
          def model(X_train, Y_train, X_test, Y_test, num_iterations = 2000, learning_rate = 0.5, print_cost = False):
              ### START CODE HERE ###
              w, b = initialize_with_zeros(12288)
              parameters, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
              w = parameters["w"]
              b = parameters["b"]
              Y_prediction_test = predict(w, b, X_test)
              Y_prediction_train = predict(w, b, X_train)
              ### END CODE HERE ###
              d = {"costs": costs, "Y_prediction_test": Y_prediction_test,
                   "Y_prediction_train" : Y_prediction_train, "w" : w, "b" : b,
                   "learning_rate" : learning_rate, "num_iterations": num_iterations}
              return d
          '''),
    buggy("model_zeros_num_px", "keepdims style; w = np.zeros((num_px * num_px * 3, 1)) in model "
          "from the notebook's num_px", "keepdims", {"test_model": "X_train.shape[0]"},
          model='''
          def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
              w = np.zeros((num_px * num_px * 3, 1))
              b = 0
              params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
              w, b = params["w"], params["b"]
              return dict(costs=costs, Y_prediction_test=predict(w, b, X_test),
                          Y_prediction_train=predict(w, b, X_train), w=w, b=b,
                          learning_rate=learning_rate, num_iterations=num_iterations)
          '''),
    buggy("initialize_hardcoded_12288", "German comments; np.zeros((12288, 1)) ignoring dim",
          "german_inplace", {"test_initialize_with_zeros": "dim"},
          initialize_with_zeros='''
          def initialize_with_zeros(dim):
              ### START CODE HERE ### (≈ 1 line of code)
              w = np.zeros((12288, 1))  # 64 * 64 * 3 Pixel
              b = 0.
              ### END CODE HERE ###
              return w, b
          '''),
    buggy("optimize_num_iteration", "2021 template; parameter misspelled num_iteration",
          "coursera_2021", {"test_optimize": "num_iterations"},
          optimize='''
          def optimize(w, b, X, Y, num_iteration=100, learning_rate=0.009, print_cost=False):
              w = copy.deepcopy(w)
              b = copy.deepcopy(b)
              costs = []
              for i in range(num_iteration):
                  grads, cost = propagate(w, b, X, Y)
                  dw = grads["dw"]
                  db = grads["db"]
                  w = w - learning_rate * dw
                  b = b - learning_rate * db
                  if i % 100 == 0:
                      costs.append(cost)
                      if print_cost:
                          print ("Cost after iteration %i: %f" %(i, cost))
              params = {"w": w, "b": b}
              grads = {"dw": dw, "db": db}
              return params, grads, costs
          '''),
    buggy("model_without_print_cost", "French helpers; model(X_train, Y_train, X_test, Y_test, "
          "num_iterations, learning_rate) without print_cost", "french_helpers",
          {"test_model": "print_cost"},
          model='''
          def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5):
              w, b = initialize_with_zeros(X_train.shape[0])
              params, grads, couts = optimize(w, b, X_train, Y_train,
                                              num_iterations=num_iterations,
                                              learning_rate=learning_rate)
              d = {"costs": couts, "w": params["w"], "b": params["b"],
                   "learning_rate": learning_rate, "num_iterations": num_iterations}
              d["Y_prediction_train"] = predict(d["w"], d["b"], X_train)
              d["Y_prediction_test"] = predict(d["w"], d["b"], X_test)
              return d
          '''),
    buggy("sigmoid_math_exp", "2017 template; import math and math.exp(-z)", "coursera_2017",
          {"test_sigmoid": "np.exp"},
          sigmoid='''
          # GRADED FUNCTION: sigmoid
          import math

          def sigmoid(z):
              ### START CODE HERE ### (≈ 1 line of code)
              s = 1 / (1 + math.exp(-z))
              ### END CODE HERE ###
              return s
          '''),
    buggy("sigmoid_math_e_not_imported", "debug prints; np.power(math.e, -z) without "
          "import math", "debug_prints", {"test_sigmoid": "import math"},
          sigmoid='''
          def sigmoid(z):
              s = 1 / (1 + np.power(math.e, -z))
              return s
          '''),
    buggy("predict_calls_sigmod", "keepdims style; predict calls sigmod (typo)", "keepdims",
          {"test_predict": "spelling"},
          predict='''
          def predict(w, b, X):
              A = sigmod(np.dot(w.T, X) + b)
              return 1 * (A > 0.5)
          '''),
    buggy("defines_initialize_with_zero", "Spanish; the function is called "
          "initialize_with_zero everywhere", "spanish",
          {"test_initialize_with_zeros": "Define initialize_with_zeros"},
          initialize_with_zeros='''
          def initialize_with_zero(dim):
              # pesos en cero y sesgo en cero
              w = np.zeros((dim, 1))
              b = 0.0
              return w, b
          ''',
          model='''
          def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
              w, b = initialize_with_zero(X_train.shape[0])
              parametros, grads, costes = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
              w = parametros["w"]
              b = parametros["b"]
              d = {"costs": costes, "Y_prediction_test": predict(w, b, X_test),
                   "Y_prediction_train": predict(w, b, X_train), "w": w, "b": b,
                   "learning_rate": learning_rate, "num_iterations": num_iterations}
              return d
          '''),
    buggy("defines_optimise", "einsum style, British spelling: optimise, called by model",
          "einsum_tanh", {"test_optimize": "Define optimize"},
          optimize='''
          def optimise(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
              costs = []
              for i in range(num_iterations):
                  grads, cost = propagate(w, b, X, Y)
                  dw, db = grads["dw"], grads["db"]
                  w, b = w - learning_rate * dw, b - learning_rate * db
                  if not i % 100:
                      costs.append(float(cost))
              return {"w": w, "b": b}, {"dw": dw, "db": db}, costs
          ''',
          model='''
          def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
              w, b = initialize_with_zeros(X_train.shape[0])
              params, _, costs = optimise(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
              w, b = params["w"], params["b"]
              return {"costs": costs, "w": w, "b": b,
                      "Y_prediction_test": predict(w, b, X_test),
                      "Y_prediction_train": predict(w, b, X_train),
                      "learning_rate": learning_rate, "num_iterations": num_iterations}
          '''),

    # ============================================================== policy 4: vectorization
    buggy("coursera_2017_predict_loop", "2017 template's loop over A.shape[1] (right labels)",
          "coursera_2017", {"test_predict_vectorized": "loops over the examples"},
          predict='''
          # GRADED FUNCTION: predict

          def predict(w, b, X):
              m = X.shape[1]
              Y_prediction = np.zeros((1,m))
              w = w.reshape(X.shape[0], 1)

              ### START CODE HERE ### (≈ 1 line of code)
              A = sigmoid(np.dot(w.T, X) + b)
              ### END CODE HERE ###

              for i in range(A.shape[1]):

                  # Convert probabilities A[0,i] to actual predictions p[0,i]
                  ### START CODE HERE ### (≈ 4 lines of code)
                  if A[0, i] <= 0.5:
                      Y_prediction[0, i] = 0
                  else:
                      Y_prediction[0, i] = 1
                  ### END CODE HERE ###

              assert(Y_prediction.shape == (1, m))

              return Y_prediction
          '''),
    buggy("coursera_2021_predict_loop", "2021 template's loop with a conditional expression",
          "coursera_2021", {"test_predict_vectorized": "loops over the examples"},
          predict='''
          # GRADED FUNCTION: predict

          def predict(w, b, X):
              m = X.shape[1]
              Y_prediction = np.zeros((1, m))
              w = w.reshape(X.shape[0], 1)
              # YOUR CODE STARTS HERE
              A = sigmoid(np.dot(w.T, X) + b)
              # YOUR CODE ENDS HERE
              for i in range(A.shape[1]):
                  # YOUR CODE STARTS HERE
                  Y_prediction[0, i] = 1 if A[0, i] > 0.5 else 0
                  # YOUR CODE ENDS HERE
              return Y_prediction
          '''),
    buggy("propagate_loop_over_examples", "French comments; one example at a time, right values",
          "french_helpers", {"test_propagate_vectorized": "loops over the examples"},
          propagate='''
          def propagate(w, b, X, Y):
              n, m = X.shape
              dw = np.zeros((n, 1))
              db = 0.0
              cout = 0.0
              for i in range(m):  # exemple par exemple
                  a = sigmoid(np.dot(w[:, 0], X[:, i]) + b)
                  cout -= Y[0, i] * np.log(a) + (1 - Y[0, i]) * np.log(1 - a)
                  dw[:, 0] += (a - Y[0, i]) * X[:, i]
                  db += a - Y[0, i]
              return {"dw": dw / m, "db": db / m}, cout / m
          '''),
    # Issue 20: a list of the right labels passes test_predict with a note (a type name is the
    # kernel's report); the comprehension still loops over the examples.
    buggy("predict_list_of_labels", "debug prints; labels built in a comprehension, returned "
          "as a list", "debug_prints", {"test_predict_vectorized": "loops over the examples"},
          predict='''
          def predict(w, b, X):
              A = sigmoid(np.dot(w.T, X) + b)
              Y_prediction = [[1.0 if a > 0.5 else 0.0 for a in A[0]]]
              print("DEBUG", Y_prediction)
              return Y_prediction
          '''),

    # ============================================================== strict types and shapes
    # Issue 20: an in-place change costs nothing (read-only arguments, a second try on writable
    # copies, a note), and booleans are a representation of the right labels (a note).
    correct("optimize_inplace_no_copy", "keepdims style; w -= learning_rate * dw on the "
            "caller's array (a note)", "keepdims",
          optimize='''
          def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
              costs = []
              for i in range(num_iterations):
                  grads, cost = propagate(w, b, X, Y)
                  w -= learning_rate * grads["dw"]
                  b -= learning_rate * grads["db"]
                  if i % 100 == 0:
                      costs.append(cost)
              return {"w": w, "b": b}, grads, costs
          '''),
    correct("predict_booleans", "@ style; returns A > 0.5 as booleans (a note)", "matmul",
          predict='''
          def predict(w, b, X):
              return sigmoid(w.T @ X + b) > 0.5
          '''),
    buggy("predict_rank1", "axis=1 style; labels of shape (m,)", "axis1",
          {"test_predict": "rank-1"},
          predict='''
          def predict(w, b, X):
              A = sigmoid(np.dot(w.T, X) + b)
              return np.around(A[0])
          '''),
    buggy("propagate_dw_transposed", "Spanish; dw = np.dot(dZ, X.T) of shape (1, n)", "spanish",
          {"test_propagate": "looks transposed"},
          propagate='''
          def activacion(w, b, X):
              """Calcula A = sigmoid(w^T X + b) para todos los ejemplos a la vez."""
              return sigmoid(np.dot(w.T, X) + b)


          def propagate(w, b, X, Y):
              m = X.shape[1]
              A = activacion(w, b, X)
              costo = -(1 / m) * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
              dZ = A - Y
              dw = (1 / m) * np.dot(dZ, X.T)   # gradiente de los pesos
              db = (1 / m) * np.sum(dZ)
              return {"dw": dw, "db": db}, costo
          '''),

    # ============================================================== classic single mistakes
    buggy("propagate_no_divide_by_m", "German comments; sums instead of means",
          "german_inplace", {"test_propagate": "did you divide by m"},
          propagate='''
          def propagate(w, b, X, Y):
              # Vorwärts
              A = sigmoid(np.dot(w.T, X) + b)
              cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
              # Rückwärts
              dw = np.dot(X, (A - Y).T)
              db = np.sum(A - Y)
              return {"dw": dw, "db": db}, cost
          '''),
    buggy("propagate_no_bias", "2017 template; A = sigmoid(np.dot(w.T, X))", "coursera_2017",
          {"test_propagate": "forget to add the bias"},
          propagate='''
          # GRADED FUNCTION: propagate

          def propagate(w, b, X, Y):
              m = X.shape[1]
              ### START CODE HERE ### (≈ 2 lines of code)
              A = sigmoid(np.dot(w.T, X))
              cost = -1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
              ### END CODE HERE ###
              ### START CODE HERE ### (≈ 2 lines of code)
              dw = 1 / m * np.dot(X, (A - Y).T)
              db = 1 / m * np.sum(A - Y)
              ### END CODE HERE ###
              cost = np.squeeze(cost)
              grads = {"dw": dw, "db": db}
              return grads, cost
          '''),
    buggy("propagate_m_from_rows", "@ style; m = X.shape[0]", "matmul",
          {"test_propagate": "m is the number of examples"},
          propagate='''
          def propagate(w, b, X, Y):
              m = X.shape[0]
              A = sigmoid(w.T @ X + b)
              cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
              dZ = A - Y
              return {"dw": X @ dZ.T / m, "db": np.sum(dZ) / m}, float(cost)
          '''),
    buggy("sigmoid_precedence", "axis=1 style; 1 / 1 + np.exp(-z)", "axis1",
          {"test_sigmoid": "Check the parentheses"},
          sigmoid='''
          def sigmoid(z):
              s = 1 / 1 + np.exp(-z)
              return s
          '''),
    buggy("optimize_return_in_loop", "Chinese comments; return indented into the loop",
          "chinese", {"test_optimize": "is your return inside the loop?"},
          optimize='''
          def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
              costs = []
              for i in range(num_iterations):
                  grads, cost = propagate(w, b, X, Y)
                  dw = grads["dw"]
                  db = grads["db"]
                  w = w - learning_rate * dw
                  b = b - learning_rate * db
                  # 记录成本
                  if i % 100 == 0:
                      costs.append(cost)
                  params = {"w": w, "b": b}
                  grads = {"dw": dw, "db": db}
                  return (params, grads, costs)
          '''),
    buggy("optimize_b_not_updated", "axis=1 style; only w is updated", "axis1",
          {"test_optimize": "b never changes"},
          optimize='''
          def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
              costs = []
              for i in range(num_iterations):
                  grads, cost = propagate(w, b, X, Y)
                  dw = grads["dw"]
                  db = grads["db"]
                  w = w - learning_rate * dw
                  if i % 100 == 0:
                      costs.append(cost)
              return {"w": w, "b": b}, {"dw": dw, "db": db}, costs
          '''),
    buggy("optimize_costs_every_iteration", "debug prints; costs.append at every iteration",
          "debug_prints", {"test_optimize": "one entry per iteration"},
          optimize='''
          def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
              costs = []
              for i in range(num_iterations):
                  grads, cost = propagate(w, b, X, Y)
                  dw = grads["dw"]
                  db = grads["db"]
                  w = w - learning_rate * dw
                  b = b - learning_rate * db
                  costs.append(cost)
                  if i % 100 == 0:
                      print("iteration", i, "cost", cost)
              return {"w": w, "b": b}, {"dw": dw, "db": db}, costs
          '''),
    buggy("model_trains_on_test_set", "Spanish; optimize on X_test, Y_test", "spanish",
          {"test_model": "trained on the test set"},
          model='''
          def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
              w, b = initialize_with_zeros(X_train.shape[0])
              parametros, grads, costes = optimize(w, b, X_test, Y_test, num_iterations, learning_rate, print_cost)
              w = parametros["w"]
              b = parametros["b"]
              d = {"costs": costes, "Y_prediction_test": predict(w, b, X_test),
                   "Y_prediction_train": predict(w, b, X_train), "w": w, "b": b,
                   "learning_rate": learning_rate, "num_iterations": num_iterations}
              return d
          '''),
    buggy("shapes_m_test_copy_paste", "2017 template; m_test copy-pasted from the training "
          "line", "coursera_2017", {"test_dataset_shapes": "m_test came from the training set"},
          dataset_shapes='''
          ### START CODE HERE ### (≈ 3 lines of code)
          m_train = train_set_x_orig.shape[0]
          m_test = train_set_x_orig.shape[0]
          num_px = train_set_x_orig.shape[1]
          ### END CODE HERE ###

          print ("Number of training examples: m_train = " + str(m_train))
          print ("Number of testing examples: m_test = " + str(m_test))
          '''),
    buggy("flatten_mixes_pictures", "German comments; reshape(-1, m) (right shape, pictures "
          "mixed); standardize still right", "german_inplace",
          {"test_flatten": "mixes the pictures"},
          flatten='''
          # jedes Bild wird zu einer Spalte
          train_set_x_flatten = train_set_x_orig.reshape(-1, m_train)
          test_set_x_flatten = test_set_x_orig.reshape(-1, m_test)
          '''),
    buggy("standardize_integer_division", "keepdims style; // 255", "keepdims",
          {"test_standardize": "integer division"},
          standardize='''
          train_set_x = train_set_x_flatten // 255
          test_set_x = test_set_x_flatten // 255
          '''),

    # ============================================================== two mistakes, two functions
    buggy("sigmoid_minus_and_predict_inverted", "2021 template; sigmoid(-z) and labels "
          "inverted: each costs its own cells", "coursera_2021",
          {"test_sigmoid": "sigmoid(-z)", "test_predict": "inverted"},
          sigmoid='''
          def sigmoid(z):
              # YOUR CODE STARTS HERE
              s = 1 / (1 + np.exp(z))
              # YOUR CODE ENDS HERE
              return s
          ''',
          predict='''
          def predict(w, b, X):
              m = X.shape[1]
              w = w.reshape(X.shape[0], 1)
              A = sigmoid(np.dot(w.T, X) + b)
              Y_prediction = np.where(A > 0.5, 0, 1)
              return Y_prediction
          '''),
    buggy("flatten_rows_and_optimize_inplace", "debug prints; one picture per row and "
          "w -= without a copy (the in-place change costs nothing since issue 20)",
          "debug_prints", {"test_flatten": "One example per column"},
          flatten='''
          train_set_x_flatten = train_set_x_orig.reshape(train_set_x_orig.shape[0], -1)
          test_set_x_flatten = test_set_x_orig.reshape(test_set_x_orig.shape[0], -1)
          print("DEBUG flatten", train_set_x_flatten.shape, test_set_x_flatten.shape)
          ''',
          standardize='''
          train_set_x = train_set_x_flatten.T / 255.
          test_set_x = test_set_x_flatten.T / 255.
          ''',
          optimize='''
          def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
              costs = []
              for i in range(num_iterations):
                  grads, cost = propagate(w, b, X, Y)
                  w -= learning_rate * grads["dw"]
                  b = b - learning_rate * grads["db"]
                  if i % 100 == 0:
                      costs.append(cost)
                      print("iteration", i, "cost", cost)
              return {"w": w, "b": b}, grads, costs
          '''),
    # ============================================================== issue 20: named on real code
    buggy("model_w_num_px_own_loop", "Chinese comments; model sizes w from the notebook's "
          "num_px and runs its own descent loop with propagate", "chinese",
          {"test_model": ("num_px", "X_train.shape[0]")},
          model='''
          def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
              # 初始化参数（图片是 num_px * num_px * 3 个像素）
              w = np.zeros((num_px * num_px * 3, 1))
              b = 0
              costs = []
              for i in range(num_iterations):
                  grads, cost = propagate(w, b, X_train, Y_train)   # 正向和反向传播
                  w = w - learning_rate * grads["dw"]
                  b = b - learning_rate * grads["db"]
                  if i % 100 == 0:
                      costs.append(cost)
              Y_prediction_test = predict(w, b, X_test)
              Y_prediction_train = predict(w, b, X_train)
              d = {"costs": costs, "Y_prediction_test": Y_prediction_test,
                   "Y_prediction_train": Y_prediction_train, "w": w, "b": b,
                   "learning_rate": learning_rate, "num_iterations": num_iterations}
              return d
          '''),
    buggy("model_dim_constant_12288", "2017 template; dim = 12288 written out, then the "
          "template's calls", "coursera_2017",
          {"test_model": ("constant 12288", "X_train.shape[0]")},
          model='''
          def model(X_train, Y_train, X_test, Y_test, num_iterations = 2000, learning_rate = 0.5, print_cost = False):
              ### START CODE HERE ###
              dim = 12288   # 64 * 64 * 3
              w, b = np.zeros((dim, 1)), 0
              parameters, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
              w = parameters["w"]
              b = parameters["b"]
              Y_prediction_test = predict(w, b, X_test)
              Y_prediction_train = predict(w, b, X_train)
              ### END CODE HERE ###
              d = {"costs": costs, "Y_prediction_test": Y_prediction_test,
                   "Y_prediction_train" : Y_prediction_train, "w" : w, "b" : b,
                   "learning_rate" : learning_rate, "num_iterations": num_iterations}
              return d
          '''),
    buggy("predict_template_none_left", "2017 template; predict's A = None placeholder left, "
          "the loop over A.shape[1] kept", "coursera_2017",
          {"test_predict": ("placeholder", "A = None")},
          predict='''
          # GRADED FUNCTION: predict

          def predict(w, b, X):
              m = X.shape[1]
              Y_prediction = np.zeros((1,m))
              w = w.reshape(X.shape[0], 1)

              # Compute vector "A" predicting the probabilities of a cat being present in the picture
              ### START CODE HERE ### (≈ 1 line of code)
              A = None
              ### END CODE HERE ###

              for i in range(A.shape[1]):
                  # Convert probabilities A[0,i] to actual predictions p[0,i]
                  ### START CODE HERE ### (≈ 4 lines of code)
                  Y_prediction[0, i] = 1 if A[0, i] > 0.5 else 0
                  ### END CODE HERE ###

              assert(Y_prediction.shape == (1, m))

              return Y_prediction
          '''),
    buggy("initialize_template_none_left", "Chinese comments; initialize_with_zeros still "
          "returns the template's w = None, b = None", "chinese",
          {"test_initialize_with_zeros": ("placeholder", "w = None")},
          initialize_with_zeros='''
          def initialize_with_zeros(dim):
              """创建一个维度为 (dim, 1) 的 0 向量，并将 b 初始化为 0"""
              w = None   # 待完成
              b = None
              return (w, b)
          '''),
    buggy("propagate_returns_cost_first", "Chinese names; propagate returns (cost, grads) and "
          "its optimize unpacks them in that order", "chinese",
          {"test_propagate": "grads first", "test_optimize": "unpacks"},
          propagate='''
          def propagate(w, b, X, Y):
              m = X.shape[1]
              A = sigmoid(np.dot(w.T, X) + b)  # 激活值
              成本 = (-1 / m) * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
              梯度 = {"dw": (1 / m) * np.dot(X, (A - Y).T), "db": (1 / m) * np.sum(A - Y)}
              return 成本, 梯度
          ''',
          optimize='''
          def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
              costs = []
              for i in range(num_iterations):
                  cost, grads = propagate(w, b, X, Y)
                  dw = grads["dw"]
                  db = grads["db"]
                  w = w - learning_rate * dw
                  b = b - learning_rate * db
                  if i % 100 == 0:
                      costs.append(cost)   # 记录成本
              params = {"w": w, "b": b}
              grads = {"dw": dw, "db": db}
              return (params, grads, costs)
          '''),
    buggy("initialize_random_chinese", "Chinese comments; w = np.random.randn(dim, 1) * 0.01 "
          "as in the deep-learning course", "chinese",
          {"test_initialize_with_zeros": "random"},
          initialize_with_zeros='''
          def initialize_with_zeros(dim):
              # 随机初始化权重，避免对称
              w = np.random.randn(dim, 1) * 0.01
              b = 0
              return (w, b)
          '''),
    buggy("model_random_start", "matmul style; model starts optimize from a random w",
          "matmul", {"test_model": "random"},
          model='''
          def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
              rng = np.random.default_rng(0)
              w = rng.standard_normal((X_train.shape[0], 1)) * 0.01
              b = 0.0
              params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
              w, b = params["w"], params["b"]
              return {"costs": costs, "w": w, "b": b,
                      "Y_prediction_test": predict(w, b, X_test),
                      "Y_prediction_train": predict(w, b, X_train),
                      "learning_rate": learning_rate, "num_iterations": num_iterations}
          '''),
    buggy("cost_one_minus_y_bare", "Chinese comments; 1 - Y without parentheses in the cost",
          "chinese", {"test_propagate": ("parenthesis", "1 - Y")},
          propagate='''
          def propagate(w, b, X, Y):
              m = X.shape[1]
              A = sigmoid(np.dot(w.T, X) + b)  # 计算激活值
              代价 = -1 / m * np.sum(Y * np.log(A) + 1 - Y * np.log(1 - A))  # 计算成本
              dw = 1 / m * np.dot(X, (A - Y).T)
              db = 1 / m * np.sum(A - Y)
              return {"dw": dw, "db": db}, 代价
          '''),
    buggy("cost_sum_closed_early", "German comments; np.sum closes after (1 - Y)",
          "german_inplace", {"test_propagate": ("parenthesis", "closes after (1 - Y)")},
          propagate='''
          def propagate(w, b, X, Y):
              m = X.shape[1]
              # Vorwärts
              A = sigmoid(np.dot(w.T, X) + b)
              cost = -1 / m * np.sum(Y * np.log(A) + (1 - Y)) * np.log(1 - A)
              # Rückwärts
              dw = 1 / m * np.dot(X, (A - Y).T)
              db = 1 / m * np.sum(A - Y)
              return {"dw": dw, "db": db}, np.squeeze(cost)
          '''),
    buggy("cost_squared_error", "debug prints; the squared error from a previous course, "
          "gradients right", "debug_prints", {"test_propagate": "squared error"},
          propagate='''
          def propagate(w, b, X, Y):
              m = X.shape[1]
              A = sigmoid(np.dot(w.T, X) + b)
              cost = np.sum((A - Y) ** 2) / (2 * m)   # mean squared error
              print("DEBUG cost", cost)
              dw = np.dot(X, (A - Y).T) / m
              db = np.sum(A - Y) / m
              return {"dw": dw, "db": db}, cost
          '''),
    buggy("cost_squared_error_chinese", "Chinese comments; squared error with its own "
          "gradients through the sigmoid", "chinese", {"test_propagate": "squared error"},
          propagate='''
          def propagate(w, b, X, Y):
              m = X.shape[1]
              A = sigmoid(np.dot(w.T, X) + b)
              # 均方误差
              cost = np.mean((A - Y) ** 2)
              dZ = 2 * (A - Y) * A * (1 - A)   # 链式法则
              dw = np.dot(X, dZ.T) / m
              db = np.sum(dZ) / m
              return {"dw": dw, "db": db}, cost
          '''),
]

_names = [learner.name for learner in LEARNERS]
assert len(_names) == len(set(_names)), "learner names must be unique"
