"""Reference solution of the week-2 exercise: logistic regression as a neural network.

Instructor-only. Hidden tests compare student code against these functions; they are never
copied into ``source/`` or ``release/``.

Notation (as in the notebook): ``X`` has shape ``(n_x, m)``, one example per column; ``Y`` has
shape ``(1, m)`` with labels 0 / 1; ``w`` has shape ``(n_x, 1)``; ``b`` is a Python float.

Every function is vectorized over the examples, never modifies its arguments, and is
numerically stable: ``sigmoid`` and the cost are computed from ``z`` through forms that never
evaluate ``exp`` of a large positive number or ``log(0)``.
"""

import numpy as np

__all__ = [
    "sigmoid",
    "initialize_with_zeros",
    "propagate",
    "optimize",
    "predict",
    "model",
    "accuracy",
    "flatten",
    "standardize",
    "COST_EVERY",
]

#: ``optimize`` records the cost at iterations 0, COST_EVERY, 2 * COST_EVERY, ...
COST_EVERY = 100


def sigmoid(z):
    r"""Logistic sigmoid, element-wise.

    .. math:: \sigma(z) = \frac{1}{1 + e^{-z}}

    Evaluated as :math:`1 / (1 + e^{-|z|})` for :math:`z \ge 0` and
    :math:`e^{-|z|} / (1 + e^{-|z|})` for :math:`z < 0`, so ``exp`` never overflows and
    :math:`\sigma(0) = 0.5` exactly.

    Parameters
    ----------
    z : float or array_like
        Input of any shape.

    Returns
    -------
    s : float or ndarray
        :math:`\sigma(z)`, same shape as ``z``, values in :math:`[0, 1]`.
    """
    z = np.asarray(z, dtype=float)
    with np.errstate(under="ignore"):  # exp(-|z|) -> 0 for large |z| is the intended answer
        e = np.exp(-np.abs(z))
    s = 1.0 / (1.0 + e)
    s = np.where(z >= 0, s, e * s)
    return s[()] if s.ndim == 0 else s


def initialize_with_zeros(dim):
    """Parameters of a logistic regression unit, all zero.

    Parameters
    ----------
    dim : int
        Number of input features :math:`n_x`.

    Returns
    -------
    w : ndarray of shape (dim, 1)
        Zero weights (float64).
    b : float
        Zero bias.
    """
    w = np.zeros((dim, 1))
    b = 0.0
    return w, b


def propagate(w, b, X, Y):
    r"""Forward and backward pass: the cost and its gradient.

    .. math::

        A &= \sigma(w^T X + b) \\
        J &= -\frac{1}{m} \sum_{i=1}^{m} y^{(i)} \log a^{(i)} + (1 - y^{(i)}) \log(1 - a^{(i)}) \\
        \frac{\partial J}{\partial w} &= \frac{1}{m} X (A - Y)^T \qquad
        \frac{\partial J}{\partial b} = \frac{1}{m} \sum_{i=1}^{m} (a^{(i)} - y^{(i)})

    Since :math:`\log \sigma(z) = z - \log(1 + e^z)` and :math:`\log(1 - \sigma(z)) =
    -\log(1 + e^z)`, the cost is computed as

    .. math:: J = \frac{1}{m} \sum_{i=1}^{m} \log(1 + e^{z^{(i)}}) - y^{(i)} z^{(i)}

    with ``np.logaddexp(0, z)`` for :math:`\log(1 + e^z)`: finite when predictions saturate,
    equal to the formula above wherever that is finite, and one logarithm instead of two.

    Parameters
    ----------
    w : ndarray of shape (n_x, 1)
        Weights.
    b : float
        Bias.
    X : ndarray of shape (n_x, m)
        Inputs, one example per column.
    Y : ndarray of shape (1, m)
        Labels, 0 (non-cat) or 1 (cat).

    Returns
    -------
    grads : dict
        ``"dw"``: ndarray of shape (n_x, 1); ``"db"``: float.
    cost : float
        The cross-entropy cost :math:`J` (a numpy float).
    """
    m = X.shape[1]
    Z = w.T @ X + b
    A = sigmoid(Z)
    cost = np.sum(np.logaddexp(0.0, Z) - Y * Z) / m
    dZ = A - Y
    dw = X @ dZ.T / m
    db = np.sum(dZ) / m
    return {"dw": dw, "db": db}, np.float64(cost)


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    r"""Learn ``w`` and ``b`` by batch gradient descent.

    .. math:: w := w - \alpha \, dw \qquad b := b - \alpha \, db

    Parameters
    ----------
    w : ndarray of shape (n_x, 1)
        Initial weights (not modified).
    b : float
        Initial bias.
    X : ndarray of shape (n_x, m)
        Inputs.
    Y : ndarray of shape (1, m)
        Labels.
    num_iterations : int, default=100
        Number of gradient steps.
    learning_rate : float, default=0.009
        Step size :math:`\alpha`.
    print_cost : bool, default=False
        Print the cost every ``COST_EVERY`` iterations.

    Returns
    -------
    params : dict
        ``"w"`` and ``"b"`` after the last step.
    grads : dict
        ``"dw"`` and ``"db"`` computed at the last step (before its update).
    costs : list of float
        The cost at iterations 0, 100, 200, ... (``ceil(num_iterations / 100)`` values).
    """
    costs = []
    dw, db = np.zeros_like(w, dtype=float), 0.0
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        dw, db = grads["dw"], grads["db"]
        # New objects each step: the caller's w is never changed in place.
        w = w - learning_rate * dw
        b = b - learning_rate * db
        if i % COST_EVERY == 0:
            costs.append(cost)
            if print_cost:
                print(f"Cost after iteration {i}: {cost:f}")
    return {"w": w, "b": b}, {"dw": dw, "db": db}, costs


