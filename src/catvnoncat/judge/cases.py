"""Hidden inputs: drawn from the course secret by the grader, never stored in a notebook.

Each :class:`Case` is one input (positional ``args``) drawn from a :class:`~.secret.HiddenKey`
(the course secret and the student's id, see :mod:`.secret`) under a label such as
``"propagate/1"``; its ``sibling`` is another input of the same sizes, used to ask whether a
function returns the same result for different inputs (a hard-coded answer). The sizes and
kinds below are public and fixed (they are what a message may describe: "a hidden input with
n = 1 feature, m = 1 example"); only the values depend on the secret. Every case list keeps the
generator's guarantees whatever the secret: m = 1 and n = 1 cases, cases with n != m, and |z| up
to 1000 for sigmoid (four fixed saturating entries) and predict (weights scaled by 400).
"""

import numpy as np

from .messages import say

__all__ = ["Case", "sigmoid_cases", "initialize_cases", "propagate_cases", "optimize_cases",
           "predict_cases", "model_cases", "make_propagate_input", "make_predict_input"]


class Case:
    """One hidden input: positional ``args``, a description, and how to make a sibling input."""

    def __init__(self, make, hidden, label, description, **sizes):
        self.make, self.label, self.description, self.sizes = make, label, description, sizes
        self._hidden = hidden
        self.args = make(hidden.rng(label), **sizes)
        #: The cache key of this input's reference results: the key's public tag, not the secret.
        self.key = (hidden.tag, label, tuple(sorted(sizes.items())))

    def sibling(self, index=0):
        """Another hidden input of the same sizes (draw ``index``), and its cache key."""
        label = f"{self.label}/sibling" + (f"/{index}" if index else "")
        return (self.make(self._hidden.rng(label), **self.sizes),
                (self._hidden.tag, label, tuple(sorted(self.sizes.items()))))


def _labels(rng, m):
    """0 / 1 labels with both classes present when m > 1."""
    Y = rng.integers(0, 2, size=(1, m))
    if m > 1:
        Y[0, 0], Y[0, -1] = 0, 1
    return Y


def _bias(rng, kind):
    """A bias of the several accepted scalar types."""
    value = float(np.round(rng.normal(0, 0.5), 3))
    return {"float": value, "int": int(round(value * 2)), "numpy": np.float64(value)}[kind]


#: Draws before a generator gives up on a condition (each draw meets it with probability > 0.8).
_DRAWS = 1000
#: Largest |z| = |w.T @ X + b| of a propagate / optimize input: the textbook
#: ``np.log(1 - A)`` stays finite and accurate below it.
PROPAGATE_Z_MAX = 12.0
#: Smallest |z| of a predict input: nearer 0, ``A > 0.5`` and ``A >= 0.5`` may honestly disagree.
PREDICT_Z_MIN = 0.01
#: The band of the largest |z| of a "large |z|" predict input.
PREDICT_LARGE_Z = (600.0, 1000.0)


def _drawn(draw, accept):
    """The first of ``draw()``'s values that ``accept`` takes (deterministic for a generator)."""
    for _ in range(_DRAWS):
        value = draw()
        if accept(value):
            return value
    raise RuntimeError("the hidden input generator found no input meeting its guarantee")


def _plural(count):
    return "s" * (count != 1)


def _sizes(n, m):
    """What a hidden input's description says of its sizes (a message, rendered per edition)."""
    return say("FEATURES_EXAMPLES", n=n, m=m, s=_plural(n), s2=_plural(m))


def _model_sizes(n, m_train, m_test):
    return say("FEATURES_TRAIN_TEST", n=n, m_train=m_train, m_test=m_test, s=_plural(n),
               s2=_plural(m_test))


def _training(sizes, iterations, learning_rate):
    return say("TRAINING_CASE", sizes=sizes, iterations=iterations, learning_rate=learning_rate,
               s=_plural(iterations))


def make_propagate_input(rng, n, m, b_kind="float", y_float=False):
    def draw():
        return rng.normal(0, 0.6, size=(n, 1)), rng.normal(0, 1.2, size=(n, m))

    w, X = _drawn(draw, lambda wX: np.abs(wX[0].T @ wX[1]).max() < PROPAGATE_Z_MAX - 3)
    Y = _labels(rng, m)
    return w, _bias(rng, b_kind), X, (Y.astype(float) if y_float else Y)



def make_sigmoid_input(rng, shape, kind):
    if kind == "python":
        return (float(np.round(rng.normal(0, 3), 4)),)
    if kind == "numpy":
        return (np.float64(np.round(rng.normal(0, 3), 4)),)
    if kind == "int":
        return (rng.integers(-6, 7, size=shape),)
    if kind == "saturating":
        z = rng.choice([-1, 1], size=shape) * rng.uniform(30, 1000, size=shape)
        z.flat[:4] = [-1000.0, 745.5, -710.0, 40.0]
        return (z,)
    return (rng.normal(0, 4, size=shape),)


