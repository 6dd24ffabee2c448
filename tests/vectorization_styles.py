"""Ways to write propagate and predict, by whether they loop over the examples in Python.

Notebook code (source text): each entry is run after :data:`PRELUDE` in a namespace of its
own (in-process) or as a cell of a sandboxed kernel. ``LOOPS`` holds the six disguises a red
team used against the source-reading judge, and the plain forms of a loop; ``WHOLE_ARRAY`` the
vectorized styles that must keep their point.
"""

PRELUDE = """\
import functools, itertools, math, sys
import numpy as np

def sigmoid(z):
    return 1 / (1 + np.exp(-z))
"""

_PREDICT_LOOP_BODY = """\
    A = sigmoid(w.T @ X + b)
    out = np.zeros((1, X.shape[1]))
    for i in range(X.shape[1]):
        out[0, i] = 1.0 if A[0, i] > 0.5 else 0.0
    return out
"""

LOOPS = {
    # The six disguises.
    ("predict", "rebound_after_loop_free_def"): (
        "def predict(w, b, X):\n    return (sigmoid(w.T @ X + b) > 0.5).astype(float)\n"
        "def _predict(w, b, X):\n" + _PREDICT_LOOP_BODY + "predict = _predict\n"),
    ("predict", "dead_if_false_def"): (
        "predict = lambda w, b, X: np.array([[1.0 if a > 0.5 else 0.0 "
        "for a in sigmoid(w.T @ X + b)[0]]])\n"
        "if False:\n    def predict(w, b, X):\n"
        "        return (sigmoid(w.T @ X + b) > 0.5).astype(float)\n"),
    ("predict", "compiled_under_a_library_file_name"): (
        "exec(compile('def predict(w, b, X):\\n' + " + repr(_PREDICT_LOOP_BODY)
        + ", np.__file__, 'exec'), globals())\n"),
    ("predict", "functools_reduce"): (
        "def predict(w, b, X):\n    A = sigmoid(w.T @ X + b)\n"
        "    labels = functools.reduce(lambda acc, a: acc.append(1.0 if a > 0.5 else 0.0) or acc,\n"
        "                              A[0], [])\n"
        "    return np.array([labels])\n"),
    ("predict", "mutual_recursion"): (
        "def _left(A, lo, hi):\n    if hi - lo == 1:\n        return [1.0 if A[0, lo] > 0.5 else 0.0]\n"
        "    mid = (lo + hi) // 2\n    return _right(A, lo, mid) + _right(A, mid, hi)\n"
        "def _right(A, lo, hi):\n    if hi - lo == 1:\n        return [float(A[0, lo] > 0.5)]\n"
        "    mid = (lo + hi) // 2\n    return _left(A, lo, mid) + _left(A, mid, hi)\n"
        "def predict(w, b, X):\n    A = sigmoid(w.T @ X + b)\n"
        "    return np.array([_left(A, 0, X.shape[1])])\n"),
    ("predict", "itertools_starmap"): (
        "def predict(w, b, X):\n    A = sigmoid(w.T @ X + b)\n"
        "    return np.array([list(itertools.starmap(lambda i, a: float(a > 0.5), "
        "enumerate(A[0])))])\n"),
    # The plain forms.
    ("predict", "np_vectorize"): (
        "def predict(w, b, X):\n    A = sigmoid(w.T @ X + b)\n"
        "    return np.vectorize(lambda a: 1.0 if a > 0.5 else 0.0)(A)\n"),
    ("predict", "for_loop"): "def predict(w, b, X):\n" + _PREDICT_LOOP_BODY,
    ("predict", "comprehension"): (
        "def predict(w, b, X):\n    A = sigmoid(w.T @ X + b)\n"
        "    return np.array([[1.0 if a > 0.5 else 0.0 for a in A[0]]])\n"),
    ("predict", "for_loop_over_a_python_list"): (
        "def predict(w, b, X):\n    A = sigmoid(w.T @ X + b)\n    labels = []\n"
        "    for a in A[0].tolist():\n        labels.append(1.0 if a > 0.5 else 0.0)\n"
        "    return np.array([labels])\n"),
    ("predict", "comprehension_over_a_python_list"): (
        "def predict(w, b, X):\n    A = sigmoid(w.T @ X + b)\n"
        "    return np.array([[1.0 if a > 0.5 else 0.0 for a in A[0].tolist()]])\n"),
    ("predict", "map"): (
        "def predict(w, b, X):\n    A = sigmoid(w.T @ X + b)\n"
        "    return np.array([list(map(lambda a: float(a > 0.5), A[0]))])\n"),
    ("propagate", "for_loop"): """\
def propagate(w, b, X, Y):
    m = X.shape[1]
    dw, db, cost = np.zeros_like(w), 0.0, 0.0
    for i in range(m):
        a = sigmoid(w[:, 0] @ X[:, i] + b)
        cost -= (Y[0, i] * np.log(a) + (1 - Y[0, i]) * np.log(1 - a)) / m
        dw[:, 0] += (a - Y[0, i]) * X[:, i] / m
        db += (a - Y[0, i]) / m
    return {'dw': dw, 'db': db}, cost
""",
    ("propagate", "comprehension_for_the_cost"): """\
def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(w.T @ X + b)
    cost = -sum([y * math.log(a) + (1 - y) * math.log(1 - a) for a, y in zip(A[0], Y[0])]) / m
    return {"dw": X @ (A - Y).T / m, "db": np.sum(A - Y) / m}, cost
""",
    ("propagate", "functools_reduce"): """\
def propagate(w, b, X, Y):
    m = X.shape[1]
    def step(acc, i):
        a = sigmoid(float(w[:, 0] @ X[:, i]) + b)
        return (acc[0] + (a - Y[0, i]) * X[:, i:i + 1], acc[1] + a - Y[0, i],
                acc[2] - Y[0, i] * np.log(a) - (1 - Y[0, i]) * np.log(1 - a))
    dw, db, cost = functools.reduce(step, range(m), (np.zeros_like(w), 0.0, 0.0))
    return {'dw': dw / m, 'db': db / m}, cost / m
""",
    ("propagate", "for_loop_over_the_features"): """\
def propagate(w, b, X, Y):
    n, m = X.shape
    A = sigmoid(np.dot(w.T, X) + b)
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    dZ = A - Y
    dw = np.zeros((n, 1))
    for j in range(n):
        dw[j, 0] = np.dot(X[j], dZ[0]) / m
    return {"dw": dw, "db": np.sum(dZ) / m}, cost
""",
    ("propagate", "comprehension_over_the_features"): """\
def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(w.T @ X + b)
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    dw = np.array([[row @ (A - Y)[0] / m] for row in X])
    return {"dw": dw, "db": np.sum(A - Y) / m}, cost
""",
}