def predict(w, b, X):
    r"""Label each example: 1 (cat) when :math:`\sigma(w^T x + b) > 0.5`, else 0.

    Parameters
    ----------
    w : ndarray of shape (n_x, 1)
        Weights.
    b : float
        Bias.
    X : ndarray of shape (n_x, m)
        Inputs.

    Returns
    -------
    Y_prediction : ndarray of shape (1, m)
        Predictions 0.0 / 1.0 (float64).
    """
    A = sigmoid(w.T @ X + b)
    return (A > 0.5).astype(float)


def accuracy(Y_prediction, Y):
    r"""Percentage of correct predictions, :math:`100 - 100 \cdot \mathrm{mean}|\hat{Y} - Y|`.

    The same expression as the published notebook, so the figures agree to the last digit.
    """
    return 100 - np.mean(np.abs(Y_prediction - Y)) * 100


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5,
          print_cost=False):
    """Train logistic regression from zeros and predict on both sets.

    Parameters
    ----------
    X_train : ndarray of shape (n_x, m_train)
        Training inputs.
    Y_train : ndarray of shape (1, m_train)
        Training labels.
    X_test : ndarray of shape (n_x, m_test)
        Test inputs.
    Y_test : ndarray of shape (1, m_test)
        Test labels.
    num_iterations : int, default=2000
        Number of gradient steps.
    learning_rate : float, default=0.5
        Step size.
    print_cost : bool, default=False
        Print the cost every 100 iterations and both accuracies.

    Returns
    -------
    d : dict
        ``costs``, ``Y_prediction_test``, ``Y_prediction_train``, ``w``, ``b``,
        ``learning_rate``, ``num_iterations``.
    """
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate,
                                    print_cost)
    w, b = params["w"], params["b"]
    Y_prediction_test = predict(w, b, X_test)
    Y_prediction_train = predict(w, b, X_train)
    if print_cost:
        print(f"train accuracy: {accuracy(Y_prediction_train, Y_train)} %")
        print(f"test accuracy: {accuracy(Y_prediction_test, Y_test)} %")
    return {
        "costs": costs,
        "Y_prediction_test": Y_prediction_test,
        "Y_prediction_train": Y_prediction_train,
        "w": w,
        "b": b,
        "learning_rate": learning_rate,
        "num_iterations": num_iterations,
    }


def flatten(images):
    """Turn an image batch of shape (m, h, w, c) into columns of shape (h * w * c, m).

    ``reshape(m, -1)`` keeps each image's pixels together; the transpose then makes one
    column per example. (``reshape(-1, m)`` has the right shape but mixes images.)
    """
    return images.reshape(images.shape[0], -1).T


def standardize(X):
    """Scale 8-bit pixel values to [0, 1]."""
    return X / 255.0