def sigmoid_cases(hidden):
    make = make_sigmoid_input
    return [
        Case(make, hidden, "sigmoid/01", say("Z_OF_SHAPE", shape=(3, 4)),
             shape=(3, 4), kind="normal"),
        Case(make, hidden, "sigmoid/02", say("Z_PYTHON_FLOAT"), shape=(), kind="python"),
        Case(make, hidden, "sigmoid/03", say("Z_NUMPY_FLOAT"), shape=(), kind="numpy"),
        Case(make, hidden, "sigmoid/04", say("Z_OF_SHAPE", shape=(5,)), shape=(5,), kind="normal"),
        Case(make, hidden, "sigmoid/05", say("Z_INTEGERS_OF_SHAPE", shape=(1, 7)),
             shape=(1, 7), kind="int"),
        Case(make, hidden, "sigmoid/06", say("Z_OF_SHAPE", shape=(1, 1)),
             shape=(1, 1), kind="normal"),
        Case(make, hidden, "sigmoid/07", say("Z_OF_SHAPE", shape=(2, 3, 4)),
             shape=(2, 3, 4), kind="normal"),
        Case(make, hidden, "sigmoid/08", say("Z_LARGE_OF_SHAPE", bound="1000", shape=(2, 6)),
             shape=(2, 6), kind="saturating"),
    ]


def initialize_cases(hidden):
    return [Case(lambda rng, dim: (dim,), hidden, f"initialize/{dim}", f"dim = {dim}", dim=dim)
            for dim in (3, 1, 12288)]


def propagate_cases(hidden):
    make = make_propagate_input
    return [
        Case(make, hidden, "propagate/01", _sizes(3, 7), n=3, m=7),
        Case(make, hidden, "propagate/02", _sizes(1, 1), n=1, m=1),
        Case(make, hidden, "propagate/03", _sizes(4, 1), n=4, m=1, b_kind="int"),
        Case(make, hidden, "propagate/04", _sizes(1, 6), n=1, m=6, b_kind="numpy"),
        Case(make, hidden, "propagate/05", _sizes(6, 25), n=6, m=25, y_float=True),
        Case(make, hidden, "propagate/06", _sizes(2, 3), n=2, m=3),
    ]



def make_optimize_input(rng, n, m, num_iterations, learning_rate, b_kind="float"):
    w, b, X, Y = make_propagate_input(rng, n, m, b_kind)
    return w, b, X, Y, num_iterations, learning_rate, False



def optimize_cases(hidden):
    make = make_optimize_input
    return [
        Case(make, hidden, "optimize/01", _training(_sizes(3, 8), 201, 0.05),
              n=3, m=8, num_iterations=201, learning_rate=0.05),
        Case(make, hidden, "optimize/02", _training(_sizes(1, 1), 101, 0.3),
              n=1, m=1, num_iterations=101, learning_rate=0.3),
        Case(make, hidden, "optimize/03", _training(_sizes(5, 12), 100, 0.01),
              n=5, m=12, num_iterations=100, learning_rate=0.01, b_kind="int"),
        Case(make, hidden, "optimize/04", _training(_sizes(2, 4), 1, 0.2),
              n=2, m=4, num_iterations=1, learning_rate=0.2, b_kind="numpy"),
    ]



def make_predict_input(rng, n, m, large=False):
    def draw():
        return (rng.normal(0, 0.6, size=(n, 1)), rng.normal(0, 1.2, size=(n, m)),
                _bias(rng, "float"))

    def z(wXb):
        return wXb[0].T @ wXb[1] + wXb[2]

    w, X, b = _drawn(draw, lambda wXb: np.abs(z(wXb)).min() >= PREDICT_Z_MIN
                     and np.abs(z(wXb)).max() > 10 * PREDICT_Z_MIN)
    if large:  # scaled so that the largest |z| is in PREDICT_LARGE_Z
        scale = rng.uniform(*PREDICT_LARGE_Z) / np.abs(z((w, X, b))).max()
        w, b = w * scale, b * scale
    return w, float(b), X



def predict_cases(hidden):
    make = make_predict_input
    return [
        Case(make, hidden, "predict/01", _sizes(3, 10), n=3, m=10),
        Case(make, hidden, "predict/02", _sizes(1, 1), n=1, m=1),
        Case(make, hidden, "predict/03", _sizes(4, 1), n=4, m=1),
        Case(make, hidden, "predict/04", _sizes(1, 6), n=1, m=6),
        Case(make, hidden, "predict/05", say("LARGE_Z_AND", bound="~1000", then=_sizes(2, 20)),
              n=2, m=20, large=True),
    ]



def make_model_input(rng, n, m_train, m_test, num_iterations, learning_rate):
    true_w = rng.normal(0, 1.0, size=(n, 1))

    def sample(m):
        X = rng.normal(0, 1.0, size=(n, m))
        Y = (true_w.T @ X + rng.normal(0, 0.7, size=(1, m)) > 0).astype(int)
        return X, Y

    X_train, Y_train = sample(m_train)
    X_test, Y_test = sample(m_test)
    return X_train, Y_train, X_test, Y_test, num_iterations, learning_rate, False



def model_cases(hidden):
    make = make_model_input
    return [
        Case(make, hidden, "model/01", _training(_model_sizes(4, 40, 15), 150, 0.05), n=4,
             m_train=40, m_test=15, num_iterations=150, learning_rate=0.05),
        Case(make, hidden, "model/02", _training(_model_sizes(1, 9, 1), 120, 0.3), n=1,
             m_train=9, m_test=1, num_iterations=120, learning_rate=0.3),
    ]