WHOLE_ARRAY = {
    ("predict", "matmul"): (
        "def predict(w, b, X):\n    A = sigmoid(w.T @ X + b)\n    return (A > 0.5).astype(float)\n"),
    ("predict", "np_dot_np_where"): (
        "def predict(w, b, X):\n    A = sigmoid(np.dot(w.T, X) + b)\n"
        "    return np.where(A > 0.5, 1.0, 0.0)\n"),
    ("predict", "broadcasting"): (
        "def predict(w, b, X):\n    A = sigmoid(np.sum(w * X, axis=0, keepdims=True) + b)\n"
        "    Y_prediction = np.zeros((1, X.shape[1]))\n    Y_prediction[A > 0.5] = 1\n"
        "    return Y_prediction\n"),
    ("predict", "einsum"): (
        "def predict(w, b, X):\n    A = sigmoid(np.einsum('ij,ik->jk', w, X) + b)\n"
        "    return (A > 0.5) * 1.0\n"),
    ("predict", "many_steps"): """\
def predict(w, b, X):
    m = X.shape[1]
    w = w.reshape(X.shape[0], 1)
    Y_prediction = np.zeros((1, m))
    A = np.clip(sigmoid(np.dot(w.T, X) + b), 0, 1)
    Y_prediction[A > 0.5] = 1
    Y_prediction[A <= 0.5] = 0
    return Y_prediction.astype(np.float64)
""",
    ("propagate", "matmul"): """\
def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(w.T @ X + b)
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    return {"dw": X @ (A - Y).T / m, "db": np.sum(A - Y) / m}, cost
""",
    ("propagate", "np_dot"): """\
def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = (-1 / m) * np.sum(np.multiply(Y, np.log(A)) + np.multiply(1 - Y, np.log(1 - A)))
    dw = (1 / m) * np.dot(X, (A - Y).T)
    db = (1 / m) * np.sum(A - Y)
    return {"dw": dw, "db": db}, np.squeeze(cost)
""",
    ("propagate", "broadcasting"): """\
def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.sum(w * X, axis=0, keepdims=True) + b)
    cost = -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    dw = np.sum(X * (A - Y), axis=1, keepdims=True) / m
    return {"dw": dw, "db": np.mean(A - Y)}, cost
""",
    ("propagate", "einsum"): """\
def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.einsum('ij,ik->jk', w, X) + b)
    cost = -(np.einsum('ij,ij->', Y, np.log(A)) + np.einsum('ij,ij->', 1 - Y, np.log(1 - A))) / m
    return {"dw": np.einsum('ik,jk->ij', X, A - Y) / m, "db": np.sum(A - Y) / m}, cost
""",
    ("propagate", "stable_logaddexp"): """\
def propagate(w, b, X, Y):
    m = X.shape[1]
    Z = np.dot(w.T, X) + b
    A = np.exp(-np.logaddexp(0, -Z))
    cost = np.sum(Y * np.logaddexp(0, -Z) + (1 - Y) * np.logaddexp(0, Z)) / m
    return {"dw": np.dot(X, (A - Y).T) / m, "db": np.sum(A - Y) / m}, cost
""",
    ("propagate", "stable_np_where"): """\
def propagate(w, b, X, Y):
    m = X.shape[1]
    Z = w.T @ X + b
    A = np.where(Z >= 0, 1 / (1 + np.exp(-np.abs(Z))), np.exp(-np.abs(Z)) / (1 + np.exp(-np.abs(Z))))
    cost = -np.mean(np.where(Y == 1, np.log(np.clip(A, 1e-12, 1)), np.log(np.clip(1 - A, 1e-12, 1))))
    return {"dw": X @ (A - Y).T / m, "db": np.mean(A - Y)}, cost
""",
}


def namespace(source):
    """A notebook namespace in this process with :data:`PRELUDE` and ``source`` run in it."""
    names = {}
    exec(compile(PRELUDE, "<ipython-input-1>", "exec"), names)  # noqa: S102 - test code
    exec(compile(source, "<ipython-input-2>", "exec"), names)  # noqa: S102
    return names
